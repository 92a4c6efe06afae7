//! The identity platform: device-code sequences, refresh rotation, tenants, PKCE, discovery.

mod common;

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn device_authorization_response_has_the_documented_fields() {
    let sim = start().await;
    let http = client();
    let body = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    let user_code = body["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 8);
    assert!(user_code
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    assert!(body["device_code"].as_str().unwrap().len() > 40);
    assert_eq!(
        body["verification_uri"],
        format!("{}/login/devicelogin", sim.base_url())
    );
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["interval"], 1);
    assert!(body.get("verification_uri_complete").is_none());
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(user_code) && message.contains("/login/devicelogin"),
        "{message}"
    );
    assert_eq!(sim.request_count("devicecode"), 1);
}

#[tokio::test]
async fn device_code_is_pending_until_approved_then_redeemed_once() {
    let sim = start().await;
    let http = client();
    let authorization = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    let device = authorization["device_code"].as_str().unwrap();

    let (status, body) = poll(&sim, &http, "organizations", device).await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "authorization_pending", 70016);

    assert!(
        !sim.approve("ZZZZZZZZ", MORGAN),
        "an unknown code is not approved"
    );
    assert!(!sim.approve(
        authorization["user_code"].as_str().unwrap(),
        "nobody@example.com"
    ));
    let lower = authorization["user_code"].as_str().unwrap().to_lowercase();
    assert!(sim.approve(&lower, MORGAN), "codes match without case");

    let (status, body) = poll(&sim, &http, "organizations", device).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);
    assert!(body["scope"]
        .as_str()
        .unwrap()
        .contains("499b84ac-1321-427f-aa17-267ca6975798/"));
    for field in ["access_token", "refresh_token", "id_token"] {
        assert!(
            body[field].as_str().is_some_and(|t| !t.is_empty()),
            "{field}"
        );
    }
    let claims = body["id_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["preferred_username"], MORGAN);
    assert_eq!(claims["oid"], MORGAN_ID);

    let (status, body) = poll(&sim, &http, "organizations", device).await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "invalid_grant", 54005);
}

#[tokio::test]
async fn tokens_leave_out_refresh_and_id_token_when_not_asked_for() {
    let sim = start().await;
    let http = client();
    let body = sign_in_as(
        &sim,
        &http,
        "organizations",
        MORGAN,
        "499b84ac-1321-427f-aa17-267ca6975798/.default",
    )
    .await;
    assert!(body.get("refresh_token").is_none());
    assert!(body.get("id_token").is_none());
}

#[tokio::test]
async fn slow_down_is_sent_only_when_the_knob_is_on() {
    let http = client();

    let sim = start().await;
    let device = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    let device = device["device_code"].as_str().unwrap();
    poll(&sim, &http, "organizations", device).await;
    let (_, body) = poll(&sim, &http, "organizations", device).await;
    assert_eq!(
        body["error"], "authorization_pending",
        "knob off: polling fast is only pending"
    );

    // A 5-second interval, so that two polls in a row are early even on a busy machine.
    let mut scenario = fast_demo();
    scenario.identity.send_slow_down = true;
    scenario.identity.interval_secs = 5;
    let sim = start_with(scenario).await;
    let device = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    let device = device["device_code"].as_str().unwrap();
    let (_, body) = poll(&sim, &http, "organizations", device).await;
    assert_eq!(body["error"], "authorization_pending");
    let (status, body) = poll(&sim, &http, "organizations", device).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "slow_down");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS"));

    // The interval is now 5 + 5 s: waiting the old interval is still too soon (and adds 5 s more).
    sim.advance_clock(Duration::from_secs(6));
    let (_, body) = poll(&sim, &http, "organizations", device).await;
    assert_eq!(body["error"], "slow_down");
    sim.advance_clock(Duration::from_secs(16));
    let (_, body) = poll(&sim, &http, "organizations", device).await;
    assert_eq!(body["error"], "authorization_pending");
}

