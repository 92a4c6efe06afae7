//! The probe's tenant headers (reference §2.5): each input line is one header value, the
//! first byte of the line picks its name. Never a panic; a tenant, when found, is a non-nil
//! GUID in canonical form.
#![no_main]

use ado_connect_core::devops::{parse_tenant_headers, DirectoryKind};
use http::header::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 3] = ["www-authenticate", "x-vss-resourcetenant", "x-other"];

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        let Some((&first, value)) = line.split_first() else {
            continue;
        };
        if let Ok(v) = HeaderValue::from_bytes(value) {
            headers.append(
                HeaderName::from_static(NAMES[first as usize % NAMES.len()]),
                v,
            );
        }
    }
    let link = parse_tenant_headers(&headers);
    match link.kind {
        DirectoryKind::Directory => {
            let id = link.tenant_id.expect("a directory has an id");
            let parsed = uuid::Uuid::parse_str(&id).expect("a GUID");
            assert!(!parsed.is_nil());
            assert_eq!(parsed.to_string(), id);
        }
        _ => assert!(link.tenant_id.is_none()),
    }
});
