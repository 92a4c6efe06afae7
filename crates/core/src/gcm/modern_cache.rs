//! The modern Git Credential Manager's authority cache and user bindings (reference §4b):
//! `credential.azrepos:org/<org>.azureAuthority` and `credential.azrepos:org/<org>.username` in
//! the global git config, read and changed only through the real `git config`.
//!
//! We list every `credential.azrepos:org/` key with a fixed pattern and filter in Rust, so an
//! organization name never becomes part of a regular expression; names are validated before
//! they reach a key at all.

use super::git::GitCommand;
use super::legacy_cache::not_writable;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

/// `credential.` + `azrepos:org/`: section and subsection prefix as GCM writes them
/// (`AzureDevOpsConstants.UrnScheme`, `UrnOrgPrefix`). Git prints section names lowercased
/// and keeps the subsection as written.
const KEY_PREFIX: &str = "credential.azrepos:org/";
/// The same prefix as a regular expression for `--get-regexp`: constant, no input in it.
const KEY_PATTERN: &str = r"^credential\.azrepos:org/";

/// Which GCM setting a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AzReposSetting {
    /// `azureAuthority`: the cached sign-in authority (tenant) of the organization.
    AzureAuthority,
    /// `username`: the account bound to the organization (`azure-repos bind`).
    Username,
}

impl AzReposSetting {
    /// The variable name as git prints it (lowercase; git variable names ignore case).
    pub fn variable(self) -> &'static str {
        match self {
            AzReposSetting::AzureAuthority => "azureauthority",
            AzReposSetting::Username => "username",
        }
    }

    fn from_variable(variable: &str) -> Option<Self> {
        [AzReposSetting::AzureAuthority, AzReposSetting::Username]
            .into_iter()
            .find(|s| s.variable().eq_ignore_ascii_case(variable))
    }
}

/// One `credential.azrepos:org/<org>.<setting>` value found in a global git config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModernCacheEntry {
    /// The full key, as git printed it.
    pub key: String,
    /// The organization part of the key, as written (it may not be a valid name: the file is
    /// the user's, and we only ever touch keys of organizations that were validated).
    pub org: String,
    pub setting: AzReposSetting,
    /// `None` for a key written without `=`.
    pub value: Option<String>,
    /// The global config file that holds it, as git reported it (`--show-origin`).
    pub file: PathBuf,
}

impl ModernCacheEntry {
    pub fn belongs_to(&self, org: &str) -> bool {
        self.org.eq_ignore_ascii_case(org)
    }
}

/// The key of `setting` for `org`. `org` must have passed
/// [`validate_org_name`](super::validate_org_name).
pub fn modern_cache_key(org: &str, setting: AzReposSetting) -> String {
    format!("{KEY_PREFIX}{org}.{}", setting.variable())
}

/// Splits a key into organization and setting; `None` for anything that is not one of ours.
pub(crate) fn parse_key(key: &str) -> Option<(&str, AzReposSetting)> {
    let rest = key.strip_prefix(KEY_PREFIX)?;
    let (org, variable) = rest.rsplit_once('.')?;
    Some((org, AzReposSetting::from_variable(variable)?))
}

/// The modern authority cache, through one git program.
#[derive(Debug, Clone)]
pub struct ModernAuthorityCache {
    git: GitCommand,
}

impl ModernAuthorityCache {
    pub fn new(git: GitCommand) -> Self {
        ModernAuthorityCache { git }
    }

    /// Every `credential.azrepos:org/*.{azureAuthority,username}` value in global git config.
    pub fn entries(&self) -> Result<Vec<ModernCacheEntry>> {
        // -z: NUL-separated, so a value or path with a line break cannot be misread;
        // --show-origin: the file of each value, which is the file we back up and change.
        let args = [
            "config",
            "--global",
            "--show-origin",
            "-z",
            "--get-regexp",
            KEY_PATTERN,
        ];
        let out = self.git.run(&args, None)?;
        match out.code {
            Some(0) => Ok(parse_listing(&out.stdout)),
            // 1: no key matched. Also what git says when the global file does not exist.
            Some(1) => Ok(Vec::new()),
            _ => Err(self.git.failed("config --global --get-regexp", &out)),
        }
    }