#[tokio::test]
async fn declined_codes_answer_authorization_declined() {
    let sim = start().await;
    let http = client();
    let authorization = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    assert!(sim.decline(authorization["user_code"].as_str().unwrap()));
    assert!(
        !sim.approve(authorization["user_code"].as_str().unwrap(), MORGAN),
        "no longer pending"
    );
    let (status, body) = poll(
        &sim,
        &http,
        "organizations",
        authorization["device_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "authorization_declined");
    assert!(body["error_codes"].is_array());
}

#[tokio::test]
async fn codes_expire_after_expires_in_on_the_sims_clock() {
    let mut scenario = fast_demo();
    scenario.identity.expires_in_secs = 2;
    let sim = start_with(scenario).await;
    let http = client();
    let authorization = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    assert_eq!(authorization["expires_in"], 2);
    let device = authorization["device_code"].as_str().unwrap();
    let (_, body) = poll(&sim, &http, "organizations", device).await;
    assert_eq!(body["error"], "authorization_pending");

    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(!sim.approve(authorization["user_code"].as_str().unwrap(), MORGAN));
    let (status, body) = poll(&sim, &http, "organizations", device).await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "expired_token", 70019);

    // The test clock gets there too, without waiting.
    let authorization = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    sim.advance_clock(Duration::from_secs(3));
    let (_, body) = poll(
        &sim,
        &http,
        "organizations",
        authorization["device_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(body["error"], "expired_token");
}

#[tokio::test]
async fn unknown_device_codes_are_bad_verification_codes() {
    let sim = start().await;
    let http = client();
    let (status, body) = poll(&sim, &http, "organizations", "not-a-device-code").await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "bad_verification_code", 70018);
}

#[tokio::test]
async fn consumers_and_unknown_clients_are_refused() {
    let sim = start().await;
    let http = client();
    let url = |tenant: &str| format!("{}/login/{tenant}/oauth2/v2.0/devicecode", sim.base_url());

    let response = http
        .post(url("consumers"))
        .form(&[("client_id", VS_CLIENT), ("scope", DEVOPS_SCOPE)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_aad_error(&body, "invalid_request", 9002332);
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("/consumers"));

    let response = http
        .post(url("organizations"))
        .form(&[
            ("client_id", "11111111-2222-3333-4444-555555555555"),
            ("scope", DEVOPS_SCOPE),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_aad_error(
        &response.json().await.unwrap(),
        "unauthorized_client",
        700016,
    );

    let response = http
        .post(url("nowhere.example"))
        .form(&[("client_id", VS_CLIENT), ("scope", DEVOPS_SCOPE)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_aad_error(&response.json().await.unwrap(), "invalid_request", 90002);

    let response = http
        .post(url("organizations"))
        .form(&[("client_id", VS_CLIENT), ("scope", "499b84ac-1321-427f-aa17-267ca6975798/.default https://management.azure.com/.default")])
        .send()
        .await
        .unwrap();
    assert_aad_error(&response.json().await.unwrap(), "invalid_scope", 28000);

    let response = http
        .post(url("organizations"))
        .form(&[("scope", DEVOPS_SCOPE)])
        .send()
        .await
        .unwrap();
    assert_aad_error(&response.json().await.unwrap(), "invalid_request", 900144);
}

#[tokio::test]
async fn interval_quirks_follow_the_scenario() {
    let http = client();
    let mut scenario = fast_demo();
    scenario.identity.interval_as_string = true;
    let sim = start_with(scenario).await;
    let body = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    assert_eq!(body["interval"], "1");

    let mut scenario = fast_demo();
    scenario.identity.omit_interval = true;
    let sim = start_with(scenario).await;
    let body = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    assert!(body.get("interval").is_none());
}

#[tokio::test]
async fn conditional_access_blocks_the_device_code_redemption() {
    let mut scenario = fast_demo();
    scenario.users[0].conditional_access_blocks_device_code = true;
    let sim = start_with(scenario).await;
    let http = client();
    let authorization = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    assert!(sim.approve(authorization["user_code"].as_str().unwrap(), MORGAN));
    let (status, body) = poll(
        &sim,
        &http,
        "organizations",
        authorization["device_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "invalid_grant", 53003);
}

#[tokio::test]
async fn tenant_specific_authority_needs_membership() {
    let sim = start().await;
    let http = client();

    // Morgan is a member of Contoso (by id) and a guest of Fabrikam (by domain).
    sign_in_as(&sim, &http, CONTOSO, MORGAN, DEVOPS_SCOPE).await;
    sign_in_as(&sim, &http, "fabrikam.com", MORGAN, DEVOPS_SCOPE).await;

    // Sam belongs to no directory.
    let authorization = device_code(&sim, &http, "contoso.com", DEVOPS_SCOPE).await;
    assert!(sim.approve(
        authorization["user_code"].as_str().unwrap(),
        "sam.rivera@gmail.com"
    ));
    let (status, body) = poll(
        &sim,
        &http,
        "contoso.com",
        authorization["device_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "invalid_grant", 50020);
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("sam.rivera@gmail.com"));

    // `common` works as `organizations` does.
    sign_in_as(&sim, &http, "common", MORGAN, DEVOPS_SCOPE).await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_revoked_ones_fail() {
    let sim = start().await;
    let http = client();
    let tokens = sign_in_as(&sim, &http, "organizations", MORGAN, DEVOPS_SCOPE).await;
    let first = tokens["refresh_token"].as_str().unwrap();

    let (status, body) = refresh(&sim, &http, "organizations", first, None).await;
    assert_eq!(status, 200, "{body}");
    let second = body["refresh_token"].as_str().unwrap();
    assert_ne!(first, second);
    assert_ne!(body["access_token"], tokens["access_token"]);

    let (status, body) = refresh(&sim, &http, "organizations", first, None).await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "invalid_grant", 50173);

    let (status, _) = refresh(&sim, &http, "organizations", second, None).await;
    assert_eq!(status, 200);

    let (status, body) = refresh(&sim, &http, "organizations", "garbage", None).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_can_switch_resource_and_tenant() {
    let sim = start().await;
    let http = client();
    let tokens = sign_in_as(&sim, &http, "organizations", MORGAN, DEVOPS_SCOPE).await;

    let (status, arm) = refresh(
        &sim,
        &http,
        "organizations",
        tokens["refresh_token"].as_str().unwrap(),
        Some(ARM_SCOPE),
    )
    .await;
    assert_eq!(status, 200, "{arm}");
    assert!(arm["scope"]
        .as_str()
        .unwrap()
        .starts_with("https://management.azure.com/"));

    let (status, contoso) = refresh(
        &sim,
        &http,
        CONTOSO,
        arm["refresh_token"].as_str().unwrap(),
        None,
    )
    .await;
    assert_eq!(status, 200, "{contoso}");
    assert!(
        contoso["scope"].as_str().unwrap().starts_with("499b84ac"),
        "the original resource comes back"
    );

    let tokens = sign_in_as(
        &sim,
        &http,
        "organizations",
        "sam.rivera@gmail.com",
        DEVOPS_SCOPE,
    )
    .await;
    let (status, body) = refresh(
        &sim,
        &http,
        CONTOSO,
        tokens["refresh_token"].as_str().unwrap(),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "invalid_grant", 50020);
}

#[tokio::test]
async fn public_clients_must_not_send_a_secret() {
    let sim = start().await;
    let http = client();
    let response = http
        .post(format!(
            "{}/login/organizations/oauth2/v2.0/token",
            sim.base_url()
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", VS_CLIENT),
            ("refresh_token", "x"),
            ("client_secret", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_aad_error(&response.json().await.unwrap(), "invalid_client", 700025);

    let response = http
        .post(format!(
            "{}/login/organizations/oauth2/v2.0/token",
            sim.base_url()
        ))
        .form(&[("grant_type", "password"), ("client_id", VS_CLIENT)])
        .send()
        .await
        .unwrap();
    assert_aad_error(
        &response.json().await.unwrap(),
        "unsupported_grant_type",
        70003,
    );
}

fn pkce_pair() -> (String, String) {
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more".to_string();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

async fn authorize(
    sim: &ado_sim::Sim,
    http: &reqwest::Client,
    redirect_uri: &str,
    challenge: &str,
    action: &str,
) -> reqwest::Response {
    let query = [
        ("client_id", VS_CLIENT),
        ("response_type", "code"),
        ("redirect_uri", redirect_uri),
        ("response_mode", "query"),
        ("scope", DEVOPS_SCOPE),
        ("state", "st4te"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    let page = http
        .get(format!(
            "{}/login/organizations/oauth2/v2.0/authorize",
            sim.base_url()
        ))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Approve") && html.contains(MORGAN), "{html}");
    http.post(format!(
        "{}/login/organizations/oauth2/v2.0/authorize",
        sim.base_url()
    ))
    .query(&query)
    .form(&[("action", action), ("user", MORGAN)])
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn authorization_code_with_pkce_on_a_loopback_redirect() {
    let sim = start().await;
    let http = client();
    let (verifier, challenge) = pkce_pair();
    let redirect_uri = "http://localhost:53123/callback";

    let response = authorize(&sim, &http, redirect_uri, &challenge, "approve").await;
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("http://localhost:53123/callback?code="),
        "{location}"
    );
    assert!(location.ends_with("&state=st4te"), "{location}");
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();

    let redeem = |verifier: String, code: String| {
        let http = http.clone();
        let url = format!("{}/login/organizations/oauth2/v2.0/token", sim.base_url());
        async move {
            let response = http
                .post(url)
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("client_id", VS_CLIENT),
                    ("code", code.as_str()),
                    ("redirect_uri", redirect_uri),
                    ("code_verifier", verifier.as_str()),
                    ("scope", DEVOPS_SCOPE),
                ])
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, body) = redeem(
        "wrong-verifier-wrong-verifier-wrong-verifier-x".into(),
        code.clone(),
    )
    .await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "invalid_grant", 501481);
    let (status, body) = redeem(verifier.clone(), code.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].is_string());
    let (_, body) = redeem(verifier, code).await;
    assert_aad_error(&body, "invalid_grant", 54005);

    // 127.0.0.1 on any port is accepted; declining redirects with access_denied.
    let response = authorize(&sim, &http, "http://127.0.0.1:9", &challenge, "decline").await;
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("http://127.0.0.1:9?error=access_denied"),
        "{location}"
    );
    assert_eq!(sim.request_count("authorize"), 4);
}

#[tokio::test]
async fn authorize_refuses_non_loopback_redirects() {
    let sim = start().await;
    let http = client();
    let response = http
        .get(format!(
            "{}/login/organizations/oauth2/v2.0/authorize",
            sim.base_url()
        ))
        .query(&[
            ("client_id", VS_CLIENT),
            ("response_type", "code"),
            ("redirect_uri", "https://evil.example/cb"),
            ("scope", DEVOPS_SCOPE),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    assert!(response.text().await.unwrap().contains("AADSTS50011"));
}

#[tokio::test]
async fn openid_configuration_resolves_domains_to_tenant_ids() {
    let sim = start().await;
    let http = client();
    let url = |tenant: &str| {
        format!(
            "{}/login/{tenant}/v2.0/.well-known/openid-configuration",
            sim.base_url()
        )
    };
    for reference in ["contoso.com", "contoso.onmicrosoft.com", CONTOSO] {
        let response = http.get(url(reference)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body["issuer"],
            format!("https://login.microsoftonline.com/{CONTOSO}/v2.0")
        );
        for field in [
            "authorization_endpoint",
            "token_endpoint",
            "device_authorization_endpoint",
            "jwks_uri",
        ] {
            assert!(
                body[field].as_str().unwrap().starts_with(&sim.base_url()),
                "{field}"
            );
        }
    }
    let response = http.get(url("unknown.example")).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_aad_error(&response.json().await.unwrap(), "invalid_tenant", 90002);
}

#[tokio::test]
async fn devicelogin_page_approves_and_declines() {
    let sim = start().await;
    let http = client();
    let page = http
        .get(format!("{}/login/devicelogin", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    for needle in [
        "name=\"code\"",
        "name=\"user\"",
        MORGAN,
        "Approve",
        "Decline",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }

    let authorization = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    let user_code = authorization["user_code"].as_str().unwrap();
    let submit = |code: String, action: &'static str| {
        let http = http.clone();
        let url = format!("{}/login/devicelogin", sim.base_url());
        async move {
            http.post(url)
                .form(&[
                    ("code", code.as_str()),
                    ("user", MORGAN),
                    ("action", action),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(submit("WRONGCOD".into(), "approve").await, 400);
    assert_eq!(submit(user_code.into(), "approve").await, 200);
    let (status, _) = poll(
        &sim,
        &http,
        "organizations",
        authorization["device_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, 200);

    let authorization = device_code(&sim, &http, "organizations", DEVOPS_SCOPE).await;
    assert_eq!(
        submit(
            authorization["user_code"].as_str().unwrap().into(),
            "decline"
        )
        .await,
        200
    );
    let (_, body) = poll(
        &sim,
        &http,
        "organizations",
        authorization["device_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(body["error"], "authorization_declined");
}
