//! The browser fallback (reference §1.8): authorization code + PKCE with a redirect to
//! `http://localhost:{ephemeral port}`. Used when Conditional Access blocks the device code.
//! The port is ignored when Entra matches the registered `http://localhost` (RFC 8252 §7.3).

use super::{IdentityClient, TokenSet};
use crate::error::{Error, ErrorCode, Result};
use oauth2::{CsrfToken, PkceCodeChallenge};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const PAGE_DONE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>ADO Connect</title></head>\
<body style=\"font-family:sans-serif\"><h1>You are signed in</h1><p>You can close this window and go back to ADO Connect.</p></body></html>";
const PAGE_FAILED: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>ADO Connect</title></head>\
<body style=\"font-family:sans-serif\"><h1>Sign-in did not finish</h1><p>Go back to ADO Connect for what to do next.</p></body></html>";

/// Parse the first request line `GET /?code=…&state=… HTTP/1.1` into its query pairs.
pub fn parse_callback(request: &str) -> Option<Vec<(String, String)>> {
    let line = request.lines().next()?;
    let mut parts = line.split_whitespace();
    if parts.next()? != "GET" {
        return None;
    }
    let target = parts.next()?;
    let url = url::Url::parse(&format!("http://localhost{target}")).ok()?;
    Some(
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    )
}

impl IdentityClient {
    /// Sign in through the system browser. `open` is given the authorize URL (the app opens
    /// it with the opener plugin, the CLI prints it). Gives up after `timeout` or on cancel.
    pub async fn sign_in_with_browser(
        &self,
        open: impl FnOnce(&str) -> Result<()>,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<TokenSet> {
        let tenant = self.config().tenant.clone();
        self.sign_in_with_browser_to(&tenant, open, timeout, cancel)
            .await
    }

    /// As [`Self::sign_in_with_browser`] against a given tenant (the work account).
    pub async fn sign_in_with_browser_to(
        &self,
        tenant: &str,
        open: impl FnOnce(&str) -> Result<()>,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<TokenSet> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::internal(format!("cannot listen on loopback: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::internal(e.to_string()))?
            .port();
        let redirect_uri = format!("http://localhost:{port}");
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let state = CsrfToken::new_random();
        let cfg = self.config();
        let mut url = self.url_for(tenant, "oauth2/v2.0/authorize")?;
        url.query_pairs_mut()
            .append_pair("client_id", &cfg.client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("response_mode", "query")
            .append_pair("scope", &cfg.scopes.join(" "))
            .append_pair("state", state.secret())
            .append_pair("code_challenge", challenge.as_str())
            .append_pair("code_challenge_method", "S256");
        open(url.as_str())?;

        let code = tokio::select! {
            _ = cancel.cancelled() => return Err(super::device::cancelled()),
            _ = tokio::time::sleep(timeout) => return Err(Error::new(
                ErrorCode::SignInExpired,
                "The browser sign-in was not finished in time.",
                "Start the browser sign-in again.",
            )),
            r = accept_callback(&listener, state.secret()) => r?,
        };
        let form = vec![
            ("grant_type".to_string(), "authorization_code".to_string()),
            ("client_id".to_string(), cfg.client_id.clone()),
            ("code".to_string(), code.expose().to_string()),
            ("redirect_uri".to_string(), redirect_uri),
            ("code_verifier".to_string(), verifier.secret().to_string()),
            ("scope".to_string(), cfg.scopes.join(" ")),
        ];
        let token_url = self.url_for(tenant, "oauth2/v2.0/token")?;
        self.token_request_at(token_url, form).await
    }
}

async fn accept_callback(listener: &TcpListener, expected_state: &str) -> Result<crate::Secret> {
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| Error::internal(format!("loopback accept: {e}")))?;
        let mut buf = vec![0u8; 8192];
        let n = match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(n)) => n,
            _ => continue,
        };
        let request = String::from_utf8_lossy(&buf[..n]).to_string();
        let Some(pairs) = parse_callback(&request) else {
            let _ = respond(&mut stream, "400 Bad Request", PAGE_FAILED).await;
            continue;
        };
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        // Browsers also ask for /favicon.ico: ignore anything without our state.
        if get("state").as_deref() != Some(expected_state) {
            let _ = respond(&mut stream, "404 Not Found", PAGE_FAILED).await;
            continue;
        }
        if let Some(error) = get("error") {
            let _ = respond(&mut stream, "200 OK", PAGE_FAILED).await;
            let body = super::identity_error::IdentityErrorBody {
                error,
                error_description: get("error_description"),
                ..Default::default()
            };
            return Err(body.to_error(400, "authorize"));
        }
        if let Some(code) = get("code") {
            let _ = respond(&mut stream, "200 OK", PAGE_DONE).await;
            return Ok(crate::Secret::new(code));
        }
        let _ = respond(&mut stream, "400 Bad Request", PAGE_FAILED).await;
    }
}

async fn respond(
    stream: &mut tokio::net::TcpStream,
    status: &str,
    body: &str,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_query_is_parsed() {
        let pairs =
            parse_callback("GET /?code=abc&state=xyz HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        assert!(pairs.contains(&("code".into(), "abc".into())));
        assert!(pairs.contains(&("state".into(), "xyz".into())));
        assert!(parse_callback("POST / HTTP/1.1").is_none());
        assert!(parse_callback("").is_none());
    }
}
