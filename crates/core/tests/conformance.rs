//! Conformance: core's device-code sign-in and refresh against an independent RFC 8628
//! server, `oidc-provider` from the npm registry (tests/conformance/server.mjs), started on
//! 127.0.0.1 by the test. The user code is approved on the provider's own pages by a
//! scripted browser (tests/conformance/approve.mjs): nothing here is fitted to ado-sim.
//!
//! Needs Node and `npm ci --prefix tests/conformance`; without them the test fails, unless
//! ADO_CONNECT_SKIP_CONFORMANCE is set.

use ado_connect_core::auth::device::{PollProgress, DEFAULT_INTERVAL};
use ado_connect_core::auth::IdentityClient;
use ado_connect_core::config::IdentityConfig;
use ado_connect_core::http::HttpClient;
use ado_connect_core::ErrorCode;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const TENANT: &str = "organizations";
/// What oidc-provider knows (its `scopes`); the Azure DevOps `.default` scope is Entra's.
const SCOPES: [&str; 2] = ["openid", "offline_access"];

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

/// `None` when the test should be skipped; panics when the server's packages are missing.
fn prerequisites() -> Option<PathBuf> {
    let dir = conformance_dir();
    let installed = dir
        .join("node_modules/oidc-provider/package.json")
        .is_file();
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if installed && node {
        return Some(dir);
    }
    let why = if node {
        "the conformance server's packages are not installed: run `npm ci --prefix tests/conformance`"
    } else {
        "`node` is not on PATH (the conformance server runs on Node.js)"
    };
    if std::env::var_os("ADO_CONNECT_SKIP_CONFORMANCE").is_some() {
        eprintln!("conformance test SKIPPED (ADO_CONNECT_SKIP_CONFORMANCE is set): {why}");
        return None;
    }
    panic!("{why} (or set ADO_CONNECT_SKIP_CONFORMANCE=1 to skip this test)");
}

/// The running oidc-provider. Dropping it (also when a test panics) kills the process;
/// the server also exits by itself when its stdin closes or after two minutes.
struct Server {
    child: Child,
    _stdin: Option<ChildStdin>,
    base: String,
    stderr_file: tempfile::NamedTempFile,
}

impl Server {
    fn start(dir: &std::path::Path) -> Server {
        let stderr_file = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new("node")
            .arg(dir.join("server.mjs"))
            .args(["--tenant", TENANT, "--watch-stdin", "--max-seconds", "120"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr_file.reopen().unwrap())
            .spawn()
            .expect("node starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining: the provider prints notices on stdout later on.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut server = Server {
            child,
            _stdin: stdin,
            base: String::new(),
            stderr_file,
        };
        let line = rx.recv_timeout(Duration::from_secs(15)).unwrap_or_default();
        let base = line.trim().to_string();
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "the conformance server did not print its URL (got {line:?}); its stderr:\n{}",
            server.stderr()
        );
        server.base = base;
        server
    }

    fn stderr(&self) -> String {
        let mut s = String::new();
        let _ = self
            .stderr_file
            .reopen()
            .and_then(|mut f| f.read_to_string(&mut s));
        s
    }

    fn identity_client(&self) -> IdentityClient {
        IdentityClient::new(
            IdentityConfig {
                authority_host: self.base.clone(),
                tenant: TENANT.into(),
                client_id: ado_connect_core::config::Config::default()
                    .identity
                    .client_id,
                scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
            },
            HttpClient::new(Duration::from_secs(10)),
        )
    }

