//! Property tests of the parsers that read what a service or a person sends (issue 8): the
//! token endpoint's answer, the identity error body, the Azure DevOps error envelope, the
//! tenant headers of the probe, and the configuration (TOML text and `--set` flags). None
//! may panic on any input, and each keeps its promises on well-formed input. The same
//! parsers are fuzzed by `fuzz/` (docs/reliability.md).

use ado_connect_core::auth::identity_error::IdentityErrorBody;
use ado_connect_core::auth::{parse_device_authorization, parse_token_response};
use ado_connect_core::config::ConfigLoader;
use ado_connect_core::devops::{parse_tenant_headers, DirectoryKind};
use ado_connect_core::http::parse_devops_envelope;
use ado_connect_core::ErrorCode;
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::time::{Duration, Instant};

fn guid() -> impl Strategy<Value = uuid::Uuid> {
    any::<u128>().prop_map(uuid::Uuid::from_u128)
}

/// JSON values of every kind, nested a little.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,40}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(".{0,12}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object with the token response's fields, each present or not, of any type.
fn token_like() -> impl Strategy<Value = serde_json::Value> {
    let field = |name: &'static str| {
        prop::option::of(json_value()).prop_map(move |v| v.map(|v| (name.to_string(), v)))
    };
    (
        field("access_token"),
        field("refresh_token"),
        field("expires_in"),
        field("scope"),
        field("token_type"),
        field("user_code"),
        field("device_code"),
        field("verification_uri"),
        field("interval"),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i)| {
            serde_json::Value::Object([a, b, c, d, e, f, g, h, i].into_iter().flatten().collect())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn token_and_device_answers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let now = Instant::now();
        let _ = parse_token_response(&bytes, now);
        if let Ok(a) = parse_device_authorization(&bytes, "organizations".into(), now) {
            let _deadline = a.issued_at + a.expires_in;
        }
    }

    #[test]
    fn token_answers_of_any_shape_are_read_or_refused(v in token_like()) {
        let now = Instant::now();
        let bytes = serde_json::to_vec(&v).unwrap();
        match parse_token_response(&bytes, now) {
            Ok(t) => {
                // Accepted only with a non-empty string access token, which it keeps.
                prop_assert_eq!(Some(t.access_token.expose()), v["access_token"].as_str());
                prop_assert!(!t.access_token.is_empty());
                prop_assert!(t.expires_at <= now + Duration::from_secs(86_400));
                if t.access_token.expose().len() >= 12 {
                    let printed = format!("{:?}", t);
                    prop_assert!(!printed.contains(t.access_token.expose()));
                }
            }
            Err(e) => {
                prop_assert_eq!(e.code, ErrorCode::MalformedResponse);
                prop_assert!(!e.remedy.is_empty());
            }
        }
        if let Ok(a) = parse_device_authorization(&bytes, "organizations".into(), now) {
            prop_assert!(a.expires_in <= Duration::from_secs(3_600));
            prop_assert!(a.interval >= Duration::from_secs(1) && a.interval <= Duration::from_secs(60));
            prop_assert!(!a.user_code.is_empty() && !a.verification_uri.is_empty());
        }
    }

    #[test]
    fn identity_errors_of_any_shape_become_coded_errors(
        error in ".{0,30}",
        description in prop::option::of(".{0,80}"),
        codes in prop::collection::vec(any::<u32>(), 0..3),
        correlation in prop::option::of("[0-9a-f-]{0,36}"),
        status in 100u16..600,
    ) {
        let body = serde_json::json!({
            "error": error, "error_description": description, "error_codes": codes,
            "correlation_id": correlation, "trace_id": null, "timestamp": "2026-01-01 00:00:00Z",
        });
        let parsed = IdentityErrorBody::parse(&serde_json::to_vec(&body).unwrap());
        prop_assert_eq!(parsed.is_some(), !error.is_empty());
        if let Some(b) = parsed {
            let e = b.to_error(status, "token");
            prop_assert!(!e.message.is_empty() && !e.remedy.is_empty());
            prop_assert_eq!(e.details.http_status, Some(status));
            prop_assert_eq!(e.details.correlation_id, correlation);
            if let Some(&first) = codes.first() {
                prop_assert_eq!(e.details.aadsts, Some(first));
            }
            if status == 429 && b.aadsts().and_then(ado_connect_core::auth::identity_error::error_for_aadsts).is_none() {
                prop_assert_eq!(e.code, ErrorCode::RateLimited);
            }
        }
    }

    #[test]
    fn identity_error_bodies_never_panic(v in json_value(), status in any::<u16>()) {
        if let Some(b) = IdentityErrorBody::parse(&serde_json::to_vec(&v).unwrap()) {
            let e = b.to_error(status, "token");
            prop_assert!(!e.remedy.is_empty());
        }
    }

    #[test]
    fn devops_envelopes_keep_their_message(
        message in ".{0,200}",
        type_key in "[A-Za-z]{0,40}",
        extra in json_value(),
    ) {
        let body = serde_json::json!({
            "$id": "1", "innerException": extra, "message": message,
            "typeName": "x", "typeKey": type_key, "errorCode": 0, "eventId": 3000,
        });
        let e = parse_devops_envelope(&serde_json::to_vec(&body).unwrap()).expect("an envelope");
        prop_assert_eq!(e.message.as_deref(), Some(message.as_str()));
        prop_assert_eq!(e.type_key.as_deref(), Some(type_key.as_str()));
    }

    #[test]
    fn devops_envelopes_never_panic(v in json_value()) {
        let _ = parse_devops_envelope(&serde_json::to_vec(&v).unwrap());
    }

    #[test]
    fn tenant_headers_of_any_text_never_panic_and_yield_only_guids(
        headers in prop::collection::vec(
            (prop_oneof![
                Just("www-authenticate"),
                Just("x-vss-resourcetenant"),
                Just("x-other"),
            ], prop::collection::vec(any::<u8>(), 0..120)),
            0..6,
        ),
    ) {
        let mut map = HeaderMap::new();
        for (name, bytes) in headers {
            if let Ok(v) = HeaderValue::from_bytes(&bytes) {
                map.append(HeaderName::from_static(name), v);
            }
        }
        let link = parse_tenant_headers(&map);
        match link.kind {
            DirectoryKind::Directory => {
                let id = link.tenant_id.expect("a directory has an id");
                let parsed = uuid::Uuid::parse_str(&id).expect("a GUID");
                prop_assert!(!parsed.is_nil());
                prop_assert_eq!(parsed.to_string(), id, "canonical form");
            }
            _ => prop_assert!(link.tenant_id.is_none()),
        }
    }

    #[test]
    fn tenant_headers_find_the_tenant_however_it_is_sent(
        id in guid(),
        upper in any::<bool>(),
        noise in "[ -~]{0,40}",
        by_challenge in any::<bool>(),
    ) {
        prop_assume!(!id.is_nil());
        let text = if upper { id.to_string().to_uppercase() } else { id.to_string() };
        let mut map = HeaderMap::new();
        // Noise first, as other headers or challenges come in any order.
        if let Ok(v) = HeaderValue::from_str(&noise) {
            map.append("www-authenticate", v);
        }
        if by_challenge {
            map.append("www-authenticate", HeaderValue::from_str(&format!(
                "Bearer authorization_uri=https://login.microsoftonline.com/{text}"
            )).unwrap());
        } else {
            map.append("x-vss-resourcetenant", HeaderValue::from_str(&format!(
                "00000000-0000-0000-0000-000000000000, {text}"
            )).unwrap());
        }
        let link = parse_tenant_headers(&map);
        // Unless the noise itself names a GUID first, the tenant is found.
        if uuid::Uuid::parse_str(noise.trim()).is_err() && !noise.contains("authorization_uri=") {
            prop_assert_eq!(link.kind, DirectoryKind::Directory);
            prop_assert_eq!(link.tenant_id, Some(id.to_string()));
        }
    }

    #[test]
    fn config_text_of_any_kind_never_panics(text in "(?s).{0,300}") {
        if let Ok(loaded) = ConfigLoader::load_text(&text, vec![]) {
            let c = loaded.config;
            for s in [&c.identity.authority_host, &c.devops.org_base, &c.arm.base, &c.gcm.git] {
                prop_assert!(!s.chars().any(char::is_control));
            }
        }
    }

    #[test]
    fn config_text_built_from_toml_pieces_never_panics(
        lines in prop::collection::vec(prop_oneof![
            Just("[identity]".to_string()),
            Just("[devops]".to_string()),
            Just("[arm]".to_string()),
            Just("[gcm]".to_string()),
            Just("[policy]".to_string()),
            Just("[[identity]]".to_string()),
            ("(tenant|client_id|scopes|authority_host|org_base|base|git|legacy_cache_path|allowed_tenants|demo|x)",
             prop_oneof![
                 ".{0,30}".prop_map(|s| format!("{s:?}")),
                 Just("true".to_string()),
                 Just("42".to_string()),
                 Just("[]".to_string()),
                 prop::collection::vec(".{0,10}", 0..3).prop_map(|v| format!("{v:?}")),
                 Just("{ a = 1 }".to_string()),
                 Just("1979-05-27T07:32:00Z".to_string()),
             ]).prop_map(|(k, v)| format!("{k} = {v}")),
            ".{0,20}",
        ], 0..10),
    ) {
        let text = lines.join("\n");
        match ConfigLoader::load_text(&text, vec![]) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(matches!(e.code, ErrorCode::ConfigInvalid | ErrorCode::ConfigUnreadable), "{:?}", e);
                prop_assert!(!e.remedy.is_empty());
            }
        }
    }

    #[test]
    fn set_flags_of_any_kind_never_panic(flags in prop::collection::vec("(?s).{0,60}", 0..4)) {
        match ConfigLoader::load_text("", flags) {
            Ok(_) => {}
            Err(e) => {
                prop_assert_eq!(e.code, ErrorCode::ConfigInvalid);
                prop_assert!(!e.message.chars().any(char::is_control), "{:?}", e.message);
            }
        }
    }

    #[test]
    fn set_flags_for_known_keys_never_panic(
        key in "(identity|devops|arm|gcm|policy)\\.(tenant|client_id|scopes|authority_host|org_base|base|git|legacy_cache_path|allowed_tenants|demo)",
        value in "(?s).{0,60}",
    ) {
        let _ = ConfigLoader::load_text("", vec![format!("{key}={value}")]);
    }
}
