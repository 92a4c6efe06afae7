//! The Azure DevOps error envelope (reference §2.1) on arbitrary bytes: never a panic, and a
//! parsed envelope always carries a message or a type key.
#![no_main]

use ado_connect_core::http::parse_devops_envelope;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(e) = parse_devops_envelope(data) {
        assert!(e.message.is_some() || e.type_key.is_some());
    }
});
