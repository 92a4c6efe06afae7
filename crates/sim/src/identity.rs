//! The Microsoft identity platform under `/login` (reference §1): device authorization,
//! token (device code, refresh token, authorization code + PKCE), authorize, OpenID
//! discovery and the `/devicelogin` page.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::responses::{aad_error, escape_html, html_page, json_response};
use crate::scenario::{UserKind, UserSpec, VISUAL_STUDIO_CLIENT_ID};
use crate::state::{
    normalize_user_code, random_string, AccessToken, Audience, AuthorizationCode,
    DeviceAuthorization, DeviceStatus, RefreshToken, Shared, World, DEVOPS_RESOURCE,
    MSA_HOME_TENANT, MSA_TRANSFER_TENANT,
};

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const AUTHORIZATION_CODE_LIFETIME: Duration = Duration::from_secs(600);
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];
const ARM_RESOURCE: &str = "https://management.azure.com";
const GRAPH_RESOURCE: &str = "00000003-0000-0000-c000-000000000000";

type SimState = State<Arc<Shared>>;
type Outcome = Result<Response, Response>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/login/devicelogin",
            get(device_login_page).post(device_login_submit),
        )
        .route(
            "/login/{tenant}/oauth2/v2.0/devicecode",
            post(device_authorization),
        )
        .route("/login/{tenant}/oauth2/v2.0/token", post(token))
        .route(
            "/login/{tenant}/oauth2/v2.0/authorize",
            get(authorize_page).post(authorize_submit),
        )
        .route(
            "/login/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/login/{tenant}/discovery/v2.0/keys", get(signing_keys))
}

/// The `{tenant}` segment of an authority URL (reference §1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Authority {
    Organizations,
    Common,
    Consumers,
    Tenant(String),
}

fn resolve_authority(world: &World, segment: &str) -> Result<Authority, Response> {
    let segment = segment.to_ascii_lowercase();
    match segment.as_str() {
        "organizations" => Ok(Authority::Organizations),
        "common" => Ok(Authority::Common),
        "consumers" | MSA_HOME_TENANT => Ok(Authority::Consumers),
        MSA_TRANSFER_TENANT => Ok(Authority::Tenant(MSA_TRANSFER_TENANT.to_string())),
        _ => match world.tenant(&segment) {
            Some(tenant) => Ok(Authority::Tenant(tenant.id.clone())),
            None => Err(tenant_not_found("invalid_request", &segment)),
        },
    }
}

fn tenant_not_found(error: &str, segment: &str) -> Response {
    aad_error(
        StatusCode::BAD_REQUEST,
        error,
        90002,
        &format!(
            "Tenant '{segment}' not found. Check to make sure you have the correct tenant ID and are \
             signing into the correct cloud. Check with your subscription administrator, this may \
             happen if there are no active subscriptions for the tenant."
        ),
    )
}

fn application_name(client_id: &str) -> &'static str {
    if client_id == VISUAL_STUDIO_CLIENT_ID {
        "Visual Studio - Legacy"
    } else {
        "Public client"
    }
}

fn missing_parameter(name: &str) -> Response {
    aad_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{name}'."),
    )
}

/// The client must be one the scenario knows, and the MSA pass-through clients refuse
/// `/consumers` (reference §1.1, AADSTS9002332).
fn check_client(
    world: &World,
    client_id: Option<&String>,
    authority: &Authority,
    segment: &str,
) -> Result<String, Response> {
    let client_id = match client_id.map(|c| c.trim().to_ascii_lowercase()) {
        Some(id) if !id.is_empty() => id,
        _ => return Err(missing_parameter("client_id")),
    };
    if !world.identity.client_ids.contains(&client_id) {
        return Err(aad_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{segment}'. \
                 This can happen if the application has not been installed by the administrator of the \
                 tenant or consented to by any user in the tenant. You may have sent your authentication \
                 request to the wrong tenant."
            ),
        ));
    }
    if *authority == Authority::Consumers {
        return Err(aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            9002332,
            &format!(
                "Application '{client_id}'({}) is configured for use by Azure Active Directory users only. \
                 Please do not use the /consumers endpoint to serve this request.",
                application_name(&client_id)
            ),
        ));
    }
    Ok(client_id)
}

