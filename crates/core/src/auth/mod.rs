//! Sign-in with the Microsoft identity platform (reference §1): the device authorization
//! grant, the loopback + PKCE browser fallback, refresh, and domain-to-tenant resolution.

pub mod device;
pub mod identity_error;
pub mod loopback;
pub mod store;

use crate::config::IdentityConfig;
use crate::error::{Error, ErrorCode, Result};
use crate::http::{self, Body, HttpClient, Request};
use crate::secret::Secret;
use device::{PollOutcome, PollProgress};
use identity_error::IdentityErrorBody;
use reqwest::Method;
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A started device sign-in. The device code itself stays here and never crosses IPC.
#[derive(Debug)]
pub struct DeviceAuthorization {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    pub expires_in: Duration,
    pub interval: Duration,
    pub tenant: String,
    pub issued_at: Instant,
    device_code: Secret,
}

/// Tokens from the token endpoint. Neither `Debug` nor anything else prints them.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_at: Instant,
    pub scope: String,
}

#[derive(Deserialize)]
struct TokenResponseBody {
    access_token: Secret,
    #[serde(default)]
    refresh_token: Option<Secret>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    scope: Option<String>,
}

/// The longest token lifetime believed: a day. Entra's access tokens live about an hour; a
/// larger `expires_in` is a service fault, and `Instant + u64::MAX s` would panic.
const MAX_TOKEN_LIFETIME_SECS: u64 = 86_400;
/// The longest device-code lifetime believed (Entra's is 15 minutes).
const MAX_DEVICE_CODE_LIFETIME_SECS: u64 = 3_600;

/// A token endpoint's successful answer (reference §1.3), received at `received_at`.
pub fn parse_token_response(body: &[u8], received_at: Instant) -> Result<TokenSet> {
    let body: TokenResponseBody =
        serde_json::from_slice(body).map_err(|e| http::malformed("token", &e.to_string()))?;
    if body.access_token.is_empty() {
        return Err(http::malformed("token", "empty access_token"));
    }
    Ok(body.into_token_set(received_at))
}

