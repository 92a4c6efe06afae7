//! Hostile organization names and tampered plans (issue 8): refused before they reach a git
//! config key, a credential request or a file path, with nothing changed.

mod gcm_support;

use ado_connect_core::gcm::{apply, plan, scan, validate_org_name, ChangeKind, GcmPlan};
use ado_connect_core::ErrorCode;
use gcm_support::*;
use std::fs;

const HOSTILE: &[&str] = &[
    "",
    ".",
    "..",
    "contoso.",
    "contoso.azureAuthority",
    "a=b",
    "contoso/../../etc",
    "/",
    "a/b",
    "a\\b",
    "contoso\n[core]\n\tfsmonitor = evil",
    "contoso\r",
    "contoso\0",
    " contoso",
    "contoso ",
    "con toso",
    "\"contoso\"",
    "'contoso'",
    "contoso`",
    "cont\u{43e}so",   // Cyrillic о
    "\u{430}contoso",  // Cyrillic а
    "contoso\u{200b}", // zero-width space
    "ｃｏｎｔｏｓｏ",  // full-width letters
    "-contoso",
    "contoso-",
    "*",
    "contoso.*",
    "^contoso$",
    "[a-z]",
    "$(touch pwned)",
    "a;b",
    "%2e%2e",
];

#[test]
fn hostile_names_are_refused_with_a_reason() {
    for name in HOSTILE {
        let err = validate_org_name(name).expect_err(name);
        assert_eq!(err.code, ErrorCode::InvalidInput, "{name:?}");
        assert!(
            err.message.contains("is not valid: "),
            "{name:?}: {}",
            err.message
        );
        assert!(
            !err.message.contains('\n')
                && !err.message.contains('\r')
                && !err.message.contains('\0'),
            "{name:?}: the message must not carry the raw name"
        );
    }
    let too_long = "a".repeat(51);
    assert!(validate_org_name(&too_long).is_err());
}

#[test]
fn hostile_names_never_reach_git_or_the_files() {
    let sandbox = Sandbox::new();
    sandbox.write_cache(&contoso_and_fabrikam());
    sandbox.git(&[
        "config",
        "--global",
        "credential.azrepos:org/contoso.azureAuthority",
        AUTHORITY,
    ]);
    let cache_before = sandbox.cache_bytes().unwrap();
    let config_before = fs::read(&sandbox.gitconfig).unwrap();
    let home_before = Sandbox::names_in(&sandbox.home);

    for name in HOSTILE {
        for orgs in [vec![*name], vec!["fabrikam", *name]] {
            let mut options = sandbox.options(&orgs);
            options.unbind_username = true;
            options.reject_saved_password = true;
            assert_eq!(
                plan(&options).unwrap_err().code,
                ErrorCode::InvalidInput,
                "{name:?}"
            );
            assert_eq!(scan(&options).unwrap_err().code, ErrorCode::InvalidInput);
        }
    }
    assert_eq!(sandbox.cache_bytes().unwrap(), cache_before);
    assert_eq!(fs::read(&sandbox.gitconfig).unwrap(), config_before);
    assert_eq!(Sandbox::names_in(&sandbox.home), home_before);
    assert_eq!(Sandbox::names_in(&sandbox.cache_dir()), ["tenant.cache"]);
}

fn honest_plan(sandbox: &Sandbox) -> (GcmPlan, ado_connect_core::gcm::GcmOptions) {
    sandbox.write_cache(&contoso_and_fabrikam());
    sandbox.git(&[
        "config",
        "--global",
        "credential.azrepos:org/contoso.azureAuthority",
        AUTHORITY,
    ]);
    sandbox.git(&[
        "config",
        "--global",
        "credential.azrepos:org/fabrikam.azureAuthority",
        AUTHORITY,
    ]);
    let mut options = sandbox.options(&["contoso"]);
    options.reject_saved_password = true;
    (plan(&options).unwrap(), options)
}

/// One edit of a plan on its way back from the UI.
type Tamper = Box<dyn Fn(&mut GcmPlan)>;

/// A plan comes back from the UI as JSON; one edited on the way is refused whole.
#[test]
fn a_tampered_plan_is_refused_and_changes_nothing() {
    let sandbox = Sandbox::new();
    let (honest, options) = honest_plan(&sandbox);
    let cache_before = sandbox.cache_bytes().unwrap();
    let config_before = fs::read(&sandbox.gitconfig).unwrap();

    let tampered: Vec<(&str, Tamper)> = vec![
        (
            "hostile org in the list",
            Box::new(|p| p.orgs.push("a\nb".into())),
        ),
        (
            "a change for an organization the plan does not name",
            Box::new(|p| {
                let legacy = p
                    .changes
                    .iter_mut()
                    .find(|c| c.kind == ChangeKind::RemoveLegacyEntry)
                    .unwrap();
                legacy.org = Some("fabrikam".into());
                legacy.key = Some("https://dev.azure.com/fabrikam/".into());
            }),
        ),
        (
            "another organization's legacy key",
            Box::new(|p| {
                let legacy = p
                    .changes
                    .iter_mut()
                    .find(|c| c.kind == ChangeKind::RemoveLegacyEntry)
                    .unwrap();
                legacy.key = Some("https://dev.azure.com/fabrikam/".into());
            }),
        ),
        (
            "another organization's git key",
            Box::new(|p| {
                let git = p
                    .changes
                    .iter_mut()
                    .find(|c| c.kind == ChangeKind::UnsetGitConfig)
                    .unwrap();
                git.key = Some("credential.azrepos:org/fabrikam.azureauthority".into());
            }),
        ),
        (
            "an unrelated git key",
            Box::new(|p| {
                let git = p
                    .changes
                    .iter_mut()
                    .find(|c| c.kind == ChangeKind::UnsetGitConfig)
                    .unwrap();
                git.key = Some("user.name".into());
            }),
        ),
        (
            "a credential request for another host",
            Box::new(|p| {
                let reject = p
                    .changes
                    .iter_mut()
                    .find(|c| c.kind == ChangeKind::RejectSavedPassword)
                    .unwrap();
                reject.key = Some("https://github.com/contoso".into());
            }),
        ),
        (
            "a hostile org on a change",
            Box::new(|p| {
                p.orgs.push("contoso.evil".into());
                p.changes[0].org = Some("contoso.evil".into());
            }),
        ),
        (
            "a whole-file removal for another path",
            Box::new(|p| {
                p.changes[0].kind = ChangeKind::RemoveLegacyFile;
                p.changes[0].org = None;
                p.changes[0].key = None;
                p.changes[0].target = "/etc/passwd".into();
            }),
        ),
    ];
    for (what, edit) in tampered {
        // Through JSON, as the UI sends it.
        let mut plan: GcmPlan =
            serde_json::from_str(&serde_json::to_string(&honest).unwrap()).unwrap();
        edit(&mut plan);
        let err = apply(&plan, &options).expect_err(what);
        assert_eq!(err.code, ErrorCode::InvalidInput, "{what}: {}", err.message);
        assert_eq!(sandbox.cache_bytes().unwrap(), cache_before, "{what}");
        assert_eq!(
            fs::read(&sandbox.gitconfig).unwrap(),
            config_before,
            "{what}"
        );
    }
    // The honest plan still applies.
    assert_eq!(apply(&honest, &options).unwrap().failed_count(), 0);
}
