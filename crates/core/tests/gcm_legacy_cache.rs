//! The legacy tenant cache (reference §4a) end to end on real files: every outcome, and the
//! file untouched whenever something is wrong.

mod gcm_support;

use ado_connect_core::gcm::{
    apply, list_backups, plan, restore, ChangeKind, ChangeStatus, GcmOptions, LegacyCacheStatus,
    LegacyTenantCache, MAX_COMPRESSED_BYTES,
};
use ado_connect_core::ErrorCode;
use gcm_support::*;
use std::fs;

/// The sandbox's global git config holds no GCM key, so only the file is in these plans.
fn legacy_only(sandbox: &Sandbox, orgs: &[&str]) -> GcmOptions {
    sandbox.options(orgs)
}

fn problem_codes(plan: &ado_connect_core::gcm::GcmPlan) -> Vec<String> {
    plan.problems.iter().map(|p| p.code.clone()).collect()
}

#[test]
fn a_missing_file_means_nothing_to_do() {
    let sandbox = Sandbox::new();
    let options = legacy_only(&sandbox, &["contoso"]);
    assert_eq!(
        LegacyTenantCache::read(&sandbox.tenant_cache).unwrap(),
        None
    );
    let plan = plan(&options).unwrap();
    assert_eq!(plan.legacy_cache.status, LegacyCacheStatus::Missing);
    assert!(plan.changes.is_empty());
    let outcome = apply(&plan, &options).unwrap();
    assert!(!outcome.changed_anything());
    assert!(!sandbox.tenant_cache.exists(), "no file is created");
}

#[test]
fn an_empty_file_has_no_entries_and_is_left_alone() {
    let sandbox = Sandbox::new();
    sandbox.write_cache(b"");
    let options = legacy_only(&sandbox, &["contoso"]);
    let plan = plan(&options).unwrap();
    assert_eq!(plan.legacy_cache.status, LegacyCacheStatus::EmptyFile);
    assert_eq!(plan.legacy_cache.entry_count, Some(0));
    assert!(plan.changes.is_empty());
    apply(&plan, &options).unwrap();
    assert_eq!(sandbox.cache_bytes().unwrap(), b"");
    assert_eq!(Sandbox::names_in(&sandbox.cache_dir()), ["tenant.cache"]);
}

#[test]
fn removes_only_the_organizations_entries_with_a_backup_first() {
    let sandbox = Sandbox::new();
    let original = contoso_and_fabrikam();
    sandbox.write_cache(&original);
    let options = legacy_only(&sandbox, &["contoso"]);

    let plan = plan(&options).unwrap();
    assert_eq!(plan.legacy_cache.status, LegacyCacheStatus::Readable);
    assert_eq!(plan.legacy_cache.entry_count, Some(4));
    let keys: Vec<_> = plan
        .changes
        .iter()
        .map(|c| c.key.clone().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "https://dev.azure.com/contoso/",
            "https://Contoso.VisualStudio.com/"
        ]
    );
    assert!(plan
        .changes
        .iter()
        .all(|c| c.kind == ChangeKind::RemoveLegacyEntry));
    assert_eq!(plan.changes[0].old_value.as_deref(), Some(MSA_TENANT));
    assert_eq!(plan.changes[1].old_value.as_deref(), Some(CONTOSO_TENANT));
    assert_eq!(
        sandbox.cache_bytes().unwrap(),
        original,
        "planning changes nothing"
    );

    let outcome = apply(&plan, &options).unwrap();
    assert_eq!(outcome.done_count(), 2);
    assert_eq!(outcome.backups.len(), 1);
    let backup = &outcome.backups[0].backup;
    let backup_name = backup.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        backup_name.starts_with("tenant.cache.bak-") && backup_name.len() >= 33,
        "{backup_name}"
    );
    assert_eq!(
        fs::read(backup).unwrap(),
        original,
        "the backup is the old file"
    );

    let cleaned = LegacyTenantCache::read(&sandbox.tenant_cache)
        .unwrap()
        .unwrap();
    let left: Vec<_> = cleaned.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        left,
        [
            "https://fabrikam.visualstudio.com/",
            "https://dev.azure.com/fabrikam/"
        ]
    );
    // No temporary file is left behind.
    assert_eq!(Sandbox::names_in(&sandbox.cache_dir()).len(), 2);
}