/// The one resource a set of scopes asks for (v2 issues one token per resource, reference §1.5).
fn audience_of(scopes: &[String]) -> Result<Audience, Response> {
    let mut audiences = Vec::new();
    for scope in scopes {
        if OIDC_SCOPES.contains(&scope.to_ascii_lowercase().as_str()) {
            continue;
        }
        // "<resource>/<permission>"; a bare permission ("User.Read") is Microsoft Graph's.
        let resource = scope
            .rfind('/')
            .map_or(GRAPH_RESOURCE, |slash| &scope[..slash]);
        let resource = resource.trim_end_matches('/').to_ascii_lowercase();
        let audience = match resource.as_str() {
            DEVOPS_RESOURCE | "https://app.vssps.visualstudio.com" => Audience::DevOps,
            ARM_RESOURCE | "https://management.core.windows.net" => Audience::Arm,
            GRAPH_RESOURCE | "https://graph.microsoft.com" => Audience::Graph,
            _ => {
                return Err(aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_resource",
                    500011,
                    &format!(
                        "The resource principal named {resource} was not found in the tenant."
                    ),
                ))
            }
        };
        if !audiences.contains(&audience) {
            audiences.push(audience);
        }
    }
    match audiences.as_slice() {
        [] => Ok(Audience::Graph),
        [one] => Ok(*one),
        _ => Err(aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            28000,
            &format!(
                "Provided value for the input parameter scope is not valid because it contains more than \
                 one resource. Scope {} is not valid.",
                scopes.join(" ")
            ),
        )),
    }
}

fn granted_scope(audience: Audience, scopes: &[String]) -> String {
    let resource_scope = match audience {
        Audience::DevOps => format!("{DEVOPS_RESOURCE}/user_impersonation"),
        Audience::Arm => format!("{ARM_RESOURCE}/user_impersonation"),
        Audience::Graph => "User.Read".to_string(),
    };
    let mut granted = vec![resource_scope];
    for oidc in OIDC_SCOPES {
        if scopes.iter().any(|s| s.eq_ignore_ascii_case(oidc)) {
            granted.push(oidc.to_string());
        }
    }
    granted.join(" ")
}

fn split_scopes(scope: &str) -> Vec<String> {
    scope.split_whitespace().map(str::to_string).collect()
}

fn parse_form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

// ------------------------------------------------------------------ device authorization

async fn device_authorization(
    State(shared): SimState,
    Path(segment): Path<String>,
    body: Bytes,
) -> Outcome {
    let form = parse_form(&body);
    let mut world = shared.world();
    let authority = resolve_authority(&world, &segment)?;
    let client_id = check_client(&world, form.get("client_id"), &authority, &segment)?;
    let scopes = match form.get("scope").map(|s| split_scopes(s)) {
        Some(scopes) if !scopes.is_empty() => scopes,
        _ => return Err(missing_parameter("scope")),
    };
    audience_of(&scopes)?;

    let user_code = loop {
        let code = new_user_code();
        if !world.device_codes.values().any(|d| d.user_code == code) {
            break code;
        }
    };
    let device_code = random_string(96);
    let settings = world.identity.clone();
    let now = world.now();
    world.device_codes.insert(
        device_code.clone(),
        DeviceAuthorization {
            user_code: user_code.clone(),
            client_id,
            tenant_segment: segment.to_ascii_lowercase(),
            scopes,
            issued_at: now,
            expires_in: Duration::from_secs(settings.expires_in_secs),
            interval: Duration::from_secs(settings.interval_secs),
            last_poll: None,
            polls: 0,
            status: DeviceStatus::Pending,
        },
    );

    let verification_uri = format!("{}/login/devicelogin", shared.base_url);
    let mut body = Map::new();
    body.insert("user_code".into(), json!(user_code));
    body.insert("device_code".into(), json!(device_code));
    body.insert("verification_uri".into(), json!(verification_uri));
    body.insert("expires_in".into(), json!(settings.expires_in_secs));
    if !settings.omit_interval {
        let interval = if settings.interval_as_string {
            json!(settings.interval_secs.to_string())
        } else {
            json!(settings.interval_secs)
        };
        body.insert("interval".into(), interval);
    }
    body.insert(
        "message".into(),
        json!(format!(
            "To sign in, use a web browser to open the page {verification_uri} and enter the code \
             {user_code} to authenticate."
        )),
    );
    Ok(json_response(StatusCode::OK, &Value::Object(body)))
}

