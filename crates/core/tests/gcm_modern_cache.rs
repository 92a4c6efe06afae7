//! The modern GCM authority cache (reference §4b) and saved passwords, through the real git
//! with GIT_CONFIG_GLOBAL and HOME in a temporary folder.

mod gcm_support;

use ado_connect_core::gcm::{
    apply, modern_cache_key, plan, restore, AzReposSetting, ChangeKind, ChangeStatus, GitCommand,
    ModernAuthorityCache,
};
use ado_connect_core::ErrorCode;
use gcm_support::*;
use std::fs;

const CONTOSO_AUTHORITY: &str = "credential.azrepos:org/contoso.azureAuthority";
const CONTOSO_USERNAME: &str = "credential.azrepos:org/contoso.username";
const FABRIKAM_AUTHORITY: &str = "credential.azrepos:org/fabrikam.azureAuthority";

fn with_gcm_keys(sandbox: &Sandbox) {
    for (key, value) in [
        (CONTOSO_AUTHORITY, AUTHORITY),
        (CONTOSO_USERNAME, "me@contoso.com"),
        (
            FABRIKAM_AUTHORITY,
            "https://login.microsoftonline.com/0b9e1d4c",
        ),
        // Look-alikes that must survive a cleanup of "contoso".
        ("credential.azrepos:org/contoso2.azureAuthority", AUTHORITY),
        (
            "credential.azrepos:org/contoso.evil.azureAuthority",
            AUTHORITY,
        ),
        ("credential.azrepos:org/xcontoso.azureAuthority", AUTHORITY),
        ("credential.helper", "cache"),
    ] {
        sandbox.git(&["config", "--global", key, value]);
    }
}

#[test]
fn lists_the_keys_through_git() {
    let sandbox = Sandbox::new();
    with_gcm_keys(&sandbox);
    let cache = ModernAuthorityCache::new(GitCommand::new("git").with_env(&sandbox.git_env()));
    let entries = cache.entries_of("CONTOSO").unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].setting, AzReposSetting::AzureAuthority);
    assert_eq!(entries[0].value.as_deref(), Some(AUTHORITY));
    assert_eq!(entries[0].file, sandbox.gitconfig);
    assert_eq!(entries[1].setting, AzReposSetting::Username);
    assert_eq!(cache.entries().unwrap().len(), 6);
}

#[test]
fn unsets_the_authority_only_and_backs_up_the_config() {
    let sandbox = Sandbox::new();
    with_gcm_keys(&sandbox);
    let before = fs::read_to_string(&sandbox.gitconfig).unwrap();
    let options = sandbox.options(&["contoso"]);

    let plan = plan(&options).unwrap();
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert_eq!(plan.changes.len(), 1);
    let change = &plan.changes[0];
    assert_eq!(change.kind, ChangeKind::UnsetGitConfig);
    assert_eq!(
        change.key.as_deref(),
        Some("credential.azrepos:org/contoso.azureauthority")
    );
    assert_eq!(change.old_value.as_deref(), Some(AUTHORITY));
    assert_eq!(change.target, sandbox.gitconfig.display().to_string());
    assert_eq!(plan.git_config.as_ref().unwrap().entry_count, 2);

    let outcome = apply(&plan, &options).unwrap();
    assert_eq!(outcome.done_count(), 1);
    assert_eq!(sandbox.global_value(CONTOSO_AUTHORITY), None);
    assert_eq!(
        sandbox.global_value(CONTOSO_USERNAME).as_deref(),
        Some("me@contoso.com"),
        "the username binding stays unless asked"
    );
    for kept in [
        FABRIKAM_AUTHORITY,
        "credential.azrepos:org/contoso2.azureAuthority",
        "credential.azrepos:org/contoso.evil.azureAuthority",
        "credential.azrepos:org/xcontoso.azureAuthority",
        "credential.helper",
        "user.name",
    ] {
        assert!(sandbox.global_value(kept).is_some(), "{kept} was removed");
    }
    assert_eq!(outcome.backups.len(), 1);
    assert_eq!(outcome.backups[0].target, sandbox.gitconfig);
    assert_eq!(
        fs::read_to_string(&outcome.backups[0].backup).unwrap(),
        before
    );

    // Idempotent.
    let again = apply(&plan, &options).unwrap();
    assert_eq!(again.results[0].status, ChangeStatus::AlreadyClean);
    assert!(again.backups.is_empty());
}

