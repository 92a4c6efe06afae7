//! Backups beside the file they save (`tenant.cache.bak-20250101T120000Z`,
//! `.gitconfig.bak-20250101T120000Z`), made before every change, and putting one back.

use super::atomic_file::{self, TempName};
use super::legacy_cache::not_writable;
use crate::error::{Error, ErrorCode, Result};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};

const BACKUP_INFIX: &str = ".bak-";
const TIMESTAMP_FORMAT: &str = "%Y%m%dT%H%M%SZ";
/// A git config or tenant cache larger than this is not something we restore blindly.
const MAX_RESTORE_BYTES: u64 = 64 * 1024 * 1024;
/// How many backups may share one second before we give up finding a free name.
const MAX_SAME_SECOND: u32 = 1000;

/// What a backup holds, told by the name of the file it saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackupKind {
    LegacyTenantCache,
    GitConfig,
}

impl BackupKind {
    fn of_target(target: &Path) -> BackupKind {
        let is_tenant_cache = target
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.eq_ignore_ascii_case("tenant.cache"));
        if is_tenant_cache {
            BackupKind::LegacyTenantCache
        } else {
            BackupKind::GitConfig
        }
    }

    /// A git config is replaced under git's own lock, so a concurrent `git config` waits.
    fn temp_name(self) -> TempName {
        match self {
            BackupKind::LegacyTenantCache => TempName::Unique,
            BackupKind::GitConfig => TempName::GitLock,
        }
    }
}

/// One backup file found beside its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    pub path: PathBuf,
    /// The file it saves, which [`restore`] puts it back to.
    pub target: PathBuf,
    pub kind: BackupKind,
    pub created_at: DateTime<Utc>,
}

/// What [`restore`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreOutcome {
    pub from: PathBuf,
    pub restored: PathBuf,
    pub kind: BackupKind,
    /// False when the file already held exactly the backup's contents.
    pub changed: bool,
    /// The backup of the file that was replaced, so a restore can itself be undone.
    pub backup_of_replaced: Option<PathBuf>,
}

impl fmt::Display for RestoreOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.changed {
            return writeln!(
                f,
                "{} already matches {}; nothing was changed.",
                self.restored.display(),
                self.from.display()
            );
        }
        writeln!(
            f,
            "Restored {} from {}.",
            self.restored.display(),
            self.from.display()
        )?;
        if let Some(previous) = &self.backup_of_replaced {
            writeln!(
                f,
                "The file it replaced was saved as {}.",
                previous.display()
            )?;
        }
        Ok(())
    }
}

/// Saves `bytes` (the current contents of `target`) as a new timestamped backup beside it.
pub(crate) fn save_backup(target: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let (path, mut file) = create_backup_file(target)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    finish_backup(target, path, file, written)
}

/// Copies `target` to a new timestamped backup beside it, for a file too large or too
/// damaged to be read whole (the removal of a whole tenant cache).
pub(crate) fn copy_to_backup(target: &Path) -> Result<PathBuf> {
    let mut source = File::open(target).map_err(|e| backup_failed(target, &e))?;
    let (path, mut file) = create_backup_file(target)?;
    let written = io::copy(&mut source, &mut file)
        .and_then(|_| file.sync_all())
        .map(drop);
    finish_backup(target, path, file, written)
}

fn create_backup_file(target: &Path) -> Result<(PathBuf, File)> {
    let stamp = Utc::now().format(TIMESTAMP_FORMAT).to_string();
    let name = target
        .file_name()
        .ok_or_else(|| Error::invalid_input("file path", "it names no file"))?;
    for attempt in 1..=MAX_SAME_SECOND {
        let mut backup_name = name.to_owned();
        backup_name.push(BACKUP_INFIX);
        backup_name.push(&stamp);
        if attempt > 1 {
            backup_name.push(format!("-{attempt}"));
        }
        let path = target.with_file_name(backup_name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) if e.kind() == ErrorKind::PermissionDenied => {
                return Err(not_writable(
                    target,
                    &format!("its backup could not be created ({e})"),
                ))
            }
            Err(e) => return Err(backup_failed(target, &e)),
        }
    }
    Err(backup_failed(
        target,
        &io::Error::other("too many backups within one second"),
    ))
}

fn finish_backup(
    target: &Path,
    path: PathBuf,
    file: File,
    written: io::Result<()>,
) -> Result<PathBuf> {
    let kept = written.and_then(|()| {
        // The backup may hold a username; keep it as private as the file it saves.
        let permissions = fs::metadata(target)?.permissions();
        file.set_permissions(permissions)
    });
    drop(file);
    match kept {
        Ok(()) => {
            atomic_file::sync_parent(&path);
            Ok(path)
        }
        Err(e) => {
            let _ = fs::remove_file(&path);
            Err(backup_failed(target, &e))
        }
    }
}

fn backup_failed(target: &Path, e: &io::Error) -> Error {
    Error::new(
        ErrorCode::BackupFailed,
        format!(
            "The backup of {} could not be made: {e}. Nothing was changed.",
            target.display()
        ),
        "Check the free disk space and that the folder is writable, then try again.",
    )
}

/// The backups of `target` beside it, newest first.
pub fn list_backups(target: &Path) -> Result<Vec<BackupInfo>> {
    let Some(name) = target.file_name().and_then(|n| n.to_str()) else {
        return Ok(Vec::new());
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let listing = match fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::new(
                ErrorCode::BackupNotFound,
                format!("The folder {} cannot be listed: {e}.", dir.display()),
                "Check that the folder exists and can be read.",
            ))
        }
    };
    let mut found: Vec<BackupInfo> = listing
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let file_name = entry.file_name();
            let (target_name, created_at) = parse_backup_name(file_name.to_str()?)?;
            (target_name == name).then(|| BackupInfo {
                path: entry.path(),
                target: target.to_owned(),
                kind: BackupKind::of_target(target),
                created_at,
            })
        })
        .collect();
    found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.path.cmp(&a.path)));
    Ok(found)
}