    /// The server's record of device authorizations and token requests.
    async fn log(&self) -> ServerLog {
        let v: serde_json::Value = reqwest::get(format!("{}/__conformance/log", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let times = |key: &str| -> Vec<Logged> {
            v[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| Logged {
                    at_ms: e["at_ms"].as_f64().unwrap(),
                    grant_type: e["grant_type"].as_str().unwrap_or_default().to_string(),
                    status: e["status"].as_u64().unwrap() as u16,
                    error: e["error"].as_str().map(str::to_owned),
                })
                .collect()
        };
        ServerLog {
            device_authorizations: times("device_authorizations"),
            token_requests: times("token_requests"),
        }
    }

    /// A person approves (or declines) the code on the provider's own pages.
    async fn browser(&self, verification_uri: &str, user_code: &str, decline: bool) {
        let mut cmd = tokio::process::Command::new("node");
        cmd.arg(conformance_dir().join("approve.mjs"))
            .arg(verification_uri)
            .arg(user_code)
            .stdin(Stdio::null());
        if decline {
            cmd.arg("--decline");
        }
        let out = cmd.output().await.expect("node runs approve.mjs");
        assert!(
            out.status.success(),
            "the browser could not get through the provider's pages:\n{}\n{}\nserver stderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.stderr()
        );
    }

    /// Wait until the client has polled at least `n` times with the device code.
    async fn wait_for_device_polls(&self, n: usize) {
        for _ in 0..300 {
            if self.log().await.device_polls().len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the client never polled {n} time(s) within 15 s");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone)]
struct Logged {
    at_ms: f64,
    grant_type: String,
    status: u16,
    error: Option<String>,
}

#[derive(Debug)]
struct ServerLog {
    device_authorizations: Vec<Logged>,
    token_requests: Vec<Logged>,
}

impl ServerLog {
    fn device_polls(&self) -> Vec<Logged> {
        self.token_requests
            .iter()
            .filter(|r| r.grant_type == "urn:ietf:params:oauth:grant-type:device_code")
            .cloned()
            .collect()
    }
}

#[tokio::test]
async fn device_grant_and_refresh_against_oidc_provider() {
    let Some(dir) = prerequisites() else { return };
    let server = Server::start(&dir);
    let client = server.identity_client();

    let auth = client.start_device_authorization().await.unwrap();
    assert!(!auth.user_code.is_empty());
    assert!(
        auth.verification_uri.starts_with(&server.base),
        "{}",
        auth.verification_uri
    );
    assert!(auth.message.contains(&auth.user_code), "{}", auth.message);
    // oidc-provider sends no `interval`: RFC 8628 §3.2's default of 5 seconds applies.
    assert_eq!(auth.interval, DEFAULT_INTERVAL);
    assert_eq!(auth.expires_in, Duration::from_secs(600));

    // Approve only once the provider has answered `authorization_pending` at least once.
    let mut events = vec![];
    let mut progress = |p: PollProgress| events.push(p);
    let cancel = CancellationToken::new();
    let (tokens, ()) = tokio::join!(
        client.wait_for_device_token(&auth, &cancel, &mut progress),
        async {
            server.wait_for_device_polls(1).await;
            server
                .browser(&auth.verification_uri, &auth.user_code, false)
                .await;
        }
    );
    let tokens = tokens.unwrap_or_else(|e| panic!("sign-in failed: {e:?}\n{}", server.stderr()));
    assert!(!tokens.access_token.is_empty());
    let first_refresh = tokens
        .refresh_token
        .clone()
        .expect("offline_access gives a refresh token");
    assert!(!first_refresh.is_empty());
    assert!(
        tokens.scope.split(' ').any(|s| s == "offline_access"),
        "{}",
        tokens.scope
    );

    // What the server saw: pending first, one success, nothing after it, never too soon.
    let log = server.log().await;
    let polls = log.device_polls();
    assert!(
        polls.len() >= 2,
        "authorization_pending was seen: {polls:?}"
    );
    assert_eq!(
        polls[0].error.as_deref(),
        Some("authorization_pending"),
        "{polls:?}"
    );
    assert!(
        polls[..polls.len() - 1]
            .iter()
            .all(|p| p.status == 400 && p.error.as_deref() == Some("authorization_pending")),
        "{polls:?}"
    );
    assert_eq!(polls.last().unwrap().status, 200, "{polls:?}");
    let waits = events
        .iter()
        .filter(|e| matches!(e, PollProgress::Waiting { .. }))
        .count();
    assert_eq!(waits, polls.len(), "one wait before every poll: {events:?}");
    assert_eq!(log.device_authorizations.len(), 1);
    eprintln!(
        "device-code polls, ms after the device authorization: {:?}",
        polls
            .iter()
            .map(|p| (p.at_ms - log.device_authorizations[0].at_ms).round() as u64)
            .collect::<Vec<_>>()
    );
    let mut previous = log.device_authorizations[0].at_ms;
    for p in &polls {
        let gap = p.at_ms - previous;
        assert!(
            gap >= DEFAULT_INTERVAL.as_millis() as f64,
            "a poll came {gap:.0} ms after the previous request, sooner than the interval: {polls:?}"
        );
        assert!(
            gap < 9_000.0,
            "a poll came {gap:.0} ms after the previous one: {polls:?}"
        );
        previous = p.at_ms;
    }

    // Refresh: a new access token and a rotated refresh token.
    let scopes: Vec<String> = SCOPES.iter().map(|s| s.to_string()).collect();
    let refreshed = client
        .refresh(&first_refresh, TENANT, &scopes)
        .await
        .unwrap_or_else(|e| panic!("refresh failed: {e:?}\n{}", server.stderr()));
    assert!(!refreshed.access_token.is_empty());
    assert_ne!(refreshed.access_token, tokens.access_token);
    let second_refresh = refreshed
        .refresh_token
        .clone()
        .expect("the provider rotates refresh tokens");
    assert_ne!(second_refresh, first_refresh, "rotated");

    // The used refresh token is refused (`invalid_grant`), mapped to "sign in again".
    let err = client
        .refresh(&first_refresh, TENANT, &scopes)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SessionExpired, "{err:?}");
    assert_eq!(err.details.http_status, Some(400));
    assert_eq!(err.details.endpoint.as_deref(), Some("token"));
    // oidc-provider treats the reuse as theft and revokes the whole grant: the rotated token
    // is gone too. This is why core must store every rotated refresh token at once.
    let err = client
        .refresh(&second_refresh, TENANT, &scopes)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SessionExpired, "{err:?}");

    let log = server.log().await;
    let refreshes: Vec<_> = log
        .token_requests
        .iter()
        .filter(|r| r.grant_type == "refresh_token")
        .map(|r| (r.status, r.error.clone()))
        .collect();
    assert_eq!(
        refreshes,
        vec![
            (200, None),
            (400, Some("invalid_grant".into())),
            (400, Some("invalid_grant".into()))
        ]
    );
    assert_eq!(
        log.device_polls().len(),
        polls.len(),
        "no poll after success"
    );
}

#[tokio::test]
async fn a_declined_code_is_reported_as_declined() {
    let Some(dir) = prerequisites() else { return };
    let server = Server::start(&dir);
    let client = server.identity_client();
    let auth = client.start_device_authorization().await.unwrap();
    // The person clicks "[ Abort ]" on the provider's confirmation page: RFC 8628's
    // `access_denied` on the next poll.
    server
        .browser(&auth.verification_uri, &auth.user_code, true)
        .await;
    let err = client
        .wait_for_device_token(&auth, &CancellationToken::new(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInDeclined, "{err:?}");
    let polls = server.log().await.device_polls();
    assert_eq!(
        polls.len(),
        1,
        "stops at the first access_denied: {polls:?}"
    );
    assert_eq!(polls[0].error.as_deref(), Some("access_denied"));
}