#[test]
fn the_username_binding_goes_only_when_asked() {
    let sandbox = Sandbox::new();
    with_gcm_keys(&sandbox);
    let mut options = sandbox.options(&["contoso"]);
    options.unbind_username = true;
    let plan = plan(&options).unwrap();
    assert_eq!(plan.changes.len(), 2);
    assert_eq!(plan.changes[1].old_value.as_deref(), Some("me@contoso.com"));
    let outcome = apply(&plan, &options).unwrap();
    assert_eq!(outcome.done_count(), 2);
    assert_eq!(outcome.backups.len(), 1, "one backup per file, not per key");
    assert_eq!(sandbox.global_value(CONTOSO_USERNAME), None);
    assert!(sandbox.global_value(FABRIKAM_AUTHORITY).is_some());
}

#[test]
fn organization_names_match_in_any_letter_case() {
    let sandbox = Sandbox::new();
    sandbox.git(&[
        "config",
        "--global",
        "credential.azrepos:org/Contoso.azureAuthority",
        AUTHORITY,
    ]);
    sandbox.git(&["config", "--global", CONTOSO_AUTHORITY, AUTHORITY]);
    let options = sandbox.options(&["CONTOSO"]);
    let plan = plan(&options).unwrap();
    assert_eq!(plan.changes.len(), 2);
    let outcome = apply(&plan, &options).unwrap();
    assert_eq!(outcome.done_count(), 2);
    let cache = ModernAuthorityCache::new(GitCommand::new("git").with_env(&sandbox.git_env()));
    assert!(cache.entries().unwrap().is_empty());
}

#[test]
fn a_key_in_the_xdg_global_file_is_removed_from_that_file() {
    // Without GIT_CONFIG_GLOBAL and without ~/.gitconfig, `git config --global` (and so GCM)
    // uses $XDG_CONFIG_HOME/git/config; the backup must be of that file.
    let sandbox = Sandbox::new();
    fs::remove_file(&sandbox.gitconfig).unwrap();
    let xdg = sandbox.home.join(".config/git/config");
    fs::create_dir_all(xdg.parent().unwrap()).unwrap();
    let before = format!("[credential \"azrepos:org/contoso\"]\n\tazureAuthority = {AUTHORITY}\n");
    fs::write(&xdg, &before).unwrap();
    let mut options = sandbox.options(&["contoso"]);
    options.git_env.remove("GIT_CONFIG_GLOBAL");
    let plan = plan(&options).unwrap();
    assert_eq!(plan.changes.len(), 1, "{plan}");
    assert_eq!(plan.changes[0].target, xdg.display().to_string());
    let outcome = apply(&plan, &options).unwrap();
    assert_eq!(outcome.done_count(), 1);
    assert_eq!(outcome.backups[0].target, xdg);
    assert_eq!(
        fs::read_to_string(&outcome.backups[0].backup).unwrap(),
        before
    );
    assert!(!fs::read_to_string(&xdg).unwrap().contains("azureAuthority"));
    assert!(!sandbox.gitconfig.exists(), "no ~/.gitconfig is created");
}

#[test]
fn backup_and_restore_of_the_git_config() {
    let sandbox = Sandbox::new();
    with_gcm_keys(&sandbox);
    let before = fs::read(&sandbox.gitconfig).unwrap();
    let options = sandbox.options(&["contoso"]);
    let outcome = apply(&plan(&options).unwrap(), &options).unwrap();
    assert_eq!(sandbox.global_value(CONTOSO_AUTHORITY), None);

    let restored = restore(&outcome.backups[0].backup).unwrap();
    assert_eq!(restored.restored, sandbox.gitconfig);
    assert_eq!(fs::read(&sandbox.gitconfig).unwrap(), before);
    assert_eq!(
        sandbox.global_value(CONTOSO_AUTHORITY).as_deref(),
        Some(AUTHORITY)
    );
    assert!(!sandbox.home.join(".gitconfig.lock").exists());
    assert!(restored.backup_of_replaced.is_some());
}

#[test]
fn a_missing_git_is_reported_as_git_not_found() {
    let sandbox = Sandbox::new();
    with_gcm_keys(&sandbox);
    let mut options = sandbox.options(&["contoso"]);
    let good_plan = plan(&options).unwrap();
    options.git = sandbox.dir.path().join("bin/git-that-is-not-there");

    let missing = ModernAuthorityCache::new(options.git_command());
    assert_eq!(missing.entries().unwrap_err().code, ErrorCode::GitNotFound);
    let plan = plan(&options).unwrap();
    let codes: Vec<_> = plan.problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["git-not-found"]);
    assert!(plan.changes.is_empty());
    let err = apply(&good_plan, &options).unwrap_err();
    assert_eq!(err.code, ErrorCode::GitNotFound);
    assert_eq!(
        sandbox.global_value(CONTOSO_AUTHORITY).as_deref(),
        Some(AUTHORITY)
    );
}

