//! The legacy tenant cache of Git Credential Manager for Windows (reference §4a).
//!
//! `tenant.cache` is a gzip stream of UTF-8 text (no BOM) holding `key=value\0` records: the key
//! is a URL (`https://dev.azure.com/{org}/` or `https://{org}.visualstudio.com/`), the value the
//! tenant GUID in lowercase `D` format, the empty GUID meaning a personal Microsoft account.
//! GCM for Windows reads the cached tenant without probing again, which is why the cache must
//! forget an organization after it moves to another directory.
//!
//! [`LegacyTenantCache::parse`] is a pure function over the file's bytes, with size limits so a
//! gzip bomb cannot exhaust memory. It is stricter than GCM for Windows (which skips what it
//! cannot read, and loops forever on a record without `=`): anything it does not fully
//! understand is reported, and a file we do not understand is never rewritten.

use crate::error::{Error, ErrorCode, Result};
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

/// The largest `tenant.cache` read. A real one holds a few hundred bytes per organization.
pub const MAX_COMPRESSED_BYTES: u64 = 1024 * 1024;
/// The most text the gzip stream may expand to (the bound on a gzip bomb).
pub const MAX_DECOMPRESSED_BYTES: u64 = 4 * 1024 * 1024;

/// The tenant of a personal-Microsoft-account-backed organization (reference §4a).
pub const EMPTY_GUID: &str = "00000000-0000-0000-0000-000000000000";

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One `key=value` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyCacheEntry {
    /// The URL GCM for Windows probed, e.g. `https://dev.azure.com/contoso/`.
    pub key: String,
    /// The tenant GUID as written in the file.
    pub tenant_id: String,
}

impl LegacyCacheEntry {
    pub fn new(key: impl Into<String>, tenant_id: impl Into<String>) -> Self {
        LegacyCacheEntry {
            key: key.into(),
            tenant_id: tenant_id.into(),
        }
    }

    /// The organization the key belongs to, if it is an Azure DevOps URL.
    pub fn organization(&self) -> Option<&str> {
        organization_of_key(&self.key)
    }

    /// True when this entry is for `org` (Azure DevOps names are case-insensitive, and GCM for
    /// Windows compares keys ignoring case).
    pub fn belongs_to(&self, org: &str) -> bool {
        self.organization()
            .is_some_and(|found| found.eq_ignore_ascii_case(org))
    }

    /// The empty GUID: the organization was backed by a personal Microsoft account.
    pub fn is_personal_account(&self) -> bool {
        self.tenant_id == EMPTY_GUID
    }
}

/// The organization in a tenant cache key: the first path segment on `dev.azure.com`, the
/// first host label on `*.visualstudio.com` (GCM for Windows' `Authority.GetTargetUrl`).
pub fn organization_of_key(key: &str) -> Option<&str> {
    let rest = strip_prefix_ignore_case(key, "https://")
        .or_else(|| strip_prefix_ignore_case(key, "http://"))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => host_port,
    };
    let org = if host.eq_ignore_ascii_case("dev.azure.com") {
        path.split('/').next().unwrap_or("")
    } else {
        let suffix = ".visualstudio.com";
        let split = host.len().checked_sub(suffix.len())?;
        if !host.is_char_boundary(split) || !host[split..].eq_ignore_ascii_case(suffix) {
            return None;
        }
        &host[..split]
    };
    (!org.is_empty() && !org.contains('.')).then_some(org)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The parsed contents of a `tenant.cache`, records in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegacyTenantCache {
    entries: Vec<LegacyCacheEntry>,
}

impl LegacyTenantCache {
    /// A cache holding `entries`, each checked so that [`serialize`](Self::serialize) writes a
    /// file that GCM for Windows and [`parse`](Self::parse) read back identically.
    pub fn from_entries(entries: Vec<LegacyCacheEntry>) -> Result<Self> {
        for (index, entry) in entries.iter().enumerate() {
            check_entry(index + 1, &entry.key, &entry.tenant_id)?;
        }
        Ok(LegacyTenantCache { entries })
    }

