//! The refresh token in the real OS keychain (Secret Service through gnome-keyring under a
//! private D-Bus session: `scripts/test.sh` sets that up and ADO_CONNECT_REQUIRE_KEYCHAIN=1).
//! Without that variable (a plain `cargo test` on a desktop), the test runs only if a
//! keychain answers, and says so when it does not.

use ado_connect_core::auth::store::{self, KeyringStore, SecretStore};
use ado_connect_core::Secret;

fn keychain() -> Option<KeyringStore> {
    let store = KeyringStore::new("com.adoconnect.app.test");
    match store.set("probe", "x") {
        Ok(()) => {
            store.delete("probe").unwrap();
            Some(store)
        }
        Err(e) => {
            assert!(
                std::env::var_os("ADO_CONNECT_REQUIRE_KEYCHAIN").is_none(),
                "a real keychain is required here but failed: {}",
                e.message
            );
            eprintln!(
                "no keychain on this machine ({}); run `make test` for the real one",
                e.message
            );
            None
        }
    }
}

#[test]
fn refresh_token_round_trips_through_the_real_keychain() {
    let Some(kc) = keychain() else { return };
    let account = format!("user-{}", std::process::id());
    // Longer than Windows' 2,560-byte limit: stored in parts.
    let long = Secret::new("r".repeat(6000));
    store::save_refresh_token(&kc, &account, &long).unwrap();
    // Read back through a fresh store object: it really is in the keychain.
    let fresh = KeyringStore::new("com.adoconnect.app.test");
    assert_eq!(
        store::load_refresh_token(&fresh, &account)
            .unwrap()
            .unwrap()
            .expose(),
        long.expose()
    );
    store::save_refresh_token(&kc, &account, &Secret::new("rotated")).unwrap();
    assert_eq!(
        store::load_refresh_token(&fresh, &account)
            .unwrap()
            .unwrap()
            .expose(),
        "rotated"
    );
    assert!(
        fresh.get(&format!("{account}#0")).unwrap().is_none(),
        "old parts removed"
    );
    store::delete_refresh_token(&kc, &account).unwrap();
    assert!(store::load_refresh_token(&fresh, &account)
        .unwrap()
        .is_none());
}