/// `NAME.bak-YYYYMMDDTHHMMSSZ` or `NAME.bak-YYYYMMDDTHHMMSSZ-N` -> (`NAME`, time).
fn parse_backup_name(file_name: &str) -> Option<(&str, DateTime<Utc>)> {
    let at = file_name.rfind(BACKUP_INFIX)?;
    let (target_name, suffix) = (&file_name[..at], &file_name[at + BACKUP_INFIX.len()..]);
    let stamp = match suffix.split_once('-') {
        Some((stamp, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => stamp,
        Some(_) => return None,
        None => suffix,
    };
    let time = NaiveDateTime::parse_from_str(stamp, TIMESTAMP_FORMAT).ok()?;
    (!target_name.is_empty()).then(|| (target_name, time.and_utc()))
}

/// Puts a backup made by ADO Connect back in place of the file it saved (a legacy tenant cache
/// or a global git config), after backing up the file it replaces.
pub fn restore(backup: &Path) -> Result<RestoreOutcome> {
    let metadata = match fs::symlink_metadata(backup) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(Error::new(
                ErrorCode::BackupNotFound,
                format!("The backup {} does not exist.", backup.display()),
                "Check the path: backups sit beside the file they save, named NAME.bak-TIME.",
            ))
        }
        Err(e) => return Err(unreadable_backup(backup, &e.to_string())),
    };
    if metadata.file_type().is_symlink() {
        return Err(super::legacy_cache::symlink(backup));
    }
    if !metadata.is_file() {
        return Err(unreadable_backup(backup, "it is not a regular file"));
    }
    let target_name = backup
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(parse_backup_name)
        .map(|(name, _)| name.to_owned())
        .ok_or_else(|| {
            Error::invalid_input(
                "backup file name",
                format!(
                    "{} is not named like an ADO Connect backup (NAME.bak-YYYYMMDDTHHMMSSZ)",
                    backup.display()
                ),
            )
        })?;
    let target = backup.with_file_name(target_name);
    let kind = BackupKind::of_target(&target);
    if metadata.len() > MAX_RESTORE_BYTES {
        return Err(unreadable_backup(backup, "it is larger than 64 MiB"));
    }
    let saved = fs::read(backup).map_err(|e| unreadable_backup(backup, &e.to_string()))?;

    let current = match fs::symlink_metadata(&target) {
        Ok(m) if m.file_type().is_symlink() => return Err(super::legacy_cache::symlink(&target)),
        Ok(m) if !m.is_file() => {
            return Err(not_writable(&target, "it is not a regular file"));
        }
        Ok(m) if m.permissions().readonly() => {
            return Err(not_writable(&target, "the file is read-only"));
        }
        Ok(m) if m.len() > MAX_RESTORE_BYTES => {
            return Err(not_writable(&target, "it is larger than 64 MiB"));
        }
        Ok(_) => Some(fs::read(&target).map_err(|e| not_writable(&target, &e.to_string()))?),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(not_writable(&target, &e.to_string())),
    };
    if current.as_deref() == Some(saved.as_slice()) {
        return Ok(RestoreOutcome {
            from: backup.to_owned(),
            restored: target,
            kind,
            changed: false,
            backup_of_replaced: None,
        });
    }
    let backup_of_replaced = match &current {
        Some(bytes) => Some(save_backup(&target, bytes)?),
        None => None,
    };
    atomic_file::replace_file(&target, &saved, kind.temp_name())?;
    tracing::info!(
        backup = %backup.display(),
        target = %target.display(),
        "restored a Git Credential Manager cache backup"
    );
    Ok(RestoreOutcome {
        from: backup.to_owned(),
        restored: target,
        kind,
        changed: true,
        backup_of_replaced,
    })
}

fn unreadable_backup(backup: &Path, why: &str) -> Error {
    Error::new(
        ErrorCode::BackupNotFound,
        format!("The backup {} cannot be read: {why}.", backup.display()),
        "Check that the backup file exists and belongs to you.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_names_round_trip() {
        let (name, time) = parse_backup_name("tenant.cache.bak-20250102T030405Z").unwrap();
        assert_eq!(name, "tenant.cache");
        assert_eq!(time.to_rfc3339(), "2025-01-02T03:04:05+00:00");
        let (name, _) = parse_backup_name(".gitconfig.bak-20250102T030405Z-7").unwrap();
        assert_eq!(name, ".gitconfig");
        for bad in [
            "tenant.cache",
            "tenant.cache.bak-",
            "tenant.cache.bak-2025",
            ".bak-20250102T030405Z",
            "tenant.cache.bak-20250102T030405Z-",
            "tenant.cache.bak-20250102T030405Z-x",
        ] {
            assert!(parse_backup_name(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_backup_of_a_git_config_is_replaced_under_gits_lock() {
        assert_eq!(
            BackupKind::of_target(Path::new("/h/.gitconfig")).temp_name(),
            TempName::GitLock
        );
        assert_eq!(
            BackupKind::of_target(Path::new("/h/tenant.cache")),
            BackupKind::LegacyTenantCache
        );
    }

    #[test]
    fn reading_a_missing_backup_says_so() {
        let err = restore(Path::new("/nonexistent/tenant.cache.bak-20250102T030405Z")).unwrap_err();
        assert_eq!(err.code, ErrorCode::BackupNotFound);
    }
}
