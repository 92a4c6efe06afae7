//! Azure Resource Manager: tenants, subscriptions, billing resources, audience checks.

mod common;

use common::*;
use serde_json::Value;

async fn arm_token(sim: &ado_sim::Sim, http: &reqwest::Client, email: &str) -> String {
    let tokens = sign_in_as(sim, http, "organizations", email, DEVOPS_SCOPE).await;
    let (status, arm) = refresh(
        sim,
        http,
        "organizations",
        tokens["refresh_token"].as_str().unwrap(),
        Some(ARM_SCOPE),
    )
    .await;
    assert_eq!(status, 200, "{arm}");
    arm["access_token"].as_str().unwrap().to_string()
}

async fn get(http: &reqwest::Client, url: String, token: Option<&str>) -> (u16, Value) {
    let mut request = http.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn tenants_lists_member_and_guest_directories() {
    let sim = start().await;
    let http = client();
    let token = arm_token(&sim, &http, MORGAN).await;
    let (status, body) = get(
        &http,
        format!("{}/arm/tenants?api-version=2022-12-01", sim.base_url()),
        Some(&token),
    )
    .await;
    assert_eq!(status, 200);
    let tenants = body["value"].as_array().unwrap();
    assert_eq!(tenants.len(), 2);
    let contoso = tenants.iter().find(|t| t["tenantId"] == CONTOSO).unwrap();
    assert_eq!(contoso["id"], format!("/tenants/{CONTOSO}"));
    assert_eq!(contoso["displayName"], "Contoso Ltd");
    assert_eq!(contoso["defaultDomain"], "contoso.com");
    for field in ["countryCode", "domains", "tenantCategory", "tenantType"] {
        assert!(contoso.get(field).is_some(), "{field}");
    }
    assert!(
        tenants.iter().any(|t| t["tenantId"] == FABRIKAM),
        "guest tenants are listed too"
    );

    let sam = arm_token(&sim, &http, "sam.rivera@gmail.com").await;
    let (_, body) = get(
        &http,
        format!("{}/arm/tenants?api-version=2022-12-01", sim.base_url()),
        Some(&sam),
    )
    .await;
    assert_eq!(body["value"], serde_json::json!([]));
    assert_eq!(sim.request_count("tenants"), 2);
}

#[tokio::test]
async fn devops_tokens_and_missing_tokens_are_refused_by_arm() {
    let sim = start().await;
    let http = client();
    let url = format!("{}/arm/tenants?api-version=2022-12-01", sim.base_url());
    let devops = devops_token(&sim, &http).await;
    let (status, body) = get(&http, url.clone(), Some(&devops)).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wrong audience"));

    let (status, body) = get(&http, url, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "AuthenticationFailed");

    let token = arm_token(&sim, &http, MORGAN).await;
    let (status, body) = get(
        &http,
        format!("{}/arm/tenants", sim.base_url()),
        Some(&token),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "MissingApiVersionParameter");
}

#[tokio::test]
async fn billing_shows_as_a_visual_studio_account_resource() {
    let sim = start().await;
    let http = client();
    let token = arm_token(&sim, &http, MORGAN).await;
    let (status, body) = get(
        &http,
        format!(
            "{}/arm/subscriptions?api-version=2022-12-01",
            sim.base_url()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(status, 200);
    let subscription = &body["value"][0];
    let id = subscription["subscriptionId"].as_str().unwrap().to_string();
    assert_eq!(subscription["tenantId"], CONTOSO);
    assert_eq!(subscription["displayName"], "Contoso Pay-As-You-Go");

    let (status, body) = get(
        &http,
        format!(
            "{}/arm/subscriptions/{id}/resources?$filter=resourceType eq 'microsoft.visualstudio/account'&api-version=2021-04-01",
            sim.base_url()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let resources = body["value"].as_array().unwrap();
    assert_eq!(resources.len(), 1);
    assert_eq!(resources[0]["name"], "fabrikam-fiber");
    assert_eq!(resources[0]["type"], "microsoft.visualstudio/account");
    assert!(resources[0]["id"]
        .as_str()
        .unwrap()
        .starts_with(&format!("/subscriptions/{id}/resourceGroups/")));

    let (status, body) = get(
        &http,
        format!("{}/arm/subscriptions/99999999-9999-9999-9999-999999999999/resources?api-version=2021-04-01", sim.base_url()),
        Some(&token),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "SubscriptionNotFound");

    let kai = arm_token(&sim, &http, "kai.tanaka@contoso.com").await;
    let (status, body) = get(
        &http,
        format!(
            "{}/arm/subscriptions/{id}/resources?api-version=2021-04-01",
            sim.base_url()
        ),
        Some(&kai),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "AuthorizationFailed");
    assert_eq!(sim.request_count("subscriptions"), 1);
    assert_eq!(sim.request_count("resources"), 3);
}
