//! Replacing a file so that a crash or a full disk leaves either the old file or the new one,
//! never half of each: write a temporary file in the same folder, flush it to disk, rename it
//! over the target, then flush the folder so the rename itself survives a power cut.

use crate::error::{Error, ErrorCode, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// How the temporary file is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TempName {
    /// `.<name>.tmp-<uuid>`: nobody else looks for it.
    Unique,
    /// `<name>.lock`: git's own lock file, so a `git config` running at the same moment waits
    /// for us (or we for it) instead of one silently undoing the other.
    GitLock,
}

/// Writes `bytes` to `target` atomically, keeping the permissions of the file it replaces.
pub(crate) fn replace_file(target: &Path, bytes: &[u8], naming: TempName) -> Result<()> {
    let temp = temp_path(target, naming)?;
    let mut file = match OpenOptions::new().write(true).create_new(true).open(&temp) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::AlreadyExists && naming == TempName::GitLock => {
            return Err(Error::new(
                ErrorCode::GcmCacheNotWritable,
                format!(
                    "{} is locked by another git command ({} exists). Nothing was changed.",
                    target.display(),
                    temp.display()
                ),
                "Wait for the other git command to finish and try again. If no git is running, \
                 delete the .lock file.",
            ));
        }
        Err(e) => return Err(write_failed(target, &e)),
    };
    let written = (|| {
        file.write_all(bytes)?;
        if let Ok(existing) = fs::metadata(target) {
            file.set_permissions(existing.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, target)?;
        sync_parent(target);
        Ok::<(), std::io::Error>(())
    })();
    written.map_err(|e| {
        let _ = fs::remove_file(&temp);
        write_failed(target, &e)
    })
}

/// Removes `target` and flushes its folder.
pub(crate) fn remove_file(target: &Path) -> Result<bool> {
    match fs::remove_file(target) {
        Ok(()) => {
            sync_parent(target);
            Ok(true)
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(write_failed(target, &e)),
    }
}

/// Flushes the folder entry of `path`. Best effort: not every platform can open a folder.
pub(crate) fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn temp_path(target: &Path, naming: TempName) -> Result<PathBuf> {
    let name = target.file_name().ok_or_else(|| {
        Error::invalid_input("file path", format!("{} names no file", target.display()))
    })?;
    let mut temp_name = std::ffi::OsString::new();
    match naming {
        TempName::Unique => {
            temp_name.push(".");
            temp_name.push(name);
            temp_name.push(format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
        }
        TempName::GitLock => {
            temp_name.push(name);
            temp_name.push(".lock");
        }
    }
    Ok(target.with_file_name(temp_name))
}

fn write_failed(target: &Path, e: &std::io::Error) -> Error {
    if e.kind() == ErrorKind::PermissionDenied {
        super::legacy_cache::not_writable(target, &e.to_string())
    } else {
        Error::new(
            ErrorCode::GcmCacheNotWritable,
            format!("{} could not be written: {e}.", target.display()),
            "Check the free disk space and that the folder is writable, then try again.",
        )
    }
}