#[test]
fn a_read_only_git_config_stops_apply_before_any_change() {
    let sandbox = Sandbox::new();
    with_gcm_keys(&sandbox);
    sandbox.write_cache(&contoso_and_fabrikam());
    let cache_before = sandbox.cache_bytes().unwrap();
    let mut permissions = fs::metadata(&sandbox.gitconfig).unwrap().permissions();
    permissions.set_readonly(true);
    fs::set_permissions(&sandbox.gitconfig, permissions).unwrap();

    let options = sandbox.options(&["contoso"]);
    let plan = plan(&options).unwrap();
    assert!(plan
        .problems
        .iter()
        .any(|p| p.code == "gcm-cache-not-writable"));
    let err = apply(&plan, &options).unwrap_err();
    assert_eq!(err.code, ErrorCode::GcmCacheNotWritable);
    assert_eq!(
        sandbox.cache_bytes().unwrap(),
        cache_before,
        "legacy untouched too"
    );
    assert!(sandbox.global_value(CONTOSO_AUTHORITY).is_some());
}

#[test]
fn modern_keys_are_built_only_from_valid_names() {
    assert_eq!(
        modern_cache_key("contoso", AzReposSetting::AzureAuthority),
        "credential.azrepos:org/contoso.azureauthority"
    );
}

/// A `credential.helper` that writes to a file stands in for the OS credential store.
fn with_store_helper(sandbox: &Sandbox) -> std::path::PathBuf {
    let store = sandbox.dir.path().join("credentials");
    let helper = format!("store --file={}", store.display());
    sandbox.git(&["config", "--global", "credential.helper", &helper]);
    store
}

fn approve(sandbox: &Sandbox, host: &str, path: Option<&str>, password: &str) {
    let mut request = format!("protocol=https\nhost={host}\n");
    if let Some(path) = path {
        request.push_str(&format!("path={path}\n"));
    }
    request.push_str(&format!("username=me\npassword={password}\n\n"));
    let (code, out) = sandbox.git_status(&["credential", "approve"], Some(&request));
    assert_eq!(code, 0, "{out}");
}

#[test]
fn the_saved_password_is_forgotten_only_when_asked() {
    let sandbox = Sandbox::new();
    let store = with_store_helper(&sandbox);
    approve(&sandbox, "dev.azure.com", None, "s3cret-pat");
    approve(&sandbox, "github.com", None, "other-secret");

    let mut options = sandbox.options(&["contoso"]);
    let not_asked = plan(&options).unwrap();
    assert!(not_asked.changes.is_empty());
    apply(&not_asked, &options).unwrap();
    assert!(fs::read_to_string(&store).unwrap().contains("s3cret-pat"));

    options.reject_saved_password = true;
    let plan = plan(&options).unwrap();
    let rejects: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::RejectSavedPassword)
        .collect();
    assert_eq!(rejects.len(), 2);
    assert_eq!(
        rejects[0].key.as_deref(),
        Some("https://dev.azure.com/contoso")
    );
    assert!(rejects[0].note.as_deref().unwrap().contains("useHttpPath"));
    let outcome = apply(&plan, &options).unwrap();
    assert_eq!(outcome.requested_count(), 2);
    let stored = fs::read_to_string(&store).unwrap();
    assert!(!stored.contains("s3cret-pat"), "{stored}");
    assert!(stored.contains("other-secret"));
    // Never a secret in what is shown or reported.
    let json = serde_json::to_string(&outcome).unwrap();
    assert!(!json.contains("s3cret") && !outcome.to_string().contains("s3cret"));
    assert!(!serde_json::to_string(&plan).unwrap().contains("s3cret"));

    // Asking again is harmless.
    let again = apply(&plan, &options).unwrap();
    assert_eq!(again.failed_count(), 0);
}

#[test]
fn with_use_http_path_only_the_organizations_password_is_forgotten() {
    let sandbox = Sandbox::new();
    let store = with_store_helper(&sandbox);
    sandbox.git(&[
        "config",
        "--global",
        "credential.https://dev.azure.com.useHttpPath",
        "true",
    ]);
    approve(&sandbox, "dev.azure.com", Some("contoso"), "contoso-pat");
    approve(&sandbox, "dev.azure.com", Some("fabrikam"), "fabrikam-pat");

    let mut options = sandbox.options(&["contoso"]);
    options.reject_saved_password = true;
    let plan = plan(&options).unwrap();
    let note = plan.changes[0].note.as_deref().unwrap();
    assert!(!note.contains("every organization"), "{note}");
    apply(&plan, &options).unwrap();
    let stored = fs::read_to_string(&store).unwrap();
    assert!(!stored.contains("contoso-pat"), "{stored}");
    assert!(stored.contains("fabrikam-pat"), "{stored}");
}