impl TokenResponseBody {
    fn into_token_set(self, received_at: Instant) -> TokenSet {
        let secs = match &self.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.parse().ok(),
            _ => None,
        }
        .unwrap_or(3599)
        .min(MAX_TOKEN_LIFETIME_SECS);
        TokenSet {
            access_token: self.access_token,
            refresh_token: self.refresh_token.filter(|r| !r.is_empty()),
            // Renew a minute early so a token does not expire in flight.
            expires_at: received_at + Duration::from_secs(secs.saturating_sub(60)),
            scope: self.scope.unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct IdentityClient {
    http: HttpClient,
    cfg: IdentityConfig,
}

impl IdentityClient {
    pub fn new(cfg: IdentityConfig, http: HttpClient) -> Self {
        IdentityClient { http, cfg }
    }

    pub fn config(&self) -> &IdentityConfig {
        &self.cfg
    }

    fn endpoint(&self, tenant: &str, path: &str) -> Result<url::Url> {
        crate::config::validate_tenant_segment(tenant)
            .map_err(|why| Error::invalid_input("directory", why))?;
        let base = self.cfg.authority_host.trim_end_matches('/');
        url::Url::parse(&format!("{base}/{tenant}/{path}"))
            .map_err(|e| Error::internal(format!("identity URL: {e}")))
    }

    /// POST `{authority}/{tenant}/oauth2/v2.0/devicecode`.
    pub async fn start_device_authorization(&self) -> Result<DeviceAuthorization> {
        self.start_device_authorization_for(&self.cfg.tenant).await
    }

    /// As [`Self::start_device_authorization`] against a given tenant: after connecting, the
    /// owner signs in again with the work account against `/{tenantId}` (reference §5 step 3).
    pub async fn start_device_authorization_for(
        &self,
        tenant: &str,
    ) -> Result<DeviceAuthorization> {
        let tenant = tenant.to_string();
        let url = self.endpoint(&tenant, "oauth2/v2.0/devicecode")?;
        let form = vec![
            ("client_id".to_string(), self.cfg.client_id.clone()),
            ("scope".to_string(), self.cfg.scopes.join(" ")),
        ];
        let resp = self
            .http
            .send(
                Request::new(Method::POST, url, "devicecode")
                    .body(Body::Form(form))
                    .any_status(),
            )
            .await?;
        let issued_at = Instant::now();
        if !resp.status.is_success() {
            return Err(identity_failure(
                resp.status.as_u16(),
                &resp.body,
                "devicecode",
            ));
        }
        parse_device_authorization(&resp.body, tenant, issued_at)
    }

    /// One poll of the token endpoint with the device code.
    async fn poll_once(&self, auth: &DeviceAuthorization) -> PollOutcome<TokenSet> {
        let url = match self.endpoint(&auth.tenant, "oauth2/v2.0/token") {
            Ok(u) => u,
            Err(e) => return PollOutcome::Failed(e),
        };
        let form = vec![
            ("grant_type".to_string(), DEVICE_CODE_GRANT.to_string()),
            ("client_id".to_string(), self.cfg.client_id.clone()),
            (
                "device_code".to_string(),
                auth.device_code.expose().to_string(),
            ),
        ];
        let resp = match self
            .http
            .send(
                Request::new(Method::POST, url, "token")
                    .body(Body::Form(form))
                    .any_status(),
            )
            .await
        {
            Ok(r) => r,
            Err(e) => return PollOutcome::Failed(e),
        };
        if resp.status.is_success() {
            return match parse_token_response(&resp.body, Instant::now()) {
                Ok(tokens) => PollOutcome::Token(tokens),
                Err(e) => PollOutcome::Failed(e),
            };
        }
        match IdentityErrorBody::parse(&resp.body) {
            Some(b) if b.error == "authorization_pending" => PollOutcome::Pending,
            Some(b) if b.error == "slow_down" => PollOutcome::SlowDown,
            _ => PollOutcome::Failed(identity_failure(resp.status.as_u16(), &resp.body, "token")),
        }
    }

    /// Poll until the person approves, declines, the code expires, or `cancel` fires.
    pub async fn wait_for_device_token(
        &self,
        auth: &DeviceAuthorization,
        cancel: &CancellationToken,
        progress: &mut (dyn FnMut(PollProgress) + Send),
    ) -> Result<TokenSet> {
        device::poll_until_done(
            auth.interval,
            auth.expires_in,
            auth.issued_at,
            Instant::now,
            tokio::time::sleep,
            || self.poll_once(auth),
            cancel,
            progress,
        )
        .await
    }

    /// Refresh for `scopes` against `tenant`. A new refresh token, when sent, replaces the
    /// old one (servers rotate them and revoke the old one): the caller must store it.
    pub async fn refresh(
        &self,
        refresh_token: &Secret,
        tenant: &str,
        scopes: &[String],
    ) -> Result<TokenSet> {
        let url = self.endpoint(tenant, "oauth2/v2.0/token")?;
        let form = vec![
            ("grant_type".to_string(), "refresh_token".to_string()),
            ("client_id".to_string(), self.cfg.client_id.clone()),
            (
                "refresh_token".to_string(),
                refresh_token.expose().to_string(),
            ),
            ("scope".to_string(), scopes.join(" ")),
        ];
        self.token_request_at(url, form).await
    }

    pub(crate) async fn token_request_at(
        &self,
        url: url::Url,
        form: Vec<(String, String)>,
    ) -> Result<TokenSet> {
        let resp = self
            .http
            .send(
                Request::new(Method::POST, url, "token")
                    .body(Body::Form(form))
                    .any_status(),
            )
            .await?;
        if !resp.status.is_success() {
            return Err(identity_failure(resp.status.as_u16(), &resp.body, "token"));
        }
        parse_token_response(&resp.body, Instant::now())
    }

    pub(crate) fn url_for(&self, tenant: &str, path: &str) -> Result<url::Url> {
        self.endpoint(tenant, path)
    }

    /// A domain the person typed (`contoso.com`) to its tenant id, through the domain's
    /// OpenID configuration: the issuer is `https://login.microsoftonline.com/{tid}/v2.0`.
    pub async fn resolve_domain(&self, domain: &str) -> Result<String> {
        crate::config::validate_domain(domain)
            .map_err(|why| Error::invalid_input("domain", why))?;
        let url = self.endpoint(domain, "v2.0/.well-known/openid-configuration")?;
        let resp = self
            .http
            .send(Request::new(Method::GET, url, "openid").any_status())
            .await?;
        // An unknown domain is 400 `invalid_tenant` (AADSTS90002); any other failure is the
        // service's, not proof that no directory uses the domain. (5xx and 429 were retried.)
        if !resp.status.is_success() && !matches!(resp.status.as_u16(), 400 | 404) {
            return Err(identity_failure(resp.status.as_u16(), &resp.body, "openid"));
        }
        if !resp.status.is_success() {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!("No Microsoft Entra directory uses the domain {domain}."),
                "Check the spelling, or use the directory's name.onmicrosoft.com domain.",
            )
            .with_details(
                IdentityErrorBody::parse(&resp.body)
                    .map(|b| b.to_error(resp.status.as_u16(), "openid").details)
                    .unwrap_or_default(),
            ));
        }
        let v: serde_json::Value = resp.json("openid")?;
        let issuer = v
            .get("issuer")
            .and_then(|i| i.as_str())
            .ok_or_else(|| http::malformed("openid", "no issuer"))?;
        tenant_from_issuer(issuer)
            .ok_or_else(|| http::malformed("openid", "issuer has no tenant id"))
    }
}

