//! The identity platform's answers (reference §1.2–1.3): the token response, the device
//! authorization and the error body, on arbitrary bytes. None may panic; what is accepted
//! keeps its promises (a capped lifetime, a coded error with a remedy).
#![no_main]

use ado_connect_core::auth::identity_error::IdentityErrorBody;
use ado_connect_core::auth::{parse_device_authorization, parse_token_response};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, Instant};

fuzz_target!(|data: &[u8]| {
    let now = Instant::now();
    if let Ok(t) = parse_token_response(data, now) {
        assert!(!t.access_token.is_empty());
        assert!(t.expires_at <= now + Duration::from_secs(86_400));
    }
    if let Ok(a) = parse_device_authorization(data, "organizations".into(), now) {
        let _deadline = a.issued_at + a.expires_in;
        assert!(a.interval >= Duration::from_secs(1) && a.interval <= Duration::from_secs(60));
    }
    if let Some(body) = IdentityErrorBody::parse(data) {
        let status = u16::from(data.first().copied().unwrap_or(0)) * 3;
        let e = body.to_error(status, "token");
        assert!(!e.message.is_empty() && !e.remedy.is_empty());
        let _ = e.copy_details();
    }
});
