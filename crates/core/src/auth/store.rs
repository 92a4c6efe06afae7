//! The refresh token in the OS keychain (`keyring`): one entry per signed-in user, the
//! service named after the app identifier. Access tokens are never stored.
//!
//! Windows Credential Manager limits a secret to 2,560 bytes (UTF-16, so 1,280 characters)
//! and Microsoft refresh tokens can be longer, so a long token is split over several
//! entries: `{account}` holds a small header, `{account}#0..n` the parts.

use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use std::collections::HashMap;
use std::sync::Mutex;

/// Characters per keychain entry; below Windows' 1,280 UTF-16 units with room to spare.
pub const CHUNK_CHARS: usize = 1000;
const HEADER_PREFIX: &str = "\u{1}ado-connect-chunks:";

pub trait SecretStore: Send + Sync {
    fn set(&self, account: &str, value: &str) -> Result<()>;
    fn get(&self, account: &str) -> Result<Option<String>>;
    fn delete(&self, account: &str) -> Result<()>;
    /// Whether what is stored outlives this process (a keychain does; memory does not).
    fn is_persistent(&self) -> bool {
        true
    }
}

/// The operating system's keychain through `keyring` (Secret Service on Linux).
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new(service: impl Into<String>) -> Self {
        KeyringStore {
            service: service.into(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(keychain_error)
    }
}

pub fn keychain_error(e: keyring::Error) -> Error {
    Error::new(
        ErrorCode::KeychainUnavailable,
        format!("The system keychain is not available ({}), so your sign-in cannot be remembered.", describe(&e)),
        "You can keep working; you will be asked to sign in again next time. On Linux, install and unlock a Secret Service keyring (GNOME Keyring or KWallet).",
    )
}

fn describe(e: &keyring::Error) -> &'static str {
    match e {
        keyring::Error::PlatformFailure(_) => "no keychain service answered",
        keyring::Error::NoStorageAccess(_) => "the keychain is locked or access was refused",
        keyring::Error::TooLong(..) => "the value is too long",
        _ => "keychain error",
    }
}