    /// The values of `org`'s keys (any letter case of the name).
    pub fn entries_of(&self, org: &str) -> Result<Vec<ModernCacheEntry>> {
        let mut entries = self.entries()?;
        entries.retain(|e| e.belongs_to(org));
        Ok(entries)
    }

    /// Removes every value of `entry.key` with `git config --global --unset-all` (all values:
    /// `--unset` refuses a key that was set twice). `Ok(false)`: it was already gone.
    ///
    /// `--global` reads and writes one file (`GIT_CONFIG_GLOBAL`, else `~/.gitconfig`, else
    /// `$XDG_CONFIG_HOME/git/config` when only that one exists) without includes: the file GCM
    /// writes the key to at the global level. `entry.file` is that file as git reported it,
    /// for the backup.
    pub fn unset(&self, entry: &ModernCacheEntry) -> Result<bool> {
        let args = ["config", "--global", "--unset-all", entry.key.as_str()];
        let out = self.git.run(&args, None)?;
        match out.code {
            Some(0) => Ok(true),
            // 5: no such key (someone removed it since we listed it).
            Some(5) => Ok(false),
            _ => Err(self.git.failed("config --global --unset-all", &out)),
        }
    }

    pub fn git(&self) -> &GitCommand {
        &self.git
    }
}

/// Parses `git config --show-origin -z --get-regexp` output:
/// `file:<path>\0<key>\n<value>\0`, or `file:<path>\0<key>\0` for a key without a value.
fn parse_listing(stdout: &[u8]) -> Vec<ModernCacheEntry> {
    let mut fields = stdout.split(|b| *b == 0);
    let mut entries = Vec::new();
    while let (Some(origin), Some(item)) = (fields.next(), fields.next()) {
        let Some(path) = origin.strip_prefix(b"file:") else {
            continue; // not a file (command line, blob): nothing we could change
        };
        let item = String::from_utf8_lossy(item);
        let (key, value) = match item.split_once('\n') {
            Some((k, v)) => (k, Some(v.to_owned())),
            None => (item.as_ref(), None),
        };
        if let Some((org, setting)) = parse_key(key) {
            entries.push(ModernCacheEntry {
                key: key.to_owned(),
                org: org.to_owned(),
                setting,
                value,
                file: path_from_git(path),
            });
        }
    }
    entries
}

#[cfg(unix)]
fn path_from_git(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_git(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Refuses a config file we must not change: a link (git would replace the link with a file),
/// or a read-only file.
pub(crate) fn check_config_writable(file: &Path) -> Result<()> {
    match fs::symlink_metadata(file) {
        Ok(m) if m.file_type().is_symlink() => Err(not_writable(
            file,
            "it is a symbolic link, and git would replace the link with a copy",
        )),
        Ok(m) if m.permissions().readonly() => Err(not_writable(file, "the file is read-only")),
        Ok(_) => Ok(()),
        Err(e) => Err(not_writable(file, &e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_gits_nul_separated_listing() {
        let out = b"file:/h/.gitconfig\0credential.azrepos:org/Contoso.azureauthority\nhttps://login.microsoftonline.com/organizations\0\
file:/h/.gitconfig\0credential.azrepos:org/contoso.username\nme@contoso.com\0\
file:/h/.gitconfig\0credential.azrepos:org/x.other\nv\0\
command line:\0credential.azrepos:org/y.username\nv\0\
file:/h/inc\0credential.azrepos:org/noval.azureauthority\0";
        let entries = parse_listing(out);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].org, "Contoso");
        assert_eq!(entries[0].setting, AzReposSetting::AzureAuthority);
        assert!(entries[0].belongs_to("contoso"));
        assert_eq!(entries[1].value.as_deref(), Some("me@contoso.com"));
        assert_eq!(entries[2].value, None);
        assert_eq!(entries[2].file, PathBuf::from("/h/inc"));
    }

    #[test]
    fn keys_round_trip() {
        let key = modern_cache_key("contoso", AzReposSetting::Username);
        assert_eq!(key, "credential.azrepos:org/contoso.username");
        assert_eq!(parse_key(&key), Some(("contoso", AzReposSetting::Username)));
        assert_eq!(
            parse_key("credential.azrepos:org/a.b.azureAuthority"),
            Some(("a.b", AzReposSetting::AzureAuthority))
        );
        assert_eq!(parse_key("credential.azrepos:org/a.helper"), None);
        assert_eq!(parse_key("credential.helper"), None);
    }
}
