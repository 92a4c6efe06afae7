//! The one HTTP layer: timeouts on every request, no redirects, bounded retries with backoff
//! and jitter for reads only (honouring `Retry-After`), and the mapping of service answers
//! (the Azure DevOps error envelope, 203 + HTML sign-in page, 429, 5xx) to coded errors.

use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts for a read, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` we agree to wait; a longer one becomes an error at once.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1 << attempt.min(8));
        let capped = exp.min(self.max_delay);
        // Full jitter in [50%, 100%] of the capped delay, so clients do not retry in step.
        let ms = capped.as_millis() as u64;
        Duration::from_millis(ms / 2 + fastrand::u64(0..=ms / 2))
    }
}

#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    pub retry: RetryPolicy,
}

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// The reqwest client for every request: no redirects (a token endpoint that redirects
/// is a server-side request forgery risk), a timeout, our user agent, TLS with the
/// operating system's root certificates. Without `proxy`, `HTTPS_PROXY`/`HTTP_PROXY`/
/// `NO_PROXY` from the environment apply (reqwest's system proxy).
pub fn build_client(timeout: Duration) -> reqwest::Client {
    build_client_with_proxy(timeout, None).expect("reqwest client builds with static settings")
}

/// As [`build_client`], through `proxy` (`http://[user:password@]host:port`) when given;
/// `NO_PROXY` still applies.
pub fn build_client_with_proxy(timeout: Duration, proxy: Option<&str>) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("ADO-Connect/", env!("CARGO_PKG_VERSION")));
    if let Some(p) = proxy.map(str::trim).filter(|p| !p.is_empty()) {
        let proxy = reqwest::Proxy::all(p)
            .map_err(|_| Error::invalid_input("proxy address", "use http://host:port"))?
            .no_proxy(reqwest::NoProxy::from_env());
        builder = builder.proxy(proxy);
    }
    builder
        .build()
        .map_err(|e| Error::internal(format!("HTTP client: {e}")))
}

/// A response already checked for success.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub attempts: u32,
}

impl Response {
    pub fn json<T: DeserializeOwned>(&self, endpoint: &str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| malformed(endpoint, &e.to_string()))
    }
}

pub fn malformed(endpoint: &str, why: &str) -> Error {
    Error::new(
        ErrorCode::MalformedResponse,
        format!("The service sent an answer ADO Connect cannot read ({endpoint}: {why})."),
        "Try again in a minute. If it keeps happening, the service may be changing: check for an update of ADO Connect.",
    )
    .with_endpoint(endpoint)
}

pub enum Body {
    Json(serde_json::Value),
    JsonPatch(serde_json::Value),
    Form(Vec<(String, String)>),
}

pub struct Request<'a> {
    pub method: Method,
    pub url: url::Url,
    /// A short stable name for errors and logs ("profile", "connect").
    pub endpoint: &'static str,
    pub bearer: Option<&'a Secret>,
    pub body: Option<Body>,
    /// Accept any status (the tenant probe reads headers of a 401).
    pub any_status: bool,
}

impl<'a> Request<'a> {
    pub fn new(method: Method, url: url::Url, endpoint: &'static str) -> Self {
        Request {
            method,
            url,
            endpoint,
            bearer: None,
            body: None,
            any_status: false,
        }
    }
    pub fn bearer(mut self, token: &'a Secret) -> Self {
        self.bearer = Some(token);
        self
    }
    pub fn body(mut self, body: Body) -> Self {
        self.body = Some(body);
        self
    }
    pub fn any_status(mut self) -> Self {
        self.any_status = true;
        self
    }
}

enum Attempt {
    Done(Response),
    Retry {
        after: Option<Duration>,
        last: Error,
    },
    Fail(Error),
}

impl HttpClient {
    pub fn new(timeout: Duration) -> Self {
        HttpClient {
            client: build_client(timeout),
            retry: RetryPolicy::default(),
        }
    }

