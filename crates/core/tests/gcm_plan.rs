//! The plan and outcome as the UI, `--json` and the report see them, and the scan.

mod gcm_support;

use ado_connect_core::gcm::{apply, plan, scan, GcmOutcome, GcmPlan};
use ado_connect_core::ErrorCode;
use gcm_support::*;

fn both_caches(sandbox: &Sandbox) {
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
        "credential.azrepos:org/contoso.username",
        "me@contoso.com",
    ]);
}

#[test]
fn the_plan_has_a_camel_case_json_shape_and_round_trips() {
    let sandbox = Sandbox::new();
    both_caches(&sandbox);
    let options = sandbox.options(&["contoso"]);
    let plan = plan(&options).unwrap();
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["orgs"][0], "contoso");
    assert_eq!(json["legacyCache"]["status"], "readable");
    assert_eq!(json["legacyCache"]["entryCount"], 4);
    assert_eq!(json["gitConfig"]["entryCount"], 2);
    assert_eq!(json["changes"][0]["kind"], "remove-legacy-entry");
    assert_eq!(json["changes"][0]["oldValue"], MSA_TENANT);
    assert_eq!(json["changes"][2]["kind"], "unset-git-config");
    assert!(json["createdAt"].is_string());
    assert!(json["problems"].as_array().unwrap().is_empty());
    let back: GcmPlan = serde_json::from_value(json).unwrap();
    assert_eq!(back, plan);

    let outcome = apply(&back, &options).unwrap();
    let json = serde_json::to_value(&outcome).unwrap();
    assert_eq!(json["results"][0]["status"], "done");
    assert_eq!(json["results"][0]["change"]["kind"], "remove-legacy-entry");
    assert_eq!(json["backups"].as_array().unwrap().len(), 2);
    assert!(json["backups"][0]["backup"].is_string());
    let back: GcmOutcome = serde_json::from_value(json).unwrap();
    assert_eq!(back, outcome);
}

#[test]
fn the_text_rendering_says_what_will_change_and_what_changed() {
    let sandbox = Sandbox::new();
    both_caches(&sandbox);
    let options = sandbox.options(&["contoso"]);
    let plan = plan(&options).unwrap();
    let text = plan.to_string();
    assert!(text.contains("cleanup plan for contoso"), "{text}");
    assert!(text.contains("4 entries"), "{text}");
    assert!(text.contains("Changes (3):"), "{text}");
    assert!(
        text.contains("remove \"https://dev.azure.com/contoso/\""),
        "{text}"
    );
    assert!(
        text.contains("unset \"credential.azrepos:org/contoso.azureauthority\""),
        "{text}"
    );

    let outcome = apply(&plan, &options).unwrap();
    let text = outcome.to_string();
    assert!(text.contains("[done]"), "{text}");
    assert!(
        text.contains("3 done, 0 already clean, 0 requested, 0 failed."),
        "{text}"
    );
    assert!(text.contains("Backup of"), "{text}");

    let again = apply(&plan, &options).unwrap().to_string();
    assert!(again.contains("0 done, 3 already clean"), "{again}");
}

#[test]
fn nothing_to_clean_is_said_plainly() {
    let sandbox = Sandbox::new();
    let plan = plan(&sandbox.options(&["contoso"])).unwrap();
    assert!(plan.is_nothing_to_do());
    assert!(plan.to_string().contains("Nothing to clean."));
}

#[test]
fn a_request_without_organizations_is_refused() {
    let sandbox = Sandbox::new();
    let err = plan(&sandbox.options(&[])).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
}

#[test]
fn control_characters_from_files_are_escaped_in_text() {
    let sandbox = Sandbox::new();
    sandbox.git(&[
        "config",
        "--global",
        "credential.azrepos:org/contoso.azureAuthority",
        "https://login.microsoftonline.com/\u{1b}[31mred",
    ]);
    let plan = plan(&sandbox.options(&["contoso"])).unwrap();
    let text = plan.to_string();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("\\u{1b}"), "{text}");
}

#[test]
fn scan_lists_both_caches_and_their_organizations() {
    let sandbox = Sandbox::new();
    both_caches(&sandbox);
    sandbox.git(&[
        "config",
        "--global",
        "credential.azrepos:org/Northwind.azureAuthority",
        AUTHORITY,
    ]);
    let all = scan(&sandbox.options(&[])).unwrap();
    assert_eq!(all.legacy_entries.len(), 4);
    assert_eq!(all.git_entries.len(), 3);
    assert_eq!(all.organizations, ["contoso", "fabrikam", "northwind"]);
    assert!(all.problems.is_empty());
    assert!(all
        .to_string()
        .contains("Organizations: contoso, fabrikam, northwind"));

    let one = scan(&sandbox.options(&["fabrikam"])).unwrap();
    assert_eq!(one.legacy_entries.len(), 2);
    assert!(one.git_entries.is_empty());
    assert_eq!(one.organizations, ["fabrikam"]);
}