    /// Parses the bytes of a `tenant.cache` file. Zero bytes is an empty cache (GCM for Windows
    /// creates the file empty when it first looks for it).
    pub fn parse(compressed: &[u8]) -> Result<Self> {
        if compressed.len() as u64 > MAX_COMPRESSED_BYTES {
            return Err(too_large(format!(
                "it is {} bytes, more than the {MAX_COMPRESSED_BYTES} bytes a tenant cache can reasonably hold",
                compressed.len()
            )));
        }
        if compressed.is_empty() {
            return Ok(LegacyTenantCache::default());
        }
        let mut text = Vec::new();
        // `take` bounds the inflated size: a small file that inflates to gigabytes stops here.
        MultiGzDecoder::new(compressed)
            .take(MAX_DECOMPRESSED_BYTES + 1)
            .read_to_end(&mut text)
            .map_err(|e| corrupt(format!("it is not a valid gzip stream ({e})")))?;
        if text.len() as u64 > MAX_DECOMPRESSED_BYTES {
            return Err(too_large(format!(
                "it expands to more than {MAX_DECOMPRESSED_BYTES} bytes"
            )));
        }
        // GCM for Windows writes no BOM, but its reader would skip one; so do we.
        let text = text.strip_prefix(UTF8_BOM).unwrap_or(&text);
        let text = std::str::from_utf8(text).map_err(|e| {
            corrupt(format!(
                "its text is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            ))
        })?;
        Self::parse_records(text)
    }

    fn parse_records(text: &str) -> Result<Self> {
        let mut entries = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let number = entries.len() + 1;
            let Some((record, after)) = rest.split_once('\0') else {
                return Err(corrupt(format!(
                    "record {number} is cut short (it has no NUL terminator)"
                )));
            };
            let Some((key, value)) = record.split_once('=') else {
                return Err(corrupt(format!(
                    "record {number} has no '=' between the address and the tenant"
                )));
            };
            check_entry(number, key, value)?;
            entries.push(LegacyCacheEntry::new(key, value));
            rest = after;
        }
        Ok(LegacyTenantCache { entries })
    }

    /// The file bytes: gzip of `key=value\0` records, UTF-8 without BOM (reference §4a).
    pub fn serialize(&self) -> Vec<u8> {
        let mut text = String::new();
        for entry in &self.entries {
            text.push_str(&entry.key);
            text.push('=');
            text.push_str(&entry.tenant_id);
            text.push('\0');
        }
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        // Writing into a Vec cannot fail.
        encoder
            .write_all(text.as_bytes())
            .expect("gzip into memory");
        encoder.finish().expect("gzip into memory")
    }

    pub fn entries(&self) -> &[LegacyCacheEntry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries of one organization, on both of its hosts.
    pub fn entries_of<'a>(&'a self, org: &'a str) -> impl Iterator<Item = &'a LegacyCacheEntry> {
        self.entries.iter().filter(move |e| e.belongs_to(org))
    }

    /// Removes every record whose key equals `key` ignoring case (GCM for Windows keys its
    /// dictionary with `OrdinalIgnoreCase`) and returns the removed records.
    pub fn remove_key(&mut self, key: &str) -> Vec<LegacyCacheEntry> {
        let (removed, kept) = std::mem::take(&mut self.entries)
            .into_iter()
            .partition(|e| e.key.eq_ignore_ascii_case(key));
        self.entries = kept;
        removed
    }

    /// The organizations named in the cache, lowercased, sorted, once each.
    pub fn organizations(&self) -> Vec<String> {
        let mut orgs: Vec<String> = self
            .entries
            .iter()
            .filter_map(|e| e.organization().map(str::to_ascii_lowercase))
            .collect();
        orgs.sort();
        orgs.dedup();
        orgs
    }

    /// Reads and parses the file at `path`. `Ok(None)`: there is no file (nothing to clean).
    pub fn read(path: &Path) -> Result<Option<Self>> {
        match LegacyCacheFile::open(path)? {
            None => Ok(None),
            Some(file) => file.contents.map(|(_, cache)| Some(cache)),
        }
    }
}

/// A record as GCM for Windows writes it: a non-empty key without `=` or NUL, and a GUID.
fn check_entry(number: usize, key: &str, tenant_id: &str) -> Result<()> {
    if key.is_empty() {
        return Err(corrupt(format!("record {number} has an empty address")));
    }
    // A leading BOM would be taken for the file's own BOM and dropped on the next read.
    if key.starts_with('\u{feff}') {
        return Err(corrupt(format!(
            "record {number} has an address that starts with a byte order mark"
        )));
    }
    if key.contains(['=', '\0']) {
        return Err(corrupt(format!(
            "record {number} has '=' or NUL inside its address"
        )));
    }
    if !is_guid(tenant_id) {
        return Err(corrupt(format!(
            "record {number} ({}) has a tenant that is not a GUID",
            super::org_name::quoted(key)
        )));
    }
    Ok(())
}

/// The `D` format GCM for Windows writes (`Guid.ToString()`), any letter case.
fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn corrupt(why: String) -> Error {
    Error::new(
        ErrorCode::GcmCacheCorrupt,
        format!("The legacy Git Credential Manager tenant cache is damaged: {why}."),
        "ADO Connect left the file as it was. Choose to remove the whole file instead \
         (Git Credential Manager for Windows recreates it), or delete it by hand.",
    )
}

fn too_large(why: String) -> Error {
    Error::new(
        ErrorCode::GcmCacheTooLarge,
        format!("The legacy Git Credential Manager tenant cache is too large to be a tenant cache: {why}."),
        "ADO Connect left the file as it was. Check what wrote it, or choose to remove the whole file.",
    )
}

/// A `tenant.cache` on disk, looked at without following a symbolic link.
#[derive(Debug)]
pub(crate) struct LegacyCacheFile {
    pub path: PathBuf,
    pub len: u64,
    pub read_only: bool,
    /// The bytes and what they say, or why they could not be read or understood.
    pub contents: Result<(Vec<u8>, LegacyTenantCache)>,
}

impl LegacyCacheFile {
    /// `Ok(None)`: no file. `Err`: the path is a symbolic link, not a regular file, or cannot
    /// be looked at; nothing may be done to it then.
    pub fn open(path: &Path) -> Result<Option<LegacyCacheFile>> {
        let metadata = match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unreadable(path, &e.to_string())),
        };
        if metadata.file_type().is_symlink() {
            return Err(symlink(path));
        }
        if !metadata.is_file() {
            return Err(unreadable(path, "it is not a regular file"));
        }
        let contents = if metadata.len() > MAX_COMPRESSED_BYTES {
            Err(with_path(
                too_large(format!(
                    "it is {} bytes, more than the {MAX_COMPRESSED_BYTES} bytes a tenant cache can reasonably hold",
                    metadata.len()
                )),
                path,
            ))
        } else {
            read_limited(path, &metadata).and_then(|bytes| {
                let cache = LegacyTenantCache::parse(&bytes).map_err(|e| with_path(e, path))?;
                Ok((bytes, cache))
            })
        };
        Ok(Some(LegacyCacheFile {
            path: path.to_owned(),
            len: metadata.len(),
            read_only: metadata.permissions().readonly(),
            contents,
        }))
    }
}

