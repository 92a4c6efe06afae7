//! Faults (each kind, `times`, counts), holds, and the `/_sim` control endpoints.

mod common;

use std::time::{Duration, Instant};

use ado_sim::Fault;
use common::*;
use serde_json::{json, Value};

fn profile_url(sim: &ado_sim::Sim) -> String {
    format!(
        "{}/app.vssps/_apis/profile/profiles/me?api-version=7.1",
        sim.base_url()
    )
}

#[tokio::test]
async fn latency_delays_then_answers() {
    let sim = start().await;
    let http = client();
    let token = devops_token(&sim, &http).await;
    sim.set_fault("profile", Fault::latency(300));
    let started = Instant::now();
    let response = http
        .get(profile_url(&sim))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn hang_never_answers_and_reset_closes_the_connection() {
    let sim = start().await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    sim.set_fault("accounts", Fault::hang());
    let error = http
        .get(format!(
            "{}/app.vssps/_apis/accounts?memberId={MORGAN_ID}",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");

    sim.set_fault("token", Fault::reset());
    let error = http
        .post(format!(
            "{}/login/organizations/oauth2/v2.0/token",
            sim.base_url()
        ))
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await
        .unwrap_err();
    assert!(!error.is_timeout(), "a reset is not a timeout: {error:?}");
    assert_eq!(sim.request_count("accounts"), 1);
    assert_eq!(sim.request_count("token"), 1);
}

#[tokio::test]
async fn status_faults_use_each_services_error_body() {
    let sim = start().await;
    let http = client();
    let token = devops_token(&sim, &http).await;

    sim.set_fault("profile", Fault::status(500));
    let response = http
        .get(profile_url(&sim))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_ado_envelope(&response.json().await.unwrap(), "TF");

    sim.set_fault("token", Fault::status(503));
    let (status, body) = poll(&sim, &http, "organizations", "x").await;
    assert_eq!(status, 503);
    assert_aad_error(&body, "temporarily_unavailable", 90033);

    sim.set_fault("tenants", Fault::status(500));
    let response = http
        .get(format!(
            "{}/arm/tenants?api-version=2022-12-01",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InternalServerError");
}

#[tokio::test]
async fn too_many_requests_carries_retry_after() {
    let sim = start().await;
    let http = client();
    sim.set_fault("userentitlements", Fault::too_many_requests(7));
    let response = http
        .get(format!(
            "{}/vsaex/fabrikam-fiber/_apis/userentitlements?api-version=7.1",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_ado_envelope(&response.json().await.unwrap(), "TF400733");
}

#[tokio::test]
async fn malformed_json_wrong_content_type_203_and_401() {
    let sim = start().await;
    let http = client();
    let token = devops_token(&sim, &http).await;

    sim.set_fault("profile", Fault::malformed_json());
    let response = http
        .get(profile_url(&sim))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert!(response.json::<Value>().await.is_err());

    sim.set_fault("accounts", Fault::wrong_content_type());
    let response = http
        .get(format!(
            "{}/app.vssps/_apis/accounts?memberId={MORGAN_ID}&api-version=7.1",
            sim.base_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));

    sim.set_fault("organization", Fault::html_203());
    let response = http
        .get(format!(
            "{}/vssps/fabrikam-fiber/_apis/Organization/Organizations/Me?api-version=5.0-preview.1",
            sim.base_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 203);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    sim.set_fault("pats", Fault::unauthorized_401());
    let response = http
        .get(format!(
            "{}/vssps/northwind-ops/_apis/tokens/pats?api-version=7.1-preview.1",
            sim.base_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_ado_envelope(&response.json().await.unwrap(), "TF400813");
}

#[tokio::test]
async fn times_limits_a_fault_to_the_next_requests_and_every_request_is_counted() {
    let sim = start().await;
    let http = client();
    let token = devops_token(&sim, &http).await;
    sim.set_fault("profile", Fault::status(503).times(2));
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            http.get(profile_url(&sim))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [503, 503, 200]);
    assert_eq!(sim.request_count("profile"), 3);

    sim.set_fault("profile", Fault::status(500));
    sim.clear_faults();
    assert_eq!(
        http.get(profile_url(&sim))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(sim.request_count("profile"), 4);
    assert_eq!(sim.request_count("devicecode"), 1);
    assert_eq!(sim.request_count("token"), 1);
    assert_eq!(sim.request_count("pats"), 0);
}

#[tokio::test]
async fn control_endpoints_drive_the_simulator_over_http() {
    let sim = start().await;
    let http = client();
    let control = |path: &str| format!("{}/_sim/{path}", sim.base_url());

    // Approve and decline by user code.
    let authorization = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    let user_code = authorization["user_code"].as_str().unwrap();
    let response = http
        .post(control("approve"))
        .json(&json!({"userCode": user_code, "user": MORGAN}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = http
        .post(control("approve"))
        .json(&json!({"userCode": user_code, "user": MORGAN}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "no longer pending");
    let (status, _) = poll(
        &sim,
        &http,
        "organizations",
        authorization["device_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let authorization = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    let response = http
        .post(control("decline"))
        .json(&json!({"userCode": authorization["user_code"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // Faults over HTTP, with `times`.
    let response = http
        .post(control("faults"))
        .json(&json!({"endpoint": "devicecode", "fault": {"kind": "status", "code": 500, "times": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let devicecode = format!(
        "{}/login/organizations/oauth2/v2.0/devicecode",
        sim.base_url()
    );
    let form = [("client_id", VS_CLIENT), ("scope", DEVOPS_SCOPE)];
    assert_eq!(
        http.post(&devicecode)
            .form(&form)
            .send()
            .await
            .unwrap()
            .status(),
        500
    );
    assert_eq!(
        http.post(&devicecode)
            .form(&form)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let response = http
        .post(control("faults"))
        .json(&json!({"endpoint": "nope", "fault": {"kind": "hang"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    http.post(control("faults"))
        .json(&json!({"endpoint": "devicecode", "fault": {"kind": "too_many_requests", "retry_after_secs": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        http.post(&devicecode)
            .form(&form)
            .send()
            .await
            .unwrap()
            .status(),
        429
    );
    assert_eq!(
        http.delete(control("faults"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        http.post(&devicecode)
            .form(&form)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let counts: Value = http
        .get(control("requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts["devicecode"], 6);
    assert_eq!(counts["token"], 1);
    for key in ado_sim::ENDPOINT_KEYS {
        assert!(counts.get(*key).is_some(), "{key} missing from the counts");
    }

    // First sign-in of an invited member, and the state dump (which holds no secret).
    let response = http
        .post(control("first-sign-in"))
        .json(&json!({"org": "northwind-ops", "email": "ben.carter@contoso.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let state: Value = http
        .get(control("state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let northwind = state["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "northwind-ops")
        .unwrap();
    let ben = northwind["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "ben.carter@contoso.com")
        .unwrap();
    assert_eq!(ben["status"], "active");
    assert_eq!(state["organizations"][0]["sshKeys"], 2);
    let text = state.to_string();
    assert!(!text.contains(authorization["device_code"].as_str().unwrap()));
}

#[tokio::test]
async fn hold_delays_the_connect_answer_after_the_change_is_applied() {
    let sim = start().await;
    let http = client();
    let token = devops_token(&sim, &http).await;
    let response = http
        .post(format!("{}/_sim/hold", sim.base_url()))
        .json(&json!({"endpoint": "organization", "ms": 1500}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = impatient
        .patch(format!(
            "{}/vssps/fabrikam-fiber/_apis/Organization/Organizations/Me?api-version=5.0-preview.1",
            sim.base_url()
        ))
        .bearer_auth(&token)
        .header("content-type", "application/json-patch+json")
        .body(json!([{"from": "", "op": 2, "path": "/TenantId", "value": CONTOSO}]).to_string())
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout());
    assert_eq!(
        sim.org_tenant("fabrikam-fiber").as_deref(),
        Some(CONTOSO),
        "applied before the hold"
    );
    assert_eq!(sim.request_count("organization"), 1);

    // Reads are not held.
    let contoso_token = devops_token_for_tenant(&sim, &http, CONTOSO).await;
    let response = impatient
        .get(format!(
            "{}/vssps/fabrikam-fiber/_apis/Organization/Organizations/Me?api-version=5.0-preview.1",
            sim.base_url()
        ))
        .bearer_auth(&contoso_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