fn new_user_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..8)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

// ------------------------------------------------------------------ token

async fn token(State(shared): SimState, Path(segment): Path<String>, body: Bytes) -> Outcome {
    let form = parse_form(&body);
    let mut world = shared.world();
    let authority = resolve_authority(&world, &segment)?;
    if form.contains_key("client_secret") || form.contains_key("client_assertion") {
        return Err(aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        ));
    }
    let client_id = check_client(&world, form.get("client_id"), &authority, &segment)?;
    match form.get("grant_type").map(String::as_str) {
        Some(DEVICE_CODE_GRANT) => {
            redeem_device_code(&mut world, &authority, &segment, &client_id, &form)
        }
        Some("refresh_token") => redeem_refresh_token(&mut world, &authority, &client_id, &form),
        Some("authorization_code") => redeem_authorization_code(&mut world, &client_id, &form),
        None | Some("") => Err(missing_parameter("grant_type")),
        Some(other) => Err(aad_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

fn invalid_grant(code: u32, text: &str) -> Response {
    aad_error(StatusCode::BAD_REQUEST, "invalid_grant", code, text)
}

fn already_redeemed() -> Response {
    invalid_grant(
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an \
         existing refresh token.",
    )
}

fn bad_verification_code() -> Response {
    aad_error(
        StatusCode::BAD_REQUEST,
        "bad_verification_code",
        70018,
        "The provided value for the input parameter 'device_code' is not valid.",
    )
}

/// The device-code polling sequence (reference §1.3).
fn redeem_device_code(
    world: &mut World,
    authority: &Authority,
    segment: &str,
    client_id: &str,
    form: &HashMap<String, String>,
) -> Outcome {
    let device_code = match form.get("device_code") {
        Some(code) if !code.is_empty() => code.clone(),
        _ => return Err(missing_parameter("device_code")),
    };
    let now = world.now();
    let send_slow_down = world.identity.send_slow_down;
    let slow_down_first_polls = world.identity.slow_down_first_polls;
    let Some(grant) = world.device_codes.get_mut(&device_code) else {
        return Err(bad_verification_code());
    };
    if grant.client_id != client_id || grant.tenant_segment != segment.to_ascii_lowercase() {
        return Err(bad_verification_code());
    }
    if grant.status == DeviceStatus::Redeemed {
        return Err(already_redeemed());
    }
    if now >= grant.issued_at + grant.expires_in {
        return Err(aad_error(
            StatusCode::BAD_REQUEST,
            "expired_token",
            70019,
            "Verification code expired.",
        ));
    }
    let polled_too_soon = grant
        .last_poll
        .is_some_and(|last| now < last + grant.interval);
    grant.last_poll = Some(now);
    grant.polls += 1;
    let forced_slow_down = grant.polls <= slow_down_first_polls;
    let email = match grant.status.clone() {
        DeviceStatus::Declined => {
            // Entra documents the error name but no AADSTS code for it (reference §1.3).
            return Err(aad_error(
                StatusCode::BAD_REQUEST,
                "authorization_declined",
                70000,
                "The user declined the sign-in request. The device code flow was denied.",
            ));
        }
        DeviceStatus::Pending | DeviceStatus::Approved { .. }
            if forced_slow_down || (send_slow_down && polled_too_soon) =>
        {
            // RFC 8628 §3.5: the client adds 5 s for this and every later poll; so do we.
            grant.interval += Duration::from_secs(5);
            return Err(aad_error(
                StatusCode::BAD_REQUEST,
                "slow_down",
                70016,
                "OAuth 2.0 device flow error. Polling too frequently; slow down.",
            ));
        }
        DeviceStatus::Pending => {
            return Err(aad_error(
                StatusCode::BAD_REQUEST,
                "authorization_pending",
                70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            ));
        }
        DeviceStatus::Redeemed => return Err(already_redeemed()),
        DeviceStatus::Approved { email } => email,
    };
    let scopes = grant.scopes.clone();
    let user = world
        .user(&email)
        .cloned()
        .ok_or_else(bad_verification_code)?;
    if user.conditional_access_blocks_device_code {
        return Err(invalid_grant(
            53003,
            "Access has been blocked by Conditional Access policies. The access policy does not allow \
             token issuance.",
        ));
    }
    let tenant = token_tenant(world, &user, authority, client_id)?;
    let audience = audience_of(&scopes)?;
    if let Some(grant) = world.device_codes.get_mut(&device_code) {
        grant.status = DeviceStatus::Redeemed;
    }
    let body = issue_tokens(world, &user, client_id, &tenant, &scopes, audience, false);
    Ok(json_response(StatusCode::OK, &body))
}

/// The tenant a token is issued for; a user outside the requested tenant gets AADSTS50020.
fn token_tenant(
    world: &World,
    user: &UserSpec,
    authority: &Authority,
    client_id: &str,
) -> Result<String, Response> {
    match authority {
        Authority::Organizations | Authority::Common => Ok(world.default_token_tenant(user)),
        Authority::Consumers => Ok(MSA_HOME_TENANT.to_string()),
        Authority::Tenant(id) if id == MSA_TRANSFER_TENANT && user.kind == UserKind::Msa => {
            Ok(id.clone())
        }
        Authority::Tenant(id) => {
            let tenant = world.tenant_by_id(id);
            if let Some(tenant) = tenant {
                if world.is_tenant_member(tenant, &user.email)
                    || world.is_tenant_guest(tenant, &user.email)
                {
                    return Ok(id.clone());
                }
            }
            let tenant_name = tenant.map(|t| t.display_name.as_str()).unwrap_or(id);
            let idp = match user.kind {
                UserKind::Msa => "live.com".to_string(),
                UserKind::Aad => format!(
                    "https://sts.windows.net/{}/",
                    world.default_token_tenant(user)
                ),
            };
            Err(invalid_grant(
                50020,
                &format!(
                    "User account '{}' from identity provider '{idp}' does not exist in tenant '{tenant_name}' \
                     and cannot access the application '{client_id}'({}) in that tenant. The account needs \
                     to be added as an external user in the tenant first. Sign out and sign in again with a \
                     different Azure Active Directory user account.",
                    user.email,
                    application_name(client_id)
                ),
            ))
        }
    }
}

fn issue_tokens(
    world: &mut World,
    user: &UserSpec,
    client_id: &str,
    tenant: &str,
    scopes: &[String],
    audience: Audience,
    always_refresh_token: bool,
) -> Value {
    let lifetime = world.identity.access_token_lifetime_secs;
    let access_token = random_string(64);
    let now = world.now();
    let utc_now = world.utc_now();
    world.access_tokens.insert(
        access_token.clone(),
        AccessToken {
            email: user.email.clone(),
            audience,
            tenant: tenant.to_string(),
            expires_at: now + Duration::from_secs(lifetime),
            expires_at_utc: utc_now + chrono::Duration::seconds(lifetime as i64),
        },
    );
    let mut body = Map::new();
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("scope".into(), json!(granted_scope(audience, scopes)));
    body.insert("expires_in".into(), json!(lifetime));
    body.insert("ext_expires_in".into(), json!(lifetime));
    body.insert("access_token".into(), json!(access_token));
    let wants = |name: &str| scopes.iter().any(|s| s.eq_ignore_ascii_case(name));
    if always_refresh_token || wants("offline_access") {
        let refresh_token = random_string(96);
        world.refresh_tokens.insert(
            refresh_token.clone(),
            RefreshToken {
                email: user.email.clone(),
                client_id: client_id.to_string(),
                scopes: scopes.to_vec(),
                revoked: false,
            },
        );
        body.insert("refresh_token".into(), json!(refresh_token));
    }
    if wants("openid") {
        body.insert(
            "id_token".into(),
            json!(id_token(user, client_id, tenant, utc_now, lifetime)),
        );
    }
    Value::Object(body)
}

/// An unsigned JWT with the usual v2.0 claims; personal accounts carry the MSA home tenant.
fn id_token(
    user: &UserSpec,
    client_id: &str,
    tenant: &str,
    now: chrono::DateTime<chrono::Utc>,
    lifetime: u64,
) -> String {
    let tid = if user.kind == UserKind::Msa
        && (tenant == MSA_TRANSFER_TENANT || tenant == MSA_HOME_TENANT)
    {
        MSA_HOME_TENANT
    } else {
        tenant
    };
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": "ado-sim"});
    let iat = now.timestamp();
    let claims = json!({
        "aud": client_id,
        "iss": format!("https://login.microsoftonline.com/{tid}/v2.0"),
        "iat": iat,
        "nbf": iat,
        "exp": iat + lifetime as i64,
        "name": user.display_name,
        "oid": user.id,
        "preferred_username": user.email,
        "email": user.email,
        "sub": URL_SAFE_NO_PAD.encode(format!("{}:{client_id}", user.id)),
        "tid": tid,
        "ver": "2.0",
    });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode("ado-sim-unsigned")
    )
}

fn redeem_refresh_token(
    world: &mut World,
    authority: &Authority,
    client_id: &str,
    form: &HashMap<String, String>,
) -> Outcome {
    let refresh_token = match form.get("refresh_token") {
        Some(token) if !token.is_empty() => token.clone(),
        _ => return Err(missing_parameter("refresh_token")),
    };
    let Some(grant) = world.refresh_tokens.get(&refresh_token) else {
        return Err(invalid_grant(
            9002313,
            "Invalid request. Request is malformed or invalid.",
        ));
    };
    if grant.revoked {
        return Err(invalid_grant(
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user \
             might have changed or reset their password.",
        ));
    }
    if grant.client_id != client_id {
        return Err(invalid_grant(
            70000,
            "Provided grant is invalid or malformed.",
        ));
    }
    let original_scopes = grant.scopes.clone();
    let email = grant.email.clone();
    let user = world
        .user(&email)
        .cloned()
        .ok_or_else(|| invalid_grant(70000, "Provided grant is invalid or malformed."))?;
    let mut scopes = match form.get("scope").map(|s| split_scopes(s)) {
        Some(requested) if !requested.is_empty() => requested,
        _ => original_scopes.clone(),
    };
    for oidc in ["openid", "offline_access"] {
        let consented = original_scopes.iter().any(|s| s.eq_ignore_ascii_case(oidc));
        if consented && !scopes.iter().any(|s| s.eq_ignore_ascii_case(oidc)) {
            scopes.push(oidc.to_string());
        }
    }
    let audience = audience_of(&scopes)?;
    let tenant = token_tenant(world, &user, authority, client_id)?;
    if world.identity.rotate_refresh_tokens {
        if let Some(grant) = world.refresh_tokens.get_mut(&refresh_token) {
            grant.revoked = true;
        }
    }
    let body = issue_tokens(world, &user, client_id, &tenant, &scopes, audience, true);
    // The new refresh token keeps the original consent, so a later refresh without `scope`
    // gets the original resource back.
    if let Some(new_token) = body.get("refresh_token").and_then(Value::as_str) {
        if let Some(grant) = world.refresh_tokens.get_mut(new_token) {
            grant.scopes = original_scopes;
        }
    }
    Ok(json_response(StatusCode::OK, &body))
}

fn redeem_authorization_code(
    world: &mut World,
    client_id: &str,
    form: &HashMap<String, String>,
) -> Outcome {
    let code = match form.get("code") {
        Some(code) if !code.is_empty() => code.clone(),
        _ => return Err(missing_parameter("code")),
    };
    let now = world.now();
    let Some(grant) = world.auth_codes.get_mut(&code) else {
        return Err(invalid_grant(
            70000,
            "Provided grant is invalid or malformed.",
        ));
    };
    if grant.redeemed {
        return Err(already_redeemed());
    }
    if now >= grant.issued_at + AUTHORIZATION_CODE_LIFETIME {
        return Err(invalid_grant(
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new \
             interactive authorization request for this user and resource.",
        ));
    }
    if grant.client_id != client_id {
        return Err(invalid_grant(
            70000,
            "Provided grant is invalid or malformed.",
        ));
    }
    let redirect_uri = form.get("redirect_uri").cloned().unwrap_or_default();
    if redirect_uri != grant.redirect_uri {
        return Err(invalid_grant(
            500112,
            &format!(
                "The reply address '{redirect_uri}' does not match the reply address '{}' provided when \
                 requesting Authorization code.",
                grant.redirect_uri
            ),
        ));
    }
    if let Some(challenge) = &grant.code_challenge {
        let verifier = form
            .get("code_verifier")
            .map(String::as_str)
            .unwrap_or_default();
        let computed = if grant.code_challenge_method == "plain" {
            verifier.to_string()
        } else {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
        };
        if verifier.is_empty() || computed != *challenge {
            return Err(invalid_grant(
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            ));
        }
    }
    grant.redeemed = true;
    let (email, tenant, scopes) = (
        grant.email.clone(),
        grant.tenant_segment.clone(),
        grant.scopes.clone(),
    );
    let user = world
        .user(&email)
        .cloned()
        .ok_or_else(|| invalid_grant(70000, "Provided grant is invalid or malformed."))?;
    let audience = audience_of(&scopes)?;
    let body = issue_tokens(world, &user, client_id, &tenant, &scopes, audience, false);
    Ok(json_response(StatusCode::OK, &body))
}

// ------------------------------------------------------------------ authorize (browser + PKCE)

struct AuthorizeRequest {
    authority: Authority,
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    scopes: Vec<String>,
    code_challenge: Option<String>,
    code_challenge_method: String,
    login_hint: Option<String>,
}

/// Loopback redirect URIs only; the port is not matched (reference §1.8, RFC 8252 §7.3).
fn is_loopback_redirect(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    port_ok && (host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost"))
}

fn redirect_to(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{separator}{}", query.finish());
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn redirect_error(
    request_uri: &str,
    state: Option<&str>,
    error: &str,
    code: u32,
    text: &str,
) -> Response {
    let description = format!("AADSTS{code}: {text}");
    let mut params = vec![
        ("error", error),
        ("error_description", description.as_str()),
    ];
    if let Some(state) = state {
        params.push(("state", state));
    }
    redirect_to(request_uri, &params)
}

fn sign_in_error_page(code: u32, text: &str) -> Response {
    html_page(
        StatusCode::BAD_REQUEST,
        "Sorry, but we're having trouble signing you in.",
        &format!("<p>AADSTS{code}: {}</p>", escape_html(text)),
    )
}

/// Validates the authorize query; errors before the redirect URI is trusted are pages,
/// later ones are redirects with `error` (reference §1.8).
fn parse_authorize(
    world: &World,
    segment: &str,
    query: &HashMap<String, String>,
) -> Result<AuthorizeRequest, Response> {
    let authority = resolve_authority(world, segment)
        .map_err(|_| sign_in_error_page(90002, &format!("Tenant '{segment}' not found.")))?;
    let client_id =
        check_client(world, query.get("client_id"), &authority, segment).map_err(|_| {
            sign_in_error_page(
                700016,
                &format!(
                    "Application with identifier '{}' was not found in the directory '{segment}'.",
                    query
                        .get("client_id")
                        .map(String::as_str)
                        .unwrap_or_default()
                ),
            )
        })?;
    let redirect_uri = query.get("redirect_uri").cloned().unwrap_or_default();
    if !is_loopback_redirect(&redirect_uri) {
        return Err(sign_in_error_page(
            50011,
            &format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs \
                 configured for the application '{client_id}'."
            ),
        ));
    }
    let state = query.get("state").cloned();
    let fail = |error: &str, code: u32, text: &str| {
        redirect_error(&redirect_uri, state.as_deref(), error, code, text)
    };
    let response_type = query
        .get("response_type")
        .map(String::as_str)
        .unwrap_or_default();
    if response_type != "code" {
        return Err(fail(
            "unsupported_response_type",
            700054,
            &format!("response_type '{response_type}' is not enabled for the application."),
        ));
    }
    let scopes = split_scopes(query.get("scope").map(String::as_str).unwrap_or_default());
    if scopes.is_empty() {
        return Err(fail(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        ));
    }
    if audience_of(&scopes).is_err() {
        return Err(fail(
            "invalid_scope",
            70011,
            "The provided value for the input parameter 'scope' is not valid.",
        ));
    }
    let code_challenge = query
        .get("code_challenge")
        .filter(|c| !c.is_empty())
        .cloned();
    let code_challenge_method = query
        .get("code_challenge_method")
        .cloned()
        .unwrap_or_else(|| "plain".to_string());
    if code_challenge.is_some()
        && code_challenge_method != "S256"
        && code_challenge_method != "plain"
    {
        return Err(fail(
            "invalid_request",
            50149,
            "Invalid Code_Challenge_method parameter.",
        ));
    }
    Ok(AuthorizeRequest {
        authority,
        client_id,
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        scopes,
        code_challenge,
        code_challenge_method,
        login_hint: query.get("login_hint").cloned(),
    })
}

async fn authorize_page(
    State(shared): SimState,
    Path(segment): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    RawQuery(raw_query): RawQuery,
) -> Outcome {
    let world = shared.world();
    let request = parse_authorize(&world, &segment, &query)?;
    let signed_in = request
        .login_hint
        .as_deref()
        .and_then(|hint| world.user(hint))
        .map(|u| u.email.clone())
        .unwrap_or_else(|| world.identity.browser_user.clone());
    let options = user_options(&world, &signed_in);
    let action = format!("?{}", raw_query.unwrap_or_default());
    let body = format!(
        "<p>{} wants to sign you in.</p>\n\
         <form method=\"post\" action=\"{}\">\n\
         <label for=\"user\">Signed in as</label>\n<select id=\"user\" name=\"user\">{options}</select>\n\
         <button type=\"submit\" name=\"action\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" name=\"action\" value=\"decline\">Decline</button>\n</form>",
        escape_html(application_name(&request.client_id)),
        escape_html(&action)
    );
    Ok(html_page(StatusCode::OK, "Sign in to your account", &body))
}

async fn authorize_submit(
    State(shared): SimState,
    Path(segment): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Outcome {
    let form = parse_form(&body);
    let mut world = shared.world();
    let request = parse_authorize(&world, &segment, &query)?;
    let fail = |error: &str, code: u32, text: &str| {
        redirect_error(
            &request.redirect_uri,
            request.state.as_deref(),
            error,
            code,
            text,
        )
    };
    if form.get("action").map(String::as_str) != Some("approve") {
        return Err(fail(
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        ));
    }
    let email = form
        .get("user")
        .cloned()
        .unwrap_or_else(|| world.identity.browser_user.clone());
    let Some(user) = world.user(&email).cloned() else {
        return Err(fail(
            "access_denied",
            50034,
            "The user account does not exist in the directory.",
        ));
    };
    let tenant = match token_tenant(&world, &user, &request.authority, &request.client_id) {
        Ok(tenant) => tenant,
        Err(_) => {
            return Err(fail(
                "access_denied",
                50020,
                &format!(
                    "User account '{}' from identity provider does not exist in tenant '{segment}' and cannot \
                     access the application '{}' in that tenant.",
                    user.email, request.client_id
                ),
            ))
        }
    };
    let code = random_string(80);
    let now = world.now();
    world.auth_codes.insert(
        code.clone(),
        AuthorizationCode {
            email: user.email.clone(),
            client_id: request.client_id.clone(),
            tenant_segment: tenant,
            redirect_uri: request.redirect_uri.clone(),
            scopes: request.scopes.clone(),
            code_challenge: request.code_challenge.clone(),
            code_challenge_method: request.code_challenge_method.clone(),
            issued_at: now,
            redeemed: false,
        },
    );
    let mut params = vec![("code", code.as_str())];
    if let Some(state) = &request.state {
        params.push(("state", state.as_str()));
    }
    Ok(redirect_to(&request.redirect_uri, &params))
}

fn user_options(world: &World, selected: &str) -> String {
    world
        .users
        .iter()
        .map(|u| {
            format!(
                "<option value=\"{}\"{}>{} &lt;{}&gt;</option>",
                escape_html(&u.email),
                if u.email == selected { " selected" } else { "" },
                escape_html(&u.display_name),
                escape_html(&u.email)
            )
        })
        .collect()
}

// ------------------------------------------------------------------ OpenID discovery

async fn openid_configuration(State(shared): SimState, Path(segment): Path<String>) -> Outcome {
    let world = shared.world();
    let segment = segment.to_ascii_lowercase();
    let (issuer_tenant, path_tenant) = match resolve_authority(&world, &segment) {
        Ok(Authority::Organizations) | Ok(Authority::Common) => {
            ("{tenantid}".to_string(), segment.clone())
        }
        Ok(Authority::Consumers) => (MSA_HOME_TENANT.to_string(), MSA_HOME_TENANT.to_string()),
        Ok(Authority::Tenant(id)) => (id.clone(), id),
        Err(_) => return Err(tenant_not_found("invalid_tenant", &segment)),
    };
    let login = format!("{}/login/{path_tenant}", shared.base_url);
    let body = json!({
        "token_endpoint": format!("{login}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{login}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("https://login.microsoftonline.com/{issuer_tenant}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": format!("{login}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{login}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{login}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
            "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid",
            "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": format!("{login}/kerberos"),
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    });
    Ok(json_response(StatusCode::OK, &body))
}

async fn signing_keys() -> Response {
    json_response(StatusCode::OK, &json!({"keys": []}))
}

// ------------------------------------------------------------------ /devicelogin

async fn device_login_page(
    State(shared): SimState,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let world = shared.world();
    let code = query.get("code").map(String::as_str).unwrap_or_default();
    let options = user_options(&world, &world.identity.browser_user);
    let body = format!(
        "<p>Enter the code displayed on your app or device.</p>\n\
         <form method=\"post\" action=\"/login/devicelogin\">\n\
         <label for=\"code\">Code</label>\n\
         <input id=\"code\" name=\"code\" autocomplete=\"off\" maxlength=\"12\" value=\"{}\">\n\
         <label for=\"user\">Sign in as</label>\n<select id=\"user\" name=\"user\">{options}</select>\n\
         <button type=\"submit\" name=\"action\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" name=\"action\" value=\"decline\">Decline</button>\n</form>",
        escape_html(code)
    );
    html_page(StatusCode::OK, "Enter code", &body)
}

async fn device_login_submit(State(shared): SimState, body: Bytes) -> Response {
    let form = parse_form(&body);
    let code = form.get("code").map(String::as_str).unwrap_or_default();
    let email = form.get("user").map(String::as_str).unwrap_or_default();
    let mut world = shared.world();
    let done = match form.get("action").map(String::as_str) {
        Some("decline") => world.decline(code),
        _ => world.approve(code, email),
    };
    if done {
        let message = if form.get("action").map(String::as_str) == Some("decline") {
            "You have declined to sign in to the application on your device. You may now close this window."
        } else {
            "You have signed in to the application on your device. You may now close this window."
        };
        html_page(StatusCode::OK, "Done", &format!("<p>{message}</p>"))
    } else {
        let known = world
            .device_codes
            .values()
            .any(|d| d.user_code == normalize_user_code(code));
        let message = if known {
            "The code you entered has expired or was already used. Get a new code from the device you're \
             trying to sign in to and try again."
        } else {
            "That code didn't work. Check the code and try again."
        };
        html_page(
            StatusCode::BAD_REQUEST,
            "Enter code",
            &format!("<p>{message}</p>"),
        )
    }
}
