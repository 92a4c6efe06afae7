//! Helpers shared by the integration tests: a simulator with a fast scenario, an HTTP client
//! without redirects, the device-code sign-in, and the spec examples to compare shapes with.
#![allow(dead_code)]

use std::path::PathBuf;

use ado_sim::{Scenario, Sim, SimOptions};
use serde_json::Value;

pub const VS_CLIENT: &str = "872cd9fa-d31f-45e0-9eab-6e460a02d1f1";
pub const DEVOPS_SCOPE: &str =
    "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access openid profile";
pub const ARM_SCOPE: &str = "https://management.azure.com/.default offline_access openid profile";
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
pub const MORGAN: &str = "morgan.lee@outlook.com";
pub const MORGAN_ID: &str = "3f0b2c1e-8d4a-4b6e-9c2f-7a1d5e8b9c01";
pub const CONTOSO: &str = "c0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5d";
pub const FABRIKAM: &str = "f4b1c2d3-6e7f-4a8b-9c0d-1e2f3a4b5c6d";
pub const EMPTY_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// The demo scenario with a 1-second polling interval.
pub fn fast_demo() -> Scenario {
    let mut scenario = Scenario::default_demo();
    scenario.identity.interval_secs = 1;
    scenario
}

pub async fn start() -> Sim {
    start_with(fast_demo()).await
}

pub async fn start_with(scenario: Scenario) -> Sim {
    Sim::start(SimOptions { port: 0, scenario })
        .await
        .expect("the simulator starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap()
}

pub async fn device_code(sim: &Sim, http: &reqwest::Client, tenant: &str, scope: &str) -> Value {
    let response = http
        .post(format!(
            "{}/login/{tenant}/oauth2/v2.0/devicecode",
            sim.base_url()
        ))
        .form(&[("client_id", VS_CLIENT), ("scope", scope)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

pub async fn poll(
    sim: &Sim,
    http: &reqwest::Client,
    tenant: &str,
    device_code: &str,
) -> (u16, Value) {
    let response = http
        .post(format!(
            "{}/login/{tenant}/oauth2/v2.0/token",
            sim.base_url()
        ))
        .form(&[
            ("grant_type", DEVICE_GRANT),
            ("client_id", VS_CLIENT),
            ("device_code", device_code),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

pub async fn refresh(
    sim: &Sim,
    http: &reqwest::Client,
    tenant: &str,
    refresh_token: &str,
    scope: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("client_id", VS_CLIENT),
        ("refresh_token", refresh_token),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let response = http
        .post(format!(
            "{}/login/{tenant}/oauth2/v2.0/token",
            sim.base_url()
        ))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Device-code sign-in approved through the library API; returns the token response.
pub async fn sign_in_as(
    sim: &Sim,
    http: &reqwest::Client,
    tenant: &str,
    email: &str,
    scope: &str,
) -> Value {
    let authorization = device_code(sim, http, tenant, scope).await;
    assert!(sim.approve(authorization["user_code"].as_str().unwrap(), email));
    let (status, body) = poll(
        sim,
        http,
        tenant,
        authorization["device_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Morgan's Azure DevOps access token through `organizations`.
pub async fn devops_token(sim: &Sim, http: &reqwest::Client) -> String {
    sign_in_as(sim, http, "organizations", MORGAN, DEVOPS_SCOPE).await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Morgan's Azure DevOps access token issued by a given tenant.
pub async fn devops_token_for_tenant(sim: &Sim, http: &reqwest::Client, tenant: &str) -> String {
    sign_in_as(sim, http, tenant, MORGAN, DEVOPS_SCOPE).await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn assert_aad_error(body: &Value, error: &str, code: u64) {
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], serde_json::json!([code]), "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(description.contains("\r\nTrace ID: "), "{description}");
    assert!(
        description.contains("\r\nCorrelation ID: "),
        "{description}"
    );
    assert!(description.contains("\r\nTimestamp: "), "{description}");
    for field in ["timestamp", "trace_id", "correlation_id", "error_uri"] {
        assert!(body[field].is_string(), "{field} missing in {body}");
    }
}

pub fn assert_ado_envelope(body: &Value, message_prefix: &str) {
    for field in [
        "$id",
        "innerException",
        "message",
        "typeName",
        "typeKey",
        "errorCode",
        "eventId",
    ] {
        assert!(body.get(field).is_some(), "{field} missing in {body}");
    }
    let message = body["message"].as_str().unwrap();
    assert!(message.starts_with(message_prefix), "{message}");
}

// ------------------------------------------------------------------ the OpenAPI specs

/// The spec files the tests read, copied from `../shared/specs/azure-devops` (with its
/// LICENSE) so that a clone of this repository alone runs them.
pub fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/specs/azure-devops")
}

/// A spec or example file, as JSON (the spec files start with a UTF-8 BOM).
pub fn spec_json(relative: &str) -> Value {
    let path = specs_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The 200 response body of an httpExamples file.
pub fn example_body(relative: &str) -> Value {
    spec_json(relative)["responses"]["200"]["body"].clone()
}

/// The property names a spec definition declares (following `allOf`).
pub fn definition_properties(spec: &Value, name: &str) -> Vec<String> {
    let definition = &spec["definitions"][name];
    assert!(definition.is_object(), "no definition {name}");
    let mut names: Vec<String> = definition["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for parent in definition["allOf"].as_array().into_iter().flatten() {
        if let Some(reference) = parent["$ref"].as_str() {
            let parent_name = reference.trim_start_matches("#/definitions/");
            names.extend(definition_properties(spec, parent_name));
        }
    }
    names
}

/// Every field of the example is in the actual body, recursively (arrays: first items).
pub fn assert_has_example_fields(example: &Value, actual: &Value, path: &str) {
    match (example, actual) {
        (Value::Object(expected), Value::Object(got)) => {
            for (key, value) in expected {
                let child = format!("{path}.{key}");
                let Some(actual_value) = got.get(key) else {
                    panic!("{child} is missing; got {actual}");
                };
                assert_has_example_fields(value, actual_value, &child);
            }
        }
        (Value::Array(expected), Value::Array(got)) => {
            if let (Some(first_expected), Some(first_got)) = (expected.first(), got.first()) {
                assert_has_example_fields(first_expected, first_got, &format!("{path}[0]"));
            }
        }
        (Value::Object(_), other) | (Value::Array(_), other) if !other.is_null() => {
            panic!("{path}: expected {example}, got {other}");
        }
        _ => {}
    }
}

/// Every field of the actual body is declared by the spec definition (no invented names).
pub fn assert_only_spec_fields(spec: &Value, definition: &str, actual: &Value) {
    let declared = definition_properties(spec, definition);
    for key in actual.as_object().unwrap().keys() {
        assert!(
            declared.contains(key),
            "{definition} does not declare '{key}' (declared: {declared:?})"
        );
    }
}