#[test]
fn applying_the_same_plan_twice_changes_nothing_the_second_time() {
    let sandbox = Sandbox::new();
    sandbox.write_cache(&contoso_and_fabrikam());
    let options = legacy_only(&sandbox, &["contoso"]);
    let plan = plan(&options).unwrap();
    apply(&plan, &options).unwrap();
    let after_first = sandbox.cache_bytes().unwrap();
    let files_after_first = Sandbox::names_in(&sandbox.cache_dir());

    let second = apply(&plan, &options).unwrap();
    assert_eq!(second.already_clean_count(), 2);
    assert_eq!(second.done_count(), 0);
    assert!(second.backups.is_empty(), "no change, no backup");
    assert_eq!(sandbox.cache_bytes().unwrap(), after_first);
    assert_eq!(Sandbox::names_in(&sandbox.cache_dir()), files_after_first);
}

#[test]
fn the_whole_file_can_be_removed_after_a_backup() {
    let sandbox = Sandbox::new();
    let original = contoso_and_fabrikam();
    sandbox.write_cache(&original);
    let mut options = legacy_only(&sandbox, &[]);
    options.whole_legacy_file = true;
    let plan = plan(&options).unwrap();
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].kind, ChangeKind::RemoveLegacyFile);
    assert!(plan.changes[0]
        .note
        .as_deref()
        .unwrap()
        .contains("contoso, fabrikam"));

    let outcome = apply(&plan, &options).unwrap();
    assert_eq!(outcome.done_count(), 1);
    assert!(!sandbox.tenant_cache.exists());
    assert_eq!(fs::read(&outcome.backups[0].backup).unwrap(), original);

    let again = apply(&plan, &options).unwrap();
    assert_eq!(again.results[0].status, ChangeStatus::AlreadyClean);
}

#[test]
fn backup_and_restore_round_trip() {
    let sandbox = Sandbox::new();
    let original = contoso_and_fabrikam();
    sandbox.write_cache(&original);
    let options = legacy_only(&sandbox, &["contoso"]);
    let outcome = apply(&plan(&options).unwrap(), &options).unwrap();
    let cleaned = sandbox.cache_bytes().unwrap();

    let restored = restore(&outcome.backups[0].backup).unwrap();
    assert!(restored.changed);
    assert_eq!(restored.restored, sandbox.tenant_cache);
    assert_eq!(sandbox.cache_bytes().unwrap(), original);
    // The restore saved what it replaced, so it can itself be undone.
    let saved = restored.backup_of_replaced.clone().unwrap();
    assert_eq!(fs::read(&saved).unwrap(), cleaned);
    assert!(restored.to_string().contains("Restored"));

    let backups = list_backups(&sandbox.tenant_cache).unwrap();
    assert_eq!(backups.len(), 2);
    assert!(backups.iter().any(|b| b.path == saved));

    // Restoring a file that already matches changes nothing.
    let again = restore(&outcome.backups[0].backup).unwrap();
    assert!(!again.changed);
    assert_eq!(list_backups(&sandbox.tenant_cache).unwrap().len(), 2);
}

#[test]
fn a_restore_puts_back_a_file_that_was_removed() {
    let sandbox = Sandbox::new();
    let original = contoso_and_fabrikam();
    sandbox.write_cache(&original);
    let mut options = legacy_only(&sandbox, &[]);
    options.whole_legacy_file = true;
    let outcome = apply(&plan(&options).unwrap(), &options).unwrap();
    let restored = restore(&outcome.backups[0].backup).unwrap();
    assert_eq!(restored.backup_of_replaced, None);
    assert_eq!(sandbox.cache_bytes().unwrap(), original);
}

#[test]
fn restore_refuses_what_is_not_a_backup() {
    let sandbox = Sandbox::new();
    let missing = sandbox
        .cache_dir()
        .join("tenant.cache.bak-20250101T000000Z");
    assert_eq!(
        restore(&missing).unwrap_err().code,
        ErrorCode::BackupNotFound
    );
    let oddly_named = sandbox.cache_dir().join("tenant.cache.old");
    fs::write(&oddly_named, b"x").unwrap();
    assert_eq!(
        restore(&oddly_named).unwrap_err().code,
        ErrorCode::InvalidInput
    );
}