fn read_limited(path: &Path, seen: &fs::Metadata) -> Result<Vec<u8>> {
    let file = File::open(path).map_err(|e| unreadable(path, &e.to_string()))?;
    let opened = file
        .metadata()
        .map_err(|e| unreadable(path, &e.to_string()))?;
    // The path was a regular file a moment ago; if what we opened is another file, someone
    // swapped in a link in between, and we refuse as if we had seen the link.
    if !same_file(seen, &opened) {
        return Err(symlink(path));
    }
    let mut bytes = Vec::new();
    file.take(MAX_COMPRESSED_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, &e.to_string()))?;
    Ok(bytes)
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, b: &fs::Metadata) -> bool {
    b.is_file()
}

fn with_path(mut error: Error, path: &Path) -> Error {
    error.message = format!("{} (File: {})", error.message, path.display());
    error
}

pub(crate) fn unreadable(path: &Path, why: &str) -> Error {
    Error::new(
        ErrorCode::GcmCacheUnreadable,
        format!(
            "The legacy Git Credential Manager tenant cache {} cannot be read: {why}.",
            path.display()
        ),
        "Check that the file belongs to you and is a normal file, then try again.",
    )
}

pub(crate) fn symlink(path: &Path) -> Error {
    Error::new(
        ErrorCode::GcmCacheSymlink,
        format!(
            "The legacy Git Credential Manager tenant cache {} is a symbolic link; ADO Connect \
             does not change a file through a link.",
            path.display()
        ),
        "Point the gcm.legacy_cache_path setting at the real file, or remove the link by hand.",
    )
}

