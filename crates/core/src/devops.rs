//! Azure DevOps REST (reference §2): profile, accounts, the unauthenticated tenant probe,
//! the organization's directory connection, user entitlements and personal access tokens.

use crate::config::DevopsConfig;
use crate::error::{Error, ErrorCode, Result};
use crate::http::{self, Body, HttpClient, Request};
use crate::secret::Secret;
use futures::stream::{self, StreamExt};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde::{Deserialize, Serialize};

pub const EMPTY_TENANT: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub email: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileBody {
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    email_address: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub account_id: String,
    pub account_name: String,
    #[serde(default)]
    pub account_owner: Option<String>,
    #[serde(default)]
    pub account_uri: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AccountList {
    #[serde(default)]
    value: Vec<Account>,
}

/// Which directory backs an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryLink {
    pub kind: DirectoryKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

impl DirectoryLink {
    /// Not known (yet): not probed, or the probe failed.
    pub fn unknown() -> Self {
        DirectoryLink {
            kind: DirectoryKind::Unknown,
            tenant_id: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DirectoryKind {
    /// Backed by personal Microsoft accounts (the empty GUID).
    Personal,
    Directory,
    Unknown,
}

/// Read the tenant from the probe's headers (reference §2.5, GCM `GetAuthorityAsync`):
/// `WWW-Authenticate: Bearer authorization_uri=…/{tenant}` first, else the first non-empty
/// GUID of `X-VSS-ResourceTenant`; exactly one empty GUID means personal accounts.
pub fn parse_tenant_headers(headers: &HeaderMap) -> DirectoryLink {
    let personal = DirectoryLink {
        kind: DirectoryKind::Personal,
        tenant_id: None,
    };
    for value in headers.get_all("www-authenticate") {
        let Ok(text) = value.to_str() else { continue };
        for part in text.split([',', ' ']) {
            if let Some(uri) = part.trim().strip_prefix("authorization_uri=") {
                let uri = uri.trim_matches('"');
                if let Some(last) = uri.trim_end_matches('/').rsplit('/').next() {
                    if let Ok(id) = uuid::Uuid::parse_str(last) {
                        if id.is_nil() {
                            return personal;
                        }
                        return DirectoryLink {
                            kind: DirectoryKind::Directory,
                            tenant_id: Some(id.to_string()),
                        };
                    }
                }
            }
        }
    }
    let mut saw_empty = false;
    for value in headers.get_all("x-vss-resourcetenant") {
        let Ok(text) = value.to_str() else { continue };
        for part in text.split(',') {
            if let Ok(id) = uuid::Uuid::parse_str(part.trim()) {
                if id.is_nil() {
                    saw_empty = true;
                } else {
                    return DirectoryLink {
                        kind: DirectoryKind::Directory,
                        tenant_id: Some(id.to_string()),
                    };
                }
            }
        }
    }
    if saw_empty {
        personal
    } else {
        DirectoryLink::unknown()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementUser {
    #[serde(default)]
    pub principal_name: Option<String>,
    #[serde(default)]
    pub mail_address: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub origin: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLevel {
    #[serde(default)]
    pub account_license_type: Option<String>,
    #[serde(default)]
    pub license_display_name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserEntitlement {
    pub id: String,
    pub user: EntitlementUser,
    #[serde(default)]
    pub access_level: Option<AccessLevel>,
    #[serde(default)]
    pub last_accessed_date: Option<String>,
}

impl UserEntitlement {
    pub fn email(&self) -> String {
        self.user
            .mail_address
            .clone()
            .or_else(|| self.user.principal_name.clone())
            .unwrap_or_default()
    }

    /// `lastAccessedDate` is `0001-01-01T00:00:00Z` until the first sign-in.
    pub fn has_signed_in(&self) -> bool {
        self.last_accessed_date
            .as_deref()
            .map(|d| !d.starts_with("0001-"))
            .unwrap_or(false)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementPage {
    #[serde(default)]
    pub items: Vec<UserEntitlement>,
    #[serde(default)]
    pub continuation_token: Option<String>,
    #[serde(default)]
    pub total_count: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InviteAccessLevel {
    Stakeholder,
    Basic,
}

impl InviteAccessLevel {
    /// The API's name: Basic is `express` (reference §2.8).
    pub fn license_type(self) -> &'static str {
        match self {
            InviteAccessLevel::Stakeholder => "stakeholder",
            InviteAccessLevel::Basic => "express",
        }
    }
}

/// A created PAT. The token is shown once and then dropped.
#[derive(Debug)]
pub struct CreatedPat {
    pub display_name: String,
    pub valid_to: String,
    pub token: Secret,
}

#[derive(Debug, Clone)]
pub struct DevopsClient {
    http: HttpClient,
    cfg: DevopsConfig,
}

fn join(base: &str, segments: &[&str]) -> Result<url::Url> {
    let mut url = url::Url::parse(base).map_err(|e| Error::internal(format!("base URL: {e}")))?;
    url.path_segments_mut()
        .map_err(|_| Error::internal("base URL cannot take a path"))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

impl DevopsClient {
    pub fn new(cfg: DevopsConfig, http: HttpClient) -> Self {
        DevopsClient { http, cfg }
    }

    fn org_url(&self, base: &str, org: &str, rest: &[&str]) -> Result<url::Url> {
        crate::gcm::validate_org_name(org)?;
        let mut segs = vec![org];
        segs.extend_from_slice(rest);
        join(base, &segs)
    }

    /// Links into the organization's web pages (settings, users, billing).
    pub fn web_link(&self, org: &str, page: &str) -> Result<String> {
        let mut segs = vec!["_settings"];
        if !page.is_empty() {
            segs.push(page);
        }
        Ok(self.org_url(&self.cfg.org_base, org, &segs)?.to_string())
    }

    pub async fn profile_me(&self, token: &Secret) -> Result<User> {
        let mut url = join(
            &self.cfg.profile_base,
            &["_apis", "profile", "profiles", "me"],
        )?;
        url.query_pairs_mut().append_pair("api-version", "7.1");
        let resp = self
            .http
            .send(Request::new(Method::GET, url, "profile").bearer(token))
            .await?;
        let p: ProfileBody = resp.json("profile")?;
        Ok(User {
            display_name: p.display_name.unwrap_or_else(|| "You".into()),
            email: p.email_address.unwrap_or_default(),
            id: p.id,
        })
    }

    /// `accounts?memberId=` or `accounts?ownerId=` (reference §2.3).
    pub async fn accounts(
        &self,
        token: &Secret,
        filter: &str,
        user_id: &str,
    ) -> Result<Vec<Account>> {
        let mut url = join(&self.cfg.profile_base, &["_apis", "accounts"])?;
        url.query_pairs_mut()
            .append_pair(filter, user_id)
            .append_pair("api-version", "7.1");
        let resp = self
            .http
            .send(Request::new(Method::GET, url, "accounts").bearer(token))
            .await?;
        Ok(resp.json::<AccountList>("accounts")?.value)
    }

    /// Unauthenticated `HEAD {org_base}/{org}`; the status is ignored, the headers tell.
    pub async fn probe_tenant(&self, org: &str) -> Result<DirectoryLink> {
        let url = self.org_url(&self.cfg.org_base, org, &[])?;
        let resp = self
            .http
            .send(Request::new(Method::HEAD, url, "probe").any_status())
            .await?;
        if resp.status == reqwest::StatusCode::NOT_FOUND {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!("There is no Azure DevOps organization named {org}."),
                "Check the organization name.",
            ));
        }
        // 429 and 5xx do not get here: the HTTP layer retries them and then reports them.
        Ok(parse_tenant_headers(&resp.headers))
    }

    /// Probe many organizations at once, at most `limit` in flight.
    pub async fn probe_many(
        &self,
        orgs: &[String],
        limit: usize,
    ) -> Vec<(String, Result<DirectoryLink>)> {
        stream::iter(orgs.iter().cloned())
            .map(|org| async move {
                let r = self.probe_tenant(&org).await;
                (org, r)
            })
            .buffered(limit.max(1))
            .collect()
            .await
    }

    /// Connect (or change) the directory: the undocumented call the web UI makes
    /// (reference §2.6): JSON-Patch `op: 2` (replace) of `/TenantId`.
    pub async fn set_organization_tenant(
        &self,
        token: &Secret,
        org: &str,
        tenant_id: &str,
    ) -> Result<()> {
        let tenant = uuid::Uuid::parse_str(tenant_id).map_err(|_| {
            Error::invalid_input(
                "directory ID",
                format!("`{}` is not a GUID", tenant_id.escape_debug()),
            )
        })?;
        let mut url = self.org_url(
            &self.cfg.vssps_base,
            org,
            &["_apis", "Organization", "Organizations", "Me"],
        )?;
        url.query_pairs_mut()
            .append_pair("api-version", "5.0-preview.1");
        let body = serde_json::json!([{"from": "", "op": 2, "path": "/TenantId", "value": tenant.to_string()}]);
        let resp = self.http
            .send(Request::new(Method::PATCH, url, "organization").bearer(token).body(Body::JsonPatch(body)))
            .await
            .map_err(|e| {
                if e.message.contains("Only active members") {
                    Error::new(
                        ErrorCode::NotActiveMember,
                        "Azure DevOps allows only active members of the directory (not guests) to connect an organization to it.",
                        "Ask the directory's administrator to make your account a member (not a guest), then try again.",
                    )
                    .with_details(e.details)
                } else {
                    e
                }
            })?;
        // The answer is the Organization object. A 200 that is not JSON (cut short, another
        // content type) confirms nothing: the caller reads the organization back.
        resp.json::<serde_json::Value>("organization")?;
        Ok(())
    }

    pub async fn user_entitlements(&self, token: &Secret, org: &str) -> Result<EntitlementPage> {
        let mut url = self.org_url(&self.cfg.vsaex_base, org, &["_apis", "userentitlements"])?;
        url.query_pairs_mut().append_pair("api-version", "7.1");
        let resp = self
            .http
            .send(Request::new(Method::GET, url, "userentitlements").bearer(token))
            .await?;
        resp.json("userentitlements")
    }

    pub async fn invite(
        &self,
        token: &Secret,
        org: &str,
        email: &str,
        level: InviteAccessLevel,
    ) -> Result<UserEntitlement> {
        validate_email(email)?;
        let mut url = self.org_url(&self.cfg.vsaex_base, org, &["_apis", "userentitlements"])?;
        url.query_pairs_mut().append_pair("api-version", "7.1");
        let body = serde_json::json!({
            "accessLevel": {"licensingSource": "account", "accountLicenseType": level.license_type()},
            "user": {"principalName": email, "subjectKind": "user"},
        });
        let resp = self
            .http
            .send(
                Request::new(Method::POST, url, "userentitlements")
                    .bearer(token)
                    .body(Body::Json(body)),
            )
            .await?;
        let v: serde_json::Value = resp.json("userentitlements")?;
        let ok = v
            .pointer("/operationResult/isSuccess")
            .and_then(|b| b.as_bool())
            .unwrap_or(false);
        if !ok {
            let reason = v
                .pointer("/operationResult/errors/0/value")
                .and_then(|s| s.as_str())
                .unwrap_or("no reason given");
            return Err(Error::new(
                ErrorCode::RequestFailed,
                format!("Azure DevOps did not add {email}: {reason}"),
                "Check the address; a directory-connected organization can only invite people in its directory or as guests.",
            ));
        }
        serde_json::from_value(v.get("userEntitlement").cloned().unwrap_or_default())
            .map_err(|e| http::malformed("userentitlements", &e.to_string()))
    }

    /// `POST tokens/pats` (reference §2.9). `patTokenError` other than `none` is a policy refusal.
    pub async fn create_pat(
        &self,
        token: &Secret,
        org: &str,
        name: &str,
        scope: &str,
        valid_to: &str,
    ) -> Result<CreatedPat> {
        let mut url = self.org_url(&self.cfg.vssps_base, org, &["_apis", "tokens", "pats"])?;
        url.query_pairs_mut()
            .append_pair("api-version", "7.1-preview.1");
        let body = serde_json::json!({"displayName": name, "scope": scope, "validTo": valid_to, "allOrgs": false});
        let resp = self
            .http
            .send(
                Request::new(Method::POST, url, "pats")
                    .bearer(token)
                    .body(Body::Json(body)),
            )
            .await?;
        let v: serde_json::Value = resp.json("pats")?;
        let err = v
            .get("patTokenError")
            .and_then(|e| e.as_str())
            .unwrap_or("none");
        if err != "none" {
            return Err(pat_policy_error(err));
        }
        let token = v
            .pointer("/patToken/token")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| http::malformed("pats", "no token in the answer"))?;
        Ok(CreatedPat {
            display_name: v
                .pointer("/patToken/displayName")
                .and_then(|s| s.as_str())
                .unwrap_or(name)
                .into(),
            valid_to: v
                .pointer("/patToken/validTo")
                .and_then(|s| s.as_str())
                .unwrap_or(valid_to)
                .into(),
            token: Secret::new(token),
        })
    }
}

pub fn pat_policy_error(kind: &str) -> Error {
    let (message, remedy) = match kind {
        "fullScopePatPolicyViolation" => (
            "Your organization's policy does not allow tokens with full access.",
            "Choose only the permissions the tool needs.",
        ),
        "patLifespanPolicyViolation" => (
            "Your organization's policy does not allow a token to last that long.",
            "Choose a shorter expiry.",
        ),
        "globalPatPolicyViolation" => (
            "Your organization's policy does not allow tokens for all organizations.",
            "Create the token for this organization only.",
        ),
        "invalidScope" => ("One of the chosen permissions is not valid.", "Choose the permissions again."),
        "accessDenied" => (
            "Azure DevOps refused to create a token for you.",
            "Personal access tokens can be created through this API only for organizations connected to a directory. Connect first, then sign in with your work account.",
        ),
        _ => ("Azure DevOps refused to create the token.", "Try again, or create it on the organization's web page (User settings, Personal access tokens)."),
    };
    Error::new(ErrorCode::PatPolicy, format!("{message} ({kind})"), remedy)
}

/// A sign-in address: one `@`, a domain with a dot, no spaces or control characters.
pub fn validate_email(email: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::invalid_input("e-mail address", why.to_string()));
    if email.len() > 254 {
        return bad("it is longer than 254 characters");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return bad("it has no @");
    };
    if local.is_empty() || domain.contains('@') {
        return bad("it must look like name@company.com");
    }
    if email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
    {
        return bad("it contains spaces, quotes or control characters");
    }
    crate::config::validate_domain(domain).or_else(|_| bad("the part after @ is not a domain"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn probe_headers() {
        let personal = headers(&[("x-vss-resourcetenant", EMPTY_TENANT)]);
        assert_eq!(
            parse_tenant_headers(&personal).kind,
            DirectoryKind::Personal
        );
        let t = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        let connected = headers(&[
            (
                "www-authenticate",
                &format!("Bearer authorization_uri=https://login.microsoftonline.com/{t}"),
            ),
            (
                "www-authenticate",
                "Basic realm=\"https://tfsprodcus1.app.visualstudio.com/\"",
            ),
        ]);
        assert_eq!(
            parse_tenant_headers(&connected).tenant_id.as_deref(),
            Some(t)
        );
        let by_header = headers(&[("x-vss-resourcetenant", &format!("{EMPTY_TENANT}, {t}"))]);
        assert_eq!(
            parse_tenant_headers(&by_header).tenant_id.as_deref(),
            Some(t)
        );
        assert_eq!(
            parse_tenant_headers(&HeaderMap::new()).kind,
            DirectoryKind::Unknown
        );
    }

    #[test]
    fn emails() {
        assert!(validate_email("ana@contoso.com").is_ok());
        for bad in [
            "ana",
            "@contoso.com",
            "ana@contoso",
            "a b@c.com",
            "a@b@c.com",
            "a\n@c.com",
            "\"a\"@c.com",
        ] {
            assert!(validate_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn urls_escape_nothing_because_names_are_validated_first() {
        let c = DevopsClient::new(
            DevopsConfig {
                profile_base: "http://127.0.0.1:1/app.vssps".into(),
                org_base: "http://127.0.0.1:1/dev".into(),
                vssps_base: "http://127.0.0.1:1/vssps".into(),
                vsaex_base: "http://127.0.0.1:1/vsaex".into(),
            },
            HttpClient::new(std::time::Duration::from_secs(1)),
        );
        assert_eq!(
            c.web_link("fabrikam", "users").unwrap(),
            "http://127.0.0.1:1/dev/fabrikam/_settings/users"
        );
        for bad in ["..", "a/b", "a=b", "a.b", "a\nb", "fabrikаm"] {
            assert!(c.web_link(bad, "users").is_err(), "{bad:?}");
        }
    }
}