/// A device authorization answer (reference §1.2), issued at `issued_at` for `tenant`.
pub fn parse_device_authorization(
    body: &[u8],
    tenant: String,
    issued_at: Instant,
) -> Result<DeviceAuthorization> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| http::malformed("devicecode", &e.to_string()))?;
    let field = |name: &str| -> Result<String> {
        v.get(name)
            .and_then(|x| x.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| http::malformed("devicecode", &format!("no `{name}`")))
    };
    let expires_secs = match v.get("expires_in") {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    // MSAL's default when absent (reference §1.2).
    .unwrap_or(1800)
    .min(MAX_DEVICE_CODE_LIFETIME_SECS);
    let user_code = field("user_code")?;
    let verification_uri = field("verification_uri")?;
    Ok(DeviceAuthorization {
        message: v
            .get("message")
            .and_then(|m| m.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| {
                format!("To sign in, open {verification_uri} and enter the code {user_code}.")
            }),
        user_code,
        verification_uri,
        device_code: Secret::new(field("device_code")?),
        expires_in: Duration::from_secs(expires_secs),
        interval: device::parse_interval(v.get("interval")),
        tenant,
        issued_at,
    })
}

pub fn tenant_from_issuer(issuer: &str) -> Option<String> {
    url::Url::parse(issuer)
        .ok()?
        .path_segments()?
        .find_map(|seg| uuid::Uuid::parse_str(seg).ok())
        .map(|u| u.to_string())
}

fn identity_failure(status: u16, body: &[u8], endpoint: &str) -> Error {
    match IdentityErrorBody::parse(body) {
        Some(b) => b.to_error(status, endpoint),
        None if status >= 500 => Error::new(
            ErrorCode::ServiceUnavailable,
            format!("The sign-in service is having trouble right now (HTTP {status})."),
            "Try again in a few minutes.",
        )
        .with_status(status)
        .with_endpoint(endpoint),
        None => http::malformed(endpoint, &format!("HTTP {status} without an error body"))
            .with_status(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_gives_tenant() {
        assert_eq!(
            tenant_from_issuer(
                "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
            )
            .as_deref(),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );
        assert_eq!(
            tenant_from_issuer("https://login.microsoftonline.com/common/v2.0"),
            None
        );
    }

    /// Found by the property tests: `Instant + u64::MAX seconds` panicked.
    #[test]
    fn absurd_lifetimes_are_capped_not_a_panic() {
        let now = Instant::now();
        for expires in ["18446744073709551615", "\"18446744073709551615\"", "1e300"] {
            let body = format!(r#"{{"access_token":"a","expires_in":{expires}}}"#);
            let t = parse_token_response(body.as_bytes(), now).unwrap();
            assert!(t.expires_at <= now + Duration::from_secs(MAX_TOKEN_LIFETIME_SECS));
        }
        let body = br#"{"user_code":"U","device_code":"D","verification_uri":"https://x","expires_in":18446744073709551615}"#;
        let auth = parse_device_authorization(body, "organizations".into(), now).unwrap();
        assert_eq!(
            auth.expires_in,
            Duration::from_secs(MAX_DEVICE_CODE_LIFETIME_SECS)
        );
        let _deadline = auth.issued_at + auth.expires_in;
        assert!(parse_token_response(br#"{"access_token":""}"#, now).is_err());
    }

    #[test]
    fn token_body_never_debug_prints_tokens() {
        let body: TokenResponseBody = serde_json::from_str(
            r#"{"access_token":"AT-SECRET","refresh_token":"RT-SECRET","expires_in":"3599","scope":"s"}"#,
        )
        .unwrap();
        let set = body.into_token_set(Instant::now());
        let printed = format!("{set:?}");
        assert!(
            !printed.contains("AT-SECRET") && !printed.contains("RT-SECRET"),
            "{printed}"
        );
    }
}
