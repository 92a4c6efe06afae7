//! The legacy GCM `tenant.cache` parser (reference §4a) on arbitrary bytes: it must never
//! panic, and whatever it accepts must serialize and parse back to the same entries.
#![no_main]

use ado_connect_core::gcm::{organization_of_key, validate_org_name, LegacyTenantCache};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cache) = LegacyTenantCache::parse(data) {
        let again = LegacyTenantCache::parse(&cache.serialize()).expect("our own output parses");
        assert_eq!(again, cache);
        for entry in cache.entries() {
            if let Some(org) = organization_of_key(&entry.key) {
                let _ = validate_org_name(org);
            }
        }
    }
    let text = String::from_utf8_lossy(data);
    let _ = organization_of_key(&text);
    if validate_org_name(&text).is_ok() {
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    }
});