    /// A client through a configured proxy (Settings, or the machine policy).
    pub fn with_proxy(timeout: Duration, proxy: Option<&str>) -> Result<Self> {
        Ok(HttpClient {
            client: build_client_with_proxy(timeout, proxy)?,
            retry: RetryPolicy::default(),
        })
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn raw(&self) -> &reqwest::Client {
        &self.client
    }

    /// Send a request. Reads (GET, HEAD) are retried on transport errors, 429, 5xx and a
    /// successful GET whose body is not JSON (a truncated or wrong answer: every GET in core
    /// reads JSON); writes are sent once: their outcome, when unknown, is read back by the
    /// caller.
    pub async fn send(&self, req: Request<'_>) -> Result<Response> {
        let is_read = is_read(&req.method);
        let max = if is_read {
            self.retry.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(&req, attempt).await {
                Attempt::Done(r) => return Ok(r),
                Attempt::Fail(e) => return Err(with_attempts(e, attempt)),
                Attempt::Retry { after, last } => {
                    if attempt >= max {
                        return Err(with_attempts(last, attempt));
                    }
                    let wait = match after {
                        Some(d) if d > self.retry.max_retry_after => {
                            return Err(with_attempts(last, attempt))
                        }
                        Some(d) => d,
                        None => self.retry.backoff(attempt - 1),
                    };
                    tracing::debug!(endpoint = req.endpoint, attempt, ?wait, "retrying read");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn attempt(&self, req: &Request<'_>, attempt: u32) -> Attempt {
        let mut builder = self.client.request(req.method.clone(), req.url.clone());
        if let Some(token) = req.bearer {
            builder = builder.bearer_auth(token.expose());
        }
        builder = match &req.body {
            None => builder,
            Some(Body::Json(v)) => builder.json(v),
            Some(Body::JsonPatch(v)) => builder
                .header(CONTENT_TYPE, "application/json-patch+json")
                .body(v.to_string()),
            Some(Body::Form(pairs)) => builder.form(pairs),
        };
        let endpoint = req.endpoint;
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return transport_failure(endpoint, &e),
        };
        let status = response.status();
        // Checked before the body: a proxy refusing us may reset the connection mid-body.
        if status == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
            return Attempt::Fail(proxy_auth_required(endpoint));
        }
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) => return transport_failure(endpoint, &e),
        };
        let resp = Response {
            status,
            headers,
            body,
            attempts: attempt,
        };
        let is_get = req.method == Method::GET;
        if req.any_status {
            // The caller reads the status itself, but a busy or failing service is retried
            // (and reported) like any other read.
            let transient = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
            if is_read(&req.method) && transient {
                return classify(endpoint, resp);
            }
            if is_get && status.is_success() && !is_json(&resp.body) {
                return not_json(endpoint);
            }
            return Attempt::Done(resp);
        }
        match classify(endpoint, resp) {
            Attempt::Done(resp) if is_get && !is_json(&resp.body) => not_json(endpoint),
            other => other,
        }
    }
}

fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

fn is_json(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

/// A successful read whose body is not JSON (cut short, or another content type): reading
/// again is harmless, and usually gets the whole answer.
fn not_json(endpoint: &str) -> Attempt {
    Attempt::Retry {
        after: None,
        last: malformed(endpoint, "the answer is not JSON"),
    }
}

fn with_attempts(mut e: Error, attempts: u32) -> Error {
    e.details.attempts = Some(attempts);
    e
}

fn proxy_auth_required(endpoint: &str) -> Error {
    Error::new(
        ErrorCode::ProxyAuthRequired,
        "The proxy server between this computer and Microsoft asks for a user name and password.",
        "Give ADO Connect the proxy's user name and password through HTTPS_PROXY=http://user:password@proxy:port, or ask your IT desk.",
    )
    .with_endpoint(endpoint)
    .with_status(407)
}

/// A request that got no answer: the coded error, and whether asking again can help (an
/// untrusted certificate stays untrusted; anything else may be passing).
fn transport_failure(endpoint: &str, e: &reqwest::Error) -> Attempt {
    let err = transport_error(endpoint, e);
    if err.code == ErrorCode::CertificateUntrusted {
        Attempt::Fail(err)
    } else {
        Attempt::Retry {
            after: None,
            last: err,
        }
    }
}

fn transport_error(endpoint: &str, e: &reqwest::Error) -> Error {
    // A proxy refusing CONNECT for https surfaces as a connection error, not a status.
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        // hyper-util's tunnel says "proxy authorization required"; never match a bare "407",
        // which the URL in the message may hold (a port such as 40712).
        let text = s.to_string().to_ascii_lowercase();
        if text.contains("proxy authorization required")
            || text.contains("proxy authentication required")
        {
            return proxy_auth_required(endpoint);
        }
        // rustls: "invalid peer certificate: UnknownIssuer", "… NotValidForName", "… Expired".
        if text.contains("invalid peer certificate") || text.contains("certificate verify failed") {
            return Error::new(
                ErrorCode::CertificateUntrusted,
                format!("This computer does not trust the certificate of the service ({endpoint})."),
                "If your company inspects HTTPS traffic, ask your IT desk to install its root certificate on this computer. Otherwise check that the computer's date and time are right, then try again.",
            )
            .with_endpoint(endpoint);
        }
        source = s.source();
    }
    if e.is_timeout() {
        Error::new(
            ErrorCode::Timeout,
            format!("The service did not answer in time ({endpoint})."),
            "Check your internet connection and try again.",
        )
        .with_endpoint(endpoint)
    } else {
        Error::new(
            ErrorCode::NetworkUnreachable,
            format!("ADO Connect could not reach the service ({endpoint})."),
            "Check your internet connection (and proxy settings), then try again.",
        )
        .with_endpoint(endpoint)
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.to_ascii_lowercase().starts_with("text/html"))
        .unwrap_or(false)
}

/// The Azure DevOps error envelope (reference §2.1).
#[derive(Debug, serde::Deserialize)]
pub struct DevopsErrorEnvelope {
    pub message: Option<String>,
    #[serde(rename = "typeKey")]
    pub type_key: Option<String>,
}

pub fn parse_devops_envelope(body: &[u8]) -> Option<DevopsErrorEnvelope> {
    serde_json::from_slice::<DevopsErrorEnvelope>(body)
        .ok()
        .filter(|e| e.message.is_some() || e.type_key.is_some())
}

/// ARM's error body: `{"error":{"code","message"}}`.
#[derive(Debug, serde::Deserialize)]
struct ArmErrorBody {
    error: ArmError,
}
#[derive(Debug, serde::Deserialize)]
struct ArmError {
    code: String,
    message: Option<String>,
}

fn session_expired(endpoint: &str) -> Error {
    Error::new(
        ErrorCode::SessionExpired,
        "Your sign-in is no longer accepted by Azure DevOps.",
        "Sign in again.",
    )
    .with_endpoint(endpoint)
}

fn classify(endpoint: &str, resp: Response) -> Attempt {
    let status = resp.status;
    // Azure DevOps answers a bad or expired token on GET/POST with 203 and an HTML sign-in
    // page instead of 401 (reference §2.1, vsts-rest-api-specs#574).
    if status == StatusCode::NON_AUTHORITATIVE_INFORMATION
        || (status.is_success() && is_html(&resp.headers))
    {
        return Attempt::Fail(session_expired(endpoint).with_status(status.as_u16()));
    }
    if status.is_success() {
        return Attempt::Done(resp);
    }
    let envelope = parse_devops_envelope(&resp.body);
    let server_says = envelope
        .as_ref()
        .and_then(|e| e.message.clone())
        .or_else(|| {
            serde_json::from_slice::<ArmErrorBody>(&resp.body)
                .ok()
                .map(|b| b.error.message.unwrap_or(b.error.code))
        });
    let code = status.as_u16();
    let err = match status {
        StatusCode::UNAUTHORIZED => session_expired(endpoint),
        StatusCode::TOO_MANY_REQUESTS => {
            let after = retry_after(&resp.headers);
            let e = Error::new(
                ErrorCode::RateLimited,
                "The service is busy and asked ADO Connect to slow down.",
                match after {
                    Some(d) => format!("Wait {} seconds, then try again.", d.as_secs()),
                    None => "Wait a minute, then try again.".into(),
                },
            )
            .with_endpoint(endpoint)
            .with_status(code);
            return Attempt::Retry { after, last: e };
        }
        s if s.is_server_error() => {
            let e = Error::new(
                ErrorCode::ServiceUnavailable,
                format!("The service is having trouble right now ({endpoint}, HTTP {code})."),
                "Try again in a few minutes. Nothing was changed by this failed request unless ADO Connect says so.",
            )
            .with_endpoint(endpoint)
            .with_status(code);
            return Attempt::Retry {
                after: retry_after(&resp.headers),
                last: e,
            };
        }
        StatusCode::FORBIDDEN => Error::new(
            ErrorCode::NotAuthorized,
            format!(
                "Azure DevOps refused this request{}.",
                server_says.map(|m| format!(": {m}")).unwrap_or_default()
            ),
            "Make sure you signed in with an account that owns or administers the organization.",
        ),
        StatusCode::NOT_FOUND => Error::new(
            ErrorCode::NotFound,
            format!(
                "Azure DevOps could not find this{}.",
                server_says.map(|m| format!(": {m}")).unwrap_or_default()
            ),
            "Check the organization name and try again.",
        ),
        _ => Error::new(
            ErrorCode::RequestFailed,
            match server_says {
                Some(m) => format!("Azure DevOps did not accept the request: {m}"),
                None => {
                    format!("The service did not accept the request ({endpoint}, HTTP {code}).")
                }
            },
            "Read the message above; correct what it names and try again.",
        ),
    };
    Attempt::Fail(err.with_endpoint(endpoint).with_status(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_jittered() {
        let p = RetryPolicy::default();
        for attempt in 0..10 {
            let d = p.backoff(attempt);
            assert!(d <= p.max_delay);
            assert!(d >= p.base_delay / 2);
        }
    }

    #[test]
    fn envelope_parses_and_garbage_does_not() {
        let body = br#"{"$id":"1","innerException":null,"message":"TF400813: The user '' is not authorized to access this resource.","typeName":"x","typeKey":"UnauthorizedRequestException","errorCode":0,"eventId":3000}"#;
        let e = parse_devops_envelope(body).unwrap();
        assert!(e.message.unwrap().starts_with("TF400813"));
        assert!(parse_devops_envelope(b"<html>").is_none());
        assert!(parse_devops_envelope(b"{}").is_none());
    }

    proptest::proptest! {
        #[test]
        fn envelope_parser_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse_devops_envelope(&bytes);
        }
    }
}

/// The proxy in effect, for Settings and the diagnostic summary, without any password:
/// the organization's (machine policy), else the environment's, else a direct connection.
pub fn describe_proxy(proxy: Option<&url::Url>, by_policy: bool) -> String {
    fn bare(u: &url::Url) -> String {
        let mut u = u.clone();
        let _ = u.set_username("");
        let _ = u.set_password(None);
        u.to_string().trim_end_matches('/').to_string()
    }
    if let Some(p) = proxy {
        let whose = if by_policy {
            "set by your organization"
        } else {
            "your setting"
        };
        return format!("{} ({whose})", bare(p));
    }
    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        if let Some(u) = std::env::var(var)
            .ok()
            .and_then(|v| url::Url::parse(v.trim()).ok())
        {
            return format!("{} (from {var})", bare(&u));
        }
    }
    "None: a direct connection".into()
}

#[cfg(test)]
mod proxy_description_tests {
    use super::*;

    #[test]
    fn policy_proxy_is_described_without_credentials() {
        let u = url::Url::parse("http://user:pw@proxy.contoso.com:8080").unwrap();
        let d = describe_proxy(Some(&u), true);
        assert_eq!(
            d,
            "http://proxy.contoso.com:8080 (set by your organization)"
        );
        assert!(!d.contains("pw"));
        assert_eq!(
            describe_proxy(Some(&u), false),
            "http://proxy.contoso.com:8080 (your setting)"
        );
    }
}
