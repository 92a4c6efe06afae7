//! The record layer of the legacy `tenant.cache` parser: random bytes rarely make a valid gzip
//! stream, so this target gzips the input first and reaches the `key=value\0` parsing directly.
#![no_main]

use ado_connect_core::gcm::LegacyTenantCache;
use flate2::write::GzEncoder;
use flate2::Compression;
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|text: &[u8]| {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(text).unwrap();
    let bytes = encoder.finish().unwrap();
    if let Ok(cache) = LegacyTenantCache::parse(&bytes) {
        let again = LegacyTenantCache::parse(&cache.serialize()).expect("our own output parses");
        assert_eq!(again, cache);
    }
});