impl SecretStore for KeyringStore {
    fn set(&self, account: &str, value: &str) -> Result<()> {
        self.entry(account)?
            .set_password(value)
            .map_err(keychain_error)
    }
    fn get(&self, account: &str) -> Result<Option<String>> {
        match self.entry(account)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }
    fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// Store a refresh token for `account`, split when long. Old parts are removed.
pub fn save_refresh_token(store: &dyn SecretStore, account: &str, token: &Secret) -> Result<()> {
    let value = token.expose();
    let old_parts = part_count(store, account)?;
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= CHUNK_CHARS {
        store.set(account, value)?;
    } else {
        let parts: Vec<String> = chars
            .chunks(CHUNK_CHARS)
            .map(|c| c.iter().collect())
            .collect();
        for (i, part) in parts.iter().enumerate() {
            store.set(&format!("{account}#{i}"), part)?;
        }
        store.set(account, &format!("{HEADER_PREFIX}{}", parts.len()))?;
        for i in parts.len()..old_parts {
            store.delete(&format!("{account}#{i}"))?;
        }
        return Ok(());
    }
    for i in 0..old_parts {
        store.delete(&format!("{account}#{i}"))?;
    }
    Ok(())
}

fn part_count(store: &dyn SecretStore, account: &str) -> Result<usize> {
    Ok(store
        .get(account)?
        .and_then(|h| h.strip_prefix(HEADER_PREFIX).and_then(|n| n.parse().ok()))
        .unwrap_or(0))
}

pub fn load_refresh_token(store: &dyn SecretStore, account: &str) -> Result<Option<Secret>> {
    let Some(head) = store.get(account)? else {
        return Ok(None);
    };
    let Some(n) = head.strip_prefix(HEADER_PREFIX) else {
        return Ok(Some(Secret::new(head)));
    };
    let n: usize = n
        .parse()
        .map_err(|_| Error::internal("keychain entry header"))?;
    let mut value = String::new();
    for i in 0..n {
        match store.get(&format!("{account}#{i}"))? {
            Some(part) => value.push_str(&part),
            // A part went missing: treat as signed out rather than send half a token.
            None => return Ok(None),
        }
    }
    Ok(Some(Secret::new(value)))
}

pub fn delete_refresh_token(store: &dyn SecretStore, account: &str) -> Result<()> {
    let parts = part_count(store, account)?;
    for i in 0..parts {
        store.delete(&format!("{account}#{i}"))?;
    }
    store.delete(account)
}

/// An in-memory store: for tests, and for checking the chunking against Windows' limit.
/// It can be told to fail like a locked keychain.
#[derive(Default)]
pub struct MemoryStore {
    pub map: Mutex<HashMap<String, String>>,
    pub fail: Mutex<bool>,
    /// Behave as a keychain that outlives the process (tests that "restart" the app).
    pub persistent: bool,
}

impl MemoryStore {
    /// A store that stands in for a keychain, shared by the app instances of a test.
    pub fn persistent() -> Self {
        MemoryStore {
            persistent: true,
            ..Default::default()
        }
    }
}

impl SecretStore for MemoryStore {
    fn set(&self, a: &str, v: &str) -> Result<()> {
        if *self.fail.lock().expect("lock") {
            return Err(keychain_error(keyring::Error::NoStorageAccess(
                "locked".into(),
            )));
        }
        // Windows' limit, enforced here so the chunking is tested against it.
        if v.encode_utf16().count() * 2 > 2560 {
            return Err(keychain_error(keyring::Error::TooLong(a.into(), 2560)));
        }
        self.map.lock().expect("lock").insert(a.into(), v.into());
        Ok(())
    }
    fn get(&self, a: &str) -> Result<Option<String>> {
        Ok(self.map.lock().expect("lock").get(a).cloned())
    }
    fn delete(&self, a: &str) -> Result<()> {
        self.map.lock().expect("lock").remove(a);
        Ok(())
    }
    fn is_persistent(&self) -> bool {
        self.persistent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_tokens_round_trip_within_the_windows_limit() {
        let store = MemoryStore::default();
        let long = Secret::new("x".repeat(5000));
        save_refresh_token(&store, "u1", &long).unwrap();
        assert_eq!(store.map.lock().unwrap().len(), 6);
        assert_eq!(
            load_refresh_token(&store, "u1").unwrap().unwrap().expose(),
            long.expose()
        );
        // Rotation to a short token removes the old parts.
        save_refresh_token(&store, "u1", &Secret::new("short")).unwrap();
        assert_eq!(store.map.lock().unwrap().len(), 1);
        assert_eq!(
            load_refresh_token(&store, "u1").unwrap().unwrap().expose(),
            "short"
        );
        delete_refresh_token(&store, "u1").unwrap();
        assert!(load_refresh_token(&store, "u1").unwrap().is_none());
        assert!(store.map.lock().unwrap().is_empty());
    }

    #[test]
    fn a_missing_part_reads_as_signed_out() {
        let store = MemoryStore::default();
        save_refresh_token(&store, "u", &Secret::new("y".repeat(2500))).unwrap();
        store.map.lock().unwrap().remove("u#1");
        assert!(load_refresh_token(&store, "u").unwrap().is_none());
    }

    #[test]
    fn keyring_mock_store_round_trip() {
        // keyring's own mock: each Entry is separate, so only the API shape is checked here;
        // the real Secret Service is exercised by tests/keychain.rs under dbus.
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        let store = KeyringStore::new("ado-connect-test");
        store.set("a", "b").unwrap();
        assert_eq!(store.delete("nobody").map(|_| ()), Ok(()));
    }

    #[test]
    fn unavailable_keychain_is_a_clear_error() {
        let store = MemoryStore::default();
        *store.fail.lock().unwrap() = true;
        let e = save_refresh_token(&store, "u", &Secret::new("t")).unwrap_err();
        assert_eq!(e.code, ErrorCode::KeychainUnavailable);
        assert!(!e.message.contains('t') || !e.message.contains("\"t\""));
    }
}