/// Every damaged file: a clear code in the plan, no change planned, and the file untouched.
#[test]
fn damaged_files_are_reported_and_left_untouched() {
    let mut truncated = contoso_and_fabrikam();
    truncated.truncate(truncated.len() - 6);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not gzip",
            b"this is not gzip".to_vec(),
            "gcm-cache-corrupt",
        ),
        ("truncated gzip", truncated, "gcm-cache-corrupt"),
        (
            "bad UTF-8",
            gzip(b"https://dev.azure.com/\xff/=x\0"),
            "gcm-cache-corrupt",
        ),
        (
            "record without =",
            gzip(b"https://dev.azure.com/contoso/\0"),
            "gcm-cache-corrupt",
        ),
        (
            "value not a GUID",
            tenant_cache_bytes(&[("https://dev.azure.com/contoso/", "contoso")]),
            "gcm-cache-corrupt",
        ),
        (
            "oversized file",
            vec![0x1f; MAX_COMPRESSED_BYTES as usize + 1],
            "gcm-cache-too-large",
        ),
        (
            "gzip bomb",
            gzip(&vec![b'a'; 5 * 1024 * 1024]),
            "gcm-cache-too-large",
        ),
    ];
    for (what, bytes, code) in cases {
        let sandbox = Sandbox::new();
        sandbox.write_cache(&bytes);
        let options = legacy_only(&sandbox, &["contoso"]);
        let err = LegacyTenantCache::read(&sandbox.tenant_cache).unwrap_err();
        assert_eq!(err.code.as_str(), code, "{what}: {}", err.message);
        assert!(
            err.message.contains("tenant.cache"),
            "{what}: names the file"
        );

        let plan = plan(&options).unwrap();
        assert_eq!(
            plan.legacy_cache.status,
            LegacyCacheStatus::Unusable,
            "{what}"
        );
        assert!(problem_codes(&plan).contains(&code.to_owned()), "{what}");
        assert!(plan.changes.is_empty(), "{what}");
        apply(&plan, &options).unwrap();
        assert_eq!(sandbox.cache_bytes().unwrap(), bytes, "{what}: untouched");
        assert_eq!(Sandbox::names_in(&sandbox.cache_dir()), ["tenant.cache"]);
    }
}

#[test]
fn a_damaged_file_can_still_be_removed_whole_with_a_backup() {
    let sandbox = Sandbox::new();
    let damaged = b"\x1f\x8b garbage".to_vec();
    sandbox.write_cache(&damaged);
    let mut options = legacy_only(&sandbox, &[]);
    options.whole_legacy_file = true;
    let plan = plan(&options).unwrap();
    assert!(plan.problems.is_empty());
    assert_eq!(plan.changes[0].kind, ChangeKind::RemoveLegacyFile);
    assert!(plan.changes[0]
        .note
        .as_deref()
        .unwrap()
        .contains("gcm-cache-corrupt"));
    let outcome = apply(&plan, &options).unwrap();
    assert!(!sandbox.tenant_cache.exists());
    assert_eq!(fs::read(&outcome.backups[0].backup).unwrap(), damaged);
}

#[test]
fn a_path_that_cannot_be_read_is_reported() {
    let sandbox = Sandbox::new();
    fs::create_dir(&sandbox.tenant_cache).unwrap();
    let err = LegacyTenantCache::read(&sandbox.tenant_cache).unwrap_err();
    assert_eq!(err.code, ErrorCode::GcmCacheUnreadable);
    let mut options = legacy_only(&sandbox, &["contoso"]);
    options.whole_legacy_file = true;
    let plan = plan(&options).unwrap();
    assert_eq!(problem_codes(&plan), ["gcm-cache-unreadable"]);
    assert!(plan.changes.is_empty());
    assert!(sandbox.tenant_cache.is_dir());
}