pub(crate) fn not_writable(path: &Path, why: &str) -> Error {
    Error::new(
        ErrorCode::GcmCacheNotWritable,
        format!(
            "{} cannot be changed: {why}. Nothing was changed.",
            path.display()
        ),
        "Make the file and its folder writable for your account (or run as the user who owns \
         it), then try again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    fn gzip(text: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(text).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn reads_the_gcm_for_windows_format() {
        let text = format!(
            "https://dev.azure.com/contoso/={TENANT}\0https://fabrikam.visualstudio.com/={EMPTY_GUID}\0"
        );
        let cache = LegacyTenantCache::parse(&gzip(text.as_bytes())).unwrap();
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.entries()[0].organization(), Some("contoso"));
        assert!(cache.entries()[1].is_personal_account());
        assert_eq!(cache.organizations(), ["contoso", "fabrikam"]);
        assert_eq!(LegacyTenantCache::parse(&cache.serialize()).unwrap(), cache);
    }

    #[test]
    fn a_leading_bom_is_skipped_as_gcm_for_windows_reader_does() {
        let text = format!("\u{feff}https://dev.azure.com/contoso/={TENANT}\0");
        let cache = LegacyTenantCache::parse(&gzip(text.as_bytes())).unwrap();
        assert_eq!(cache.entries()[0].key, "https://dev.azure.com/contoso/");
        // A key that starts with one could not survive a write and a read.
        let entry = LegacyCacheEntry::new("\u{feff}x", TENANT);
        assert!(LegacyTenantCache::from_entries(vec![entry]).is_err());
    }

    #[test]
    fn finds_the_organization_in_a_key() {
        let cases = [
            ("https://dev.azure.com/contoso/", Some("contoso")),
            ("HTTPS://DEV.AZURE.COM/Contoso/", Some("Contoso")),
            ("https://dev.azure.com:443/contoso", Some("contoso")),
            ("https://Contoso.VisualStudio.com/", Some("Contoso")),
            ("http://contoso.visualstudio.com/", Some("contoso")),
            ("https://dev.azure.com/", None),
            ("https://a.b.visualstudio.com/", None),
            ("https://visualstudio.com/", None),
            ("https://example.com/contoso/", None),
            ("ssh://dev.azure.com/contoso", None),
            ("https://dev.azure.com/é", Some("é")),
            ("https://é.visualstudio.com/", Some("é")),
        ];
        for (key, org) in cases {
            assert_eq!(organization_of_key(key), org, "{key}");
        }
    }

    #[test]
    fn refuses_what_gcm_for_windows_did_not_write() {
        let cases: [(&[u8], &str); 6] = [
            (b"https://dev.azure.com/a/\0", "no '='"),
            (b"=72f988bf-86f1-41af-91ab-2d7cd011db47\0", "empty address"),
            (b"https://dev.azure.com/a/=not-a-guid\0", "not a GUID"),
            (
                b"https://dev.azure.com/a/=72f988bf-86f1-41af-91ab-2d7cd011db47",
                "cut short",
            ),
            (b"\xff\xfe=x\0", "UTF-8"),
            (b"k=72f988bf-86f1-41af-91ab-2d7cd011db47=\0", "not a GUID"),
        ];
        for (text, expected) in cases {
            let err = LegacyTenantCache::parse(&gzip(text)).unwrap_err();
            assert_eq!(err.code, ErrorCode::GcmCacheCorrupt);
            assert!(err.message.contains(expected), "{}", err.message);
        }
    }
}
