//! Azure DevOps: shapes against the spec examples, 203 vs 401, the tenant probe, the
//! connect rules, user entitlements and PATs.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

async fn get_json(http: &reqwest::Client, url: String, token: &str) -> (u16, Value) {
    let response = http.get(url).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn patch_tenant(
    sim: &ado_sim::Sim,
    http: &reqwest::Client,
    org: &str,
    token: &str,
    op: Value,
    tenant: &str,
) -> (u16, Value) {
    let response = http
        .patch(format!(
            "{}/vssps/{org}/_apis/Organization/Organizations/Me?api-version=5.0-preview.1",
            sim.base_url()
        ))
        .bearer_auth(token)
        .header("content-type", "application/json-patch+json")
        .body(json!([{"from": "", "op": op, "path": "/TenantId", "value": tenant}]).to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn profile_matches_the_spec_example() {
    let sim = start().await;
    let http = client();
    let token = devops_token(&sim, &http).await;
    let (status, body) = get_json(
        &http,
        format!(
            "{}/app.vssps/_apis/profile/profiles/me?api-version=7.1",
            sim.base_url()
        ),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    let example = example_body("profile/7.1/httpExamples/profiles/GET__profile_profiles_me.json");
    assert_has_example_fields(&example, &body, "profile");
    assert_eq!(body["id"], MORGAN_ID);
    assert_eq!(body["publicAlias"], MORGAN_ID);
    assert_eq!(body["emailAddress"], MORGAN);
    assert_eq!(body["displayName"], "Morgan Lee");
    assert_eq!(sim.request_count("profile"), 1);
}

#[tokio::test]
async fn accounts_match_the_spec_and_check_the_member_id() {
    let sim = start().await;
    let http = client();
    let token = devops_token(&sim, &http).await;
    let spec = spec_json("account/7.1/accounts.json");
    for (query, example) in [
        (
            "memberId",
            "account/7.1/httpExamples/accounts/GET__Accounts_memberId-_userId_.json",
        ),
        (
            "ownerId",
            "account/7.1/httpExamples/accounts/GET__Accounts_ownerId-_userId_.json",
        ),
    ] {
        let (status, body) = get_json(
            &http,
            format!(
                "{}/app.vssps/_apis/accounts?{query}={MORGAN_ID}&api-version=7.1",
                sim.base_url()
            ),
            &token,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_has_example_fields(&example_body(example), &body, query);
        assert_eq!(body["count"], 3);
        let names: Vec<&str> = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["accountName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["fabrikam-fiber", "contoso-web", "northwind-ops"]);
        for account in body["value"].as_array().unwrap() {
            assert_only_spec_fields(&spec, "Account", account);
            assert_eq!(account["accountOwner"], MORGAN_ID);
            let uri = account["accountUri"].as_str().unwrap();
            assert_eq!(
                uri,
                format!(
                    "{}/vssps/{}/",
                    sim.base_url(),
                    account["accountName"].as_str().unwrap()
                )
            );
        }
    }
    let (status, body) = get_json(
        &http,
        format!("{}/app.vssps/_apis/accounts?memberId=3f0b2c1e-8d4a-4b6e-9c2f-7a1d5e8b9c02&api-version=7.1", sim.base_url()),
        &token,
    )
    .await;
    assert_eq!(status, 401);
    assert_ado_envelope(&body, "TF400813");
}

#[tokio::test]
async fn bad_tokens_get_203_html_on_get_and_post_and_401_on_patch() {
    let sim = start().await;
    let http = client();
    let profile = format!(
        "{}/app.vssps/_apis/profile/profiles/me?api-version=7.1",
        sim.base_url()
    );

    let response = http.get(&profile).send().await.unwrap();
    assert_eq!(response.status(), 203, "no token");
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(response.text().await.unwrap().contains("Sign In"));

    let response = http
        .get(&profile)
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 203, "unknown token");

    let response = http
        .post(format!(
            "{}/vsaex/fabrikam-fiber/_apis/userentitlements?api-version=7.1",
            sim.base_url()
        ))
        .bearer_auth("forged")
        .json(&json!({"user": {"principalName": "x@example.com"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 203, "POST with a bad token");

    let (status, body) =
        patch_tenant(&sim, &http, "fabrikam-fiber", "forged", json!(2), CONTOSO).await;
    assert_eq!(status, 401);
    assert_ado_envelope(&body, "TF400813: The user '' is not authorized");

    // An ARM token is not a DevOps token; an expired DevOps token is no token either.
    let tokens = sign_in_as(&sim, &http, "organizations", MORGAN, DEVOPS_SCOPE).await;
    let (_, arm) = refresh(
        &sim,
        &http,
        "organizations",
        tokens["refresh_token"].as_str().unwrap(),
        Some(ARM_SCOPE),
    )
    .await;
    let response = http
        .get(&profile)
        .bearer_auth(arm["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 203);

    let token = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        http.get(&profile)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    sim.advance_clock(Duration::from_secs(3600));
    assert_eq!(
        http.get(&profile)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status(),
        203
    );
}

#[tokio::test]
async fn probe_reports_the_tenant_without_authentication() {
    let sim = start().await;
    let http = client();

    let response = http
        .head(format!("{}/dev/fabrikam-fiber", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["x-vss-resourcetenant"], EMPTY_GUID);
    let challenges: Vec<&str> = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        challenges.contains(&"Bearer authorization_uri=https://login.microsoftonline.com/common"),
        "{challenges:?}"
    );
    assert!(
        challenges.iter().any(|c| c.starts_with("Basic realm=")),
        "{challenges:?}"
    );

    let response = http
        .get(format!("{}/dev/Northwind-Ops/", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["x-vss-resourcetenant"], CONTOSO);
    let bearer = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .next()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        bearer,
        format!("Bearer authorization_uri=https://login.microsoftonline.com/{CONTOSO}")
    );

    let response = http
        .head(format!("{}/dev/no-such-org", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.headers().get("x-vss-resourcetenant").is_none());
    assert_eq!(sim.request_count("probe"), 3);

    let response = http
        .get(format!(
            "{}/dev/fabrikam-fiber/_settings/organizationAad",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(sim.request_count("settings"), 1);
}

#[tokio::test]
async fn connect_applies_only_for_active_members_of_the_target_tenant() {
    let sim = start().await;
    let http = client();
    let token = devops_token(&sim, &http).await;

    // A guest of Fabrikam may not link.
    let (status, body) =
        patch_tenant(&sim, &http, "fabrikam-fiber", &token, json!(2), FABRIKAM).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "User: morgan.lee@outlook.com is not allowed to link organization: fabrikam-fiber to AAD tenant: \
         fabrikam.com. Only active members of the AAD tenant are allowed to perform the link."
    );
    assert_ado_envelope(&body, "User: ");

    // An unknown tenant is refused.
    let (status, body) = patch_tenant(
        &sim,
        &http,
        "fabrikam-fiber",
        &token,
        json!(2),
        "12345678-1234-1234-1234-123456789012",
    )
    .await;
    assert_eq!(status, 400);
    assert_ado_envelope(&body, "");
    assert_eq!(sim.org_tenant("fabrikam-fiber"), None);

    // A member of Contoso may; the probe then shows the tenant.
    let (status, body) =
        patch_tenant(&sim, &http, "fabrikam-fiber", &token, json!(2), CONTOSO).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tenantId"], CONTOSO);
    assert_eq!(body["name"], "fabrikam-fiber");
    for field in ["id", "type", "status"] {
        assert!(body.get(field).is_some(), "{field}");
    }
    assert_eq!(sim.org_tenant("fabrikam-fiber").as_deref(), Some(CONTOSO));
    let response = http
        .head(format!("{}/dev/fabrikam-fiber", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-vss-resourcetenant"], CONTOSO);

    // "replace" works as op 2; the connected organization now wants a Contoso token, and
    // the empty GUID disconnects.
    let (status, _) = patch_tenant(
        &sim,
        &http,
        "contoso-web",
        &token,
        json!("replace"),
        CONTOSO,
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) =
        patch_tenant(&sim, &http, "contoso-web", &token, json!(2), EMPTY_GUID).await;
    assert_eq!(
        status, 401,
        "an `organizations` token does not reach a connected org: {body}"
    );
    let contoso_token = devops_token_for_tenant(&sim, &http, CONTOSO).await;
    let (status, body) = patch_tenant(
        &sim,
        &http,
        "contoso-web",
        &contoso_token,
        json!(2),
        EMPTY_GUID,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tenantId"], EMPTY_GUID);
    assert_eq!(sim.org_tenant("contoso-web"), None);
}

#[tokio::test]
async fn connect_needs_the_owner_or_an_admin_and_json_patch() {
    let sim = start().await;
    let http = client();
    let kai = sign_in_as(
        &sim,
        &http,
        "organizations",
        "kai.tanaka@contoso.com",
        DEVOPS_SCOPE,
    )
    .await;
    let (status, body) = patch_tenant(
        &sim,
        &http,
        "fabrikam-fiber",
        kai["access_token"].as_str().unwrap(),
        json!(2),
        CONTOSO,
    )
    .await;
    assert_eq!(status, 403);
    assert_ado_envelope(&body, "TF50309");

    let token = devops_token(&sim, &http).await;
    let url = format!(
        "{}/vssps/fabrikam-fiber/_apis/Organization/Organizations/Me?api-version=5.0-preview.1",
        sim.base_url()
    );
    let response = http
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!([{"from": "", "op": 2, "path": "/TenantId", "value": CONTOSO}]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415, "application/json is not JSON Patch");

    let response = http
        .get(url.replace("5.0-preview.1", "5.0"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_ado_envelope(&response.json().await.unwrap(), "The requested version");

    let (status, body) = get_json(&http, url, &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["tenantId"], EMPTY_GUID);
    assert_eq!(body["type"], "personal");
    assert_eq!(
        sim.org_tenant("fabrikam-fiber"),
        None,
        "nothing was applied"
    );
}

#[tokio::test]
async fn entitlements_match_the_spec_and_invitations_stay_pending_until_first_sign_in() {
    let sim = start().await;
    let http = client();
    let token = devops_token(&sim, &http).await;
    let url = format!(
        "{}/vsaex/fabrikam-fiber/_apis/userentitlements?api-version=7.1",
        sim.base_url()
    );

    let (status, list) = get_json(&http, url.clone(), &token).await;
    assert_eq!(status, 200);
    assert_eq!(list["totalCount"], 4);
    assert!(list.get("continuationToken").is_some());
    let example = example_body("memberEntitlementManagement/7.1/httpExamples/UserEntitlements/GET__memberEntitlementManagement_UserEntitlementById.json");
    let spec = spec_json("memberEntitlementManagement/7.1/memberEntitlementManagement.json");
    for item in list["items"].as_array().unwrap() {
        assert_has_example_fields(&example, item, "item");
        assert_only_spec_fields(&spec, "AccessLevel", &item["accessLevel"]);
        assert_eq!(item["user"]["origin"], "msa");
    }
    let sam = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"]["principalName"] == "sam.rivera@gmail.com")
        .unwrap();
    let (status, one) = get_json(
        &http,
        format!(
            "{}/vsaex/fabrikam-fiber/_apis/userentitlements/{}?api-version=7.1",
            sim.base_url(),
            sam["id"].as_str().unwrap()
        ),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(one["user"]["mailAddress"], "sam.rivera@gmail.com");

    // Invite with the spec example's body, changed to an address of our own.
    let mut request = spec_json("memberEntitlementManagement/7.1/httpExamples/UserEntitlements/POST__memberEntitlementManagement_UserEntitlement.json")["parameters"]["body"].clone();
    request["user"]["principalName"] = json!("ana@contoso.com");
    let response = http
        .post(&url)
        .bearer_auth(&token)
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let added: Value = response.json().await.unwrap();
    let example = example_body("memberEntitlementManagement/7.1/httpExamples/UserEntitlements/POST__memberEntitlementManagement_UserEntitlement.json");
    assert_has_example_fields(&example, &added, "post");
    assert_eq!(added["isSuccess"], true);
    assert_eq!(added["operationResult"]["isSuccess"], true);
    assert_eq!(added["userEntitlement"]["accessLevel"]["status"], "pending");
    assert_eq!(
        added["userEntitlement"]["accessLevel"]["licenseDisplayName"],
        "Basic"
    );
    assert_eq!(
        added["userEntitlement"]["lastAccessedDate"],
        "0001-01-01T00:00:00Z"
    );

    assert!(!sim.simulate_first_sign_in("fabrikam-fiber", "nobody@contoso.com"));
    assert!(sim.simulate_first_sign_in("fabrikam-fiber", "ana@contoso.com"));
    let (_, list) = get_json(&http, url.clone(), &token).await;
    assert_eq!(list["totalCount"], 5);
    let ana = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"]["principalName"] == "ana@contoso.com")
        .unwrap();
    assert_eq!(ana["accessLevel"]["status"], "active");
    assert_ne!(ana["lastAccessedDate"], "0001-01-01T00:00:00Z");

    let response = http
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"user": {"principalName": "not an address", "subjectKind": "user"}}))
        .send()
        .await
        .unwrap();
    let failed: Value = response.json().await.unwrap();
    assert_eq!(failed["isSuccess"], false);
    assert_eq!(failed["operationResult"]["isSuccess"], false);
    let error = &failed["operationResult"]["errors"][0];
    assert!(
        error.get("key").is_some() && error["value"].is_string(),
        "{failed}"
    );
}

#[tokio::test]
async fn connected_orgs_invite_only_addresses_of_their_directory() {
    let sim = start().await;
    let http = client();
    let token = devops_token_for_tenant(&sim, &http, CONTOSO).await;
    let url = format!(
        "{}/vsaex/northwind-ops/_apis/userentitlements?api-version=7.1",
        sim.base_url()
    );
    let invite = |address: &'static str| {
        let http = http.clone();
        let url = url.clone();
        let token = token.clone();
        async move {
            let response = http
                .post(url)
                .bearer_auth(token)
                .json(&json!({"accessLevel": {"licensingSource": "account", "accountLicenseType": "stakeholder"}, "user": {"principalName": address, "subjectKind": "user"}}))
                .send()
                .await
                .unwrap();
            response.json::<Value>().await.unwrap()
        }
    };
    let outside = invite("sam.rivera@gmail.com").await;
    assert_eq!(outside["operationResult"]["isSuccess"], false, "{outside}");
    let inside = invite("chris.diaz@contoso.com").await;
    assert_eq!(inside["operationResult"]["isSuccess"], true, "{inside}");
    assert_eq!(inside["userEntitlement"]["user"]["origin"], "aad");
    assert_eq!(
        inside["userEntitlement"]["accessLevel"]["licenseDisplayName"],
        "Stakeholder"
    );

    // The invited user signs in and calls the organization: the invitation is accepted.
    let chris = sign_in_as(&sim, &http, CONTOSO, "chris.diaz@contoso.com", DEVOPS_SCOPE).await;
    let (status, _) = get_json(&http, url.clone(), chris["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let (_, list) = get_json(&http, url, &token).await;
    let chris = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"]["principalName"] == "chris.diaz@contoso.com")
        .unwrap();
    assert_eq!(chris["accessLevel"]["status"], "active");
}

async fn create_pat(
    sim: &ado_sim::Sim,
    http: &reqwest::Client,
    org: &str,
    token: &str,
    body: Value,
) -> Value {
    let response = http
        .post(format!(
            "{}/vssps/{org}/_apis/tokens/pats?api-version=7.1-preview.1",
            sim.base_url()
        ))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339()
}

#[tokio::test]
async fn pats_need_a_connected_org_and_follow_the_tenant_policy() {
    let mut scenario = fast_demo();
    let contoso = scenario
        .tenants
        .iter_mut()
        .find(|t| t.id == CONTOSO)
        .unwrap();
    contoso.pat_policy.block_full_scope = true;
    contoso.pat_policy.max_lifespan_days = Some(30);
    let sim = start_with(scenario).await;
    let http = client();

    let msa_token = devops_token(&sim, &http).await;
    let denied = create_pat(&sim, &http, "fabrikam-fiber", &msa_token, json!({"displayName": "ci", "scope": "vso.code_write", "validTo": in_days(7), "allOrgs": false})).await;
    assert_eq!(denied["patTokenError"], "accessDenied");

    let token = devops_token_for_tenant(&sim, &http, CONTOSO).await;
    let full = create_pat(&sim, &http, "northwind-ops", &token, json!({"displayName": "all", "scope": "app_token", "validTo": in_days(7), "allOrgs": false})).await;
    assert_eq!(full["patTokenError"], "fullScopePatPolicyViolation");
    let long = create_pat(&sim, &http, "northwind-ops", &token, json!({"displayName": "long", "scope": "vso.code_write", "validTo": in_days(90), "allOrgs": false})).await;
    assert_eq!(long["patTokenError"], "patLifespanPolicyViolation");

    let created = create_pat(&sim, &http, "northwind-ops", &token, json!({"displayName": "git", "scope": "vso.code_write vso.packaging", "validTo": in_days(7), "allOrgs": false})).await;
    assert_eq!(created["patTokenError"], "none", "{created}");
    let example = spec_json("tokens/7.1/httpExamples/Pats/CreatePat.json")["responses"]["200"]
        ["body"]
        .clone();
    assert_has_example_fields(&example, &created, "pat");
    let spec = spec_json("tokens/7.1/tokens.json");
    assert_only_spec_fields(&spec, "PatToken", &created["patToken"]);
    assert_only_spec_fields(&spec, "PatTokenResult", &created);
    let pat = created["patToken"]["token"].as_str().unwrap();
    assert_eq!(
        created["patToken"]["targetAccounts"],
        json!(["8e1d2c3b-4a5f-4607-98a9-b0c1d2e3f403"])
    );

    let (status, list) = get_json(
        &http,
        format!(
            "{}/vssps/northwind-ops/_apis/tokens/pats?api-version=7.1-preview.1",
            sim.base_url()
        ),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    let example =
        spec_json("tokens/7.1/httpExamples/Pats/ListPats.json")["responses"]["200"]["body"].clone();
    assert_has_example_fields(&example, &list, "list");
    assert_eq!(list["patTokens"].as_array().unwrap().len(), 1);
    assert!(
        list["patTokens"][0]["token"].is_null(),
        "the secret is shown only at creation"
    );

    // The PAT works with Basic auth on its organization, not on the tokens API.
    let basic = format!(
        "{}/vsaex/northwind-ops/_apis/userentitlements?api-version=7.1",
        sim.base_url()
    );
    let response = http
        .get(&basic)
        .basic_auth("", Some(pat))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = http
        .get(basic.replace("northwind-ops", "fabrikam-fiber"))
        .basic_auth("", Some(pat))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = http
        .get(format!(
            "{}/vssps/northwind-ops/_apis/tokens/pats?api-version=7.1-preview.1",
            sim.base_url()
        ))
        .basic_auth("", Some(pat))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