#[cfg(unix)]
#[test]
fn a_file_without_read_permission_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    if permissions_are_bypassed(sandbox.dir.path()) {
        eprintln!("skipped: running with privileges that ignore file permissions");
        return;
    }
    sandbox.write_cache(&contoso_and_fabrikam());
    fs::set_permissions(&sandbox.tenant_cache, fs::Permissions::from_mode(0o000)).unwrap();
    let err = LegacyTenantCache::read(&sandbox.tenant_cache).unwrap_err();
    assert_eq!(err.code, ErrorCode::GcmCacheUnreadable);
    fs::set_permissions(&sandbox.tenant_cache, fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn a_read_only_file_stops_apply_before_any_change() {
    let sandbox = Sandbox::new();
    let original = contoso_and_fabrikam();
    sandbox.write_cache(&original);
    // A git config change in the same plan must not happen either.
    sandbox.git(&[
        "config",
        "--global",
        "credential.azrepos:org/contoso.azureAuthority",
        AUTHORITY,
    ]);
    let gitconfig_before = fs::read(&sandbox.gitconfig).unwrap();
    let mut permissions = fs::metadata(&sandbox.tenant_cache).unwrap().permissions();
    permissions.set_readonly(true);
    fs::set_permissions(&sandbox.tenant_cache, permissions).unwrap();

    let options = sandbox.options(&["contoso"]);
    let plan = plan(&options).unwrap();
    assert!(problem_codes(&plan).contains(&"gcm-cache-not-writable".to_owned()));
    assert_eq!(
        plan.changes.len(),
        3,
        "the plan still shows what would change"
    );
    let err = apply(&plan, &options).unwrap_err();
    assert_eq!(err.code, ErrorCode::GcmCacheNotWritable);
    assert!(err.message.contains("Nothing was changed"));
    assert_eq!(sandbox.cache_bytes().unwrap(), original);
    assert_eq!(fs::read(&sandbox.gitconfig).unwrap(), gitconfig_before);
    assert_eq!(Sandbox::names_in(&sandbox.cache_dir()), ["tenant.cache"]);
    let home_files = Sandbox::names_in(&sandbox.home);
    assert!(
        !home_files.iter().any(|n| n.contains(".bak-")),
        "{home_files:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_refused() {
    let sandbox = Sandbox::new();
    let real = sandbox.dir.path().join("elsewhere.cache");
    let original = contoso_and_fabrikam();
    fs::write(&real, &original).unwrap();
    std::os::unix::fs::symlink(&real, &sandbox.tenant_cache).unwrap();

    let err = LegacyTenantCache::read(&sandbox.tenant_cache).unwrap_err();
    assert_eq!(err.code, ErrorCode::GcmCacheSymlink);
    let mut options = legacy_only(&sandbox, &["contoso"]);
    let plan_now = plan(&options).unwrap();
    assert_eq!(problem_codes(&plan_now), ["gcm-cache-symlink"]);
    assert!(plan_now.changes.is_empty());

    // A link swapped in after the plan was made is refused by apply too.
    fs::remove_file(&sandbox.tenant_cache).unwrap();
    fs::write(&sandbox.tenant_cache, &original).unwrap();
    let plan_before_swap = plan(&options).unwrap();
    assert_eq!(plan_before_swap.changes.len(), 2);
    fs::remove_file(&sandbox.tenant_cache).unwrap();
    std::os::unix::fs::symlink(&real, &sandbox.tenant_cache).unwrap();
    let err = apply(&plan_before_swap, &options).unwrap_err();
    assert_eq!(err.code, ErrorCode::GcmCacheSymlink);
    assert_eq!(fs::read(&real).unwrap(), original);

    options.whole_legacy_file = true;
    let plan_whole = plan(&options).unwrap();
    assert!(plan_whole.changes.is_empty());
    assert!(fs::symlink_metadata(&sandbox.tenant_cache)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[cfg(unix)]
#[test]
fn a_rewrite_keeps_the_files_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    sandbox.write_cache(&contoso_and_fabrikam());
    fs::set_permissions(&sandbox.tenant_cache, fs::Permissions::from_mode(0o640)).unwrap();
    let options = legacy_only(&sandbox, &["contoso"]);
    let outcome = apply(&plan(&options).unwrap(), &options).unwrap();
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&sandbox.tenant_cache), 0o640);
    assert_eq!(mode(&outcome.backups[0].backup), 0o640);
}

#[test]
fn a_plan_for_another_file_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.write_cache(&contoso_and_fabrikam());
    let options = legacy_only(&sandbox, &["contoso"]);
    let plan = plan(&options).unwrap();
    let mut elsewhere = options.clone();
    elsewhere.legacy_cache_path = sandbox.dir.path().join("other/tenant.cache");
    assert_eq!(
        apply(&plan, &elsewhere).unwrap_err().code,
        ErrorCode::InvalidInput
    );
}

#[test]
fn a_ten_thousand_entry_cache_is_planned_quickly() {
    let sandbox = Sandbox::new();
    let keys: Vec<String> = (0..10_000)
        .map(|i| format!("https://dev.azure.com/org{i}/"))
        .collect();
    let records: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), CONTOSO_TENANT)).collect();
    sandbox.write_cache(&tenant_cache_bytes(&records));
    let options = legacy_only(&sandbox, &["org42", "org9999"]);
    let started = std::time::Instant::now();
    let plan = plan(&options).unwrap();
    assert_eq!(plan.legacy_cache.entry_count, Some(10_000));
    assert_eq!(plan.changes.len(), 2);
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    let outcome = apply(&plan, &options).unwrap();
    assert_eq!(outcome.done_count(), 2);
    let left = LegacyTenantCache::read(&sandbox.tenant_cache)
        .unwrap()
        .unwrap();
    assert_eq!(left.len(), 9_998);
}
