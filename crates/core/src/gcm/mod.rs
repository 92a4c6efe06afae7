//! Git Credential Manager caches: after an organization moves to another directory, Git keeps
//! signing in to the old one until GCM forgets the cached tenant (reference §4).
//!
//! - The legacy `tenant.cache` of GCM for Windows ([`LegacyTenantCache`], §4a).
//! - The modern authority cache and user bindings in global git config
//!   ([`ModernAuthorityCache`], §4b).
//! - Optionally, the password git saved for the organization (`git credential reject`).
//!
//! [`plan`] previews every change without making it; [`apply`] backs up each file, then makes
//! the changes, and is idempotent; [`restore`] puts a backup back. Organization names are
//! checked by [`validate_org_name`] before they reach a key, a path or a credential request.

mod apply;
mod atomic_file;
mod backup;
mod git;
mod legacy_cache;
mod modern_cache;
mod org_name;
mod plan;
mod saved_password;
mod scan;

pub use apply::{apply, BackupRecord, ChangeResult, ChangeStatus, GcmOutcome};
pub use backup::{list_backups, restore, BackupInfo, BackupKind, RestoreOutcome};
pub use git::GitCommand;
pub use legacy_cache::{
    organization_of_key, LegacyCacheEntry, LegacyTenantCache, EMPTY_GUID, MAX_COMPRESSED_BYTES,
    MAX_DECOMPRESSED_BYTES,
};
pub use modern_cache::{modern_cache_key, AzReposSetting, ModernAuthorityCache, ModernCacheEntry};
pub use org_name::{validate_org_name, MAX_ORG_NAME_CHARS};
pub use plan::{
    plan, ChangeKind, GcmPlan, GcmProblem, GitConfigReport, LegacyCacheReport, LegacyCacheStatus,
    PlannedChange, ProblemSource,
};
pub use scan::{scan, GcmScan};

use crate::error::{Error, ErrorCode, Result};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

/// What to clean, where, with which git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcmOptions {
    /// The legacy `tenant.cache` (see [`default_legacy_cache_path`]).
    pub legacy_cache_path: PathBuf,
    /// The git program that owns the global config (`gcm.git`).
    pub git: PathBuf,
    /// Extra environment for every git run, on top of this process's. Empty in the app, so
    /// the user's `GIT_CONFIG_GLOBAL` and `HOME` apply; tests set them here.
    pub git_env: BTreeMap<String, OsString>,
    /// The organizations to forget.
    pub orgs: Vec<String>,
    /// Remove the whole legacy file (after a backup) instead of the organizations' entries.
    pub whole_legacy_file: bool,
    /// Also remove `credential.azrepos:org/<org>.username` (only when the user asks).
    pub unbind_username: bool,
    /// Also ask git's credential helpers to forget the saved password (only when the user asks).
    pub reject_saved_password: bool,
}

impl GcmOptions {
    /// Options for `orgs` with the default legacy path and `git` from PATH.
    pub fn new(orgs: Vec<String>) -> Result<Self> {
        Self::from_settings("", "git", orgs)
    }

    /// Options from the `[gcm]` settings: an empty `legacy_cache_path` means the default.
    pub fn from_config(config: &crate::config::GcmConfig, orgs: Vec<String>) -> Result<Self> {
        Self::from_settings(&config.legacy_cache_path, &config.git, orgs)
    }

    fn from_settings(legacy_cache_path: &str, git: &str, orgs: Vec<String>) -> Result<Self> {
        let legacy_cache_path = if legacy_cache_path.trim().is_empty() {
            default_legacy_cache_path().ok_or_else(|| {
                Error::new(
                    ErrorCode::ConfigInvalid,
                    "The legacy tenant cache location cannot be found: neither LOCALAPPDATA, \
                     XDG_DATA_HOME nor HOME is set.",
                    "Set gcm.legacy_cache_path in the settings.",
                )
            })?
        } else {
            PathBuf::from(legacy_cache_path)
        };
        Ok(GcmOptions {
            legacy_cache_path,
            git: PathBuf::from(if git.trim().is_empty() { "git" } else { git }),
            git_env: BTreeMap::new(),
            orgs,
            whole_legacy_file: false,
            unbind_username: false,
            reject_saved_password: false,
        })
    }

    /// The git program with this cleanup's environment.
    pub fn git_command(&self) -> GitCommand {
        GitCommand::new(&self.git).with_env(&self.git_env)
    }
}

/// Where GCM for Windows keeps `tenant.cache`: `%LocalAppData%\GitCredentialManager\tenant.cache`
/// (reference §4a). On other systems, where only a copied profile or a test would have one,
/// the same relative place under `$XDG_DATA_HOME` or `~/.local/share`.
pub fn default_legacy_cache_path() -> Option<PathBuf> {
    legacy_cache_path_from(cfg!(windows), |name| std::env::var_os(name))
}

fn legacy_cache_path_from(
    windows: bool,
    var: impl Fn(&str) -> Option<OsString>,
) -> Option<PathBuf> {
    // Only an absolute directory counts: a relative one would depend on where we were started.
    let absolute = |name: &str| {
        var(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() || (windows && !p.as_os_str().is_empty()))
    };
    let data_dir = if windows {
        absolute("LOCALAPPDATA")
            .or_else(|| absolute("USERPROFILE").map(|home| home.join("AppData").join("Local")))?
    } else {
        absolute("XDG_DATA_HOME")
            .or_else(|| absolute("HOME").map(|home| home.join(".local").join("share")))?
    };
    Some(data_dir.join("GitCredentialManager").join("tenant.cache"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn default_path_follows_gcm_for_windows_and_xdg() {
        let unix = |vars| legacy_cache_path_from(false, env(vars));
        assert_eq!(
            unix(&[("XDG_DATA_HOME", "/x/data"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/x/data/GitCredentialManager/tenant.cache"))
        );
        assert_eq!(
            unix(&[("XDG_DATA_HOME", "relative"), ("HOME", "/home/u")]),
            Some(PathBuf::from(
                "/home/u/.local/share/GitCredentialManager/tenant.cache"
            ))
        );
        assert_eq!(unix(&[]), None);
        let windows =
            legacy_cache_path_from(true, env(&[("LOCALAPPDATA", r"C:\Users\u\AppData\Local")]))
                .unwrap();
        assert!(windows.ends_with("tenant.cache"));
        assert!(windows.to_string_lossy().contains("GitCredentialManager"));
    }

    #[test]
    fn options_from_settings() {
        let o = GcmOptions::from_settings("/tmp/t.cache", "", vec!["contoso".into()]).unwrap();
        assert_eq!(o.legacy_cache_path, PathBuf::from("/tmp/t.cache"));
        assert_eq!(o.git, PathBuf::from("git"));
        assert!(!o.unbind_username && !o.reject_saved_password && !o.whole_legacy_file);
    }
}
