//! TLS with the operating system's root certificates: a service whose certificate chains to a
//! root the system trusts is reached; one whose root it does not trust is a clear, coded error
//! (what a user behind an HTTPS-inspecting proxy meets), sent once, not retried. And the
//! environment's `HTTPS_PROXY` and `NO_PROXY` are honoured (through a real tinyproxy).
//!
//! The "system" store is made for the test: rustls-native-certs reads `SSL_CERT_FILE`, as
//! OpenSSL does. A real server on loopback (tests/support/https_server.py) with certificates
//! made by `openssl` (tests/support/test-ca.sh).
//! Its own test binary: it sets an environment variable for the whole process.

mod tinyproxy;

use ado_connect_core::http::{HttpClient, Request, DEFAULT_TIMEOUT};
use ado_connect_core::ErrorCode;
use reqwest::Method;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `tests/support`: the CA script and the https server shared with tests/packaging/updater.sh.
fn support(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/support")
        .join(file)
}

/// A CA named `name` and a certificate for 127.0.0.1 signed by it, in `dir`.
fn ca_and_leaf(dir: &Path, name: &str) {
    let out = Command::new(support("test-ca.sh"))
        .arg(dir)
        .arg(name)
        .output()
        .expect("openssl is installed (Debian's openssl, a dependency of ca-certificates)");
    assert!(out.status.success(), "test-ca.sh {name}: {out:?}");
}

fn serve(dir: &Path, name: &str) -> (Server, u16) {
    let port_file = dir.join(format!("{name}.port"));
    std::fs::write(dir.join("body.json"), r#"{"ok": true}"#).unwrap();
    let child = Command::new("python3")
        .arg(support("https_server.py"))
        .arg(dir.join(format!("{name}.pem")))
        .arg(dir.join(format!("{name}.key")))
        .arg(dir.join("body.json"))
        .arg(dir.join(format!("{name}.log")))
        .arg(&port_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3");
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(port) = std::fs::read_to_string(&port_file)
            .ok()
            .and_then(|p| p.trim().parse().ok())
        {
            return (server, port);
        }
        assert!(Instant::now() < deadline, "the TLS server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn system_roots_trusted_unknown_root_refused_environment_proxy_honoured() {
    let dir = tempfile::tempdir().unwrap();
    ca_and_leaf(dir.path(), "trusted");
    ca_and_leaf(dir.path(), "inspecting");
    // This computer's store holds the "trusted" root only.
    std::env::set_var("SSL_CERT_FILE", dir.path().join("trusted-ca.pem"));
    let (_good, good_port) = serve(dir.path(), "trusted");
    let (_bad, bad_port) = serve(dir.path(), "inspecting");
    let http = HttpClient::new(DEFAULT_TIMEOUT);

    let url = |port: u16| url::Url::parse(&format!("https://127.0.0.1:{port}/x")).unwrap();
    let ok = http
        .send(Request::new(Method::GET, url(good_port), "tls-test"))
        .await
        .expect("a certificate from a trusted root is accepted");
    assert_eq!(ok.status.as_u16(), 200);

    let started = Instant::now();
    let err = http
        .send(Request::new(Method::GET, url(bad_port), "tls-test"))
        .await
        .expect_err("a certificate from an unknown root is refused");
    assert_eq!(err.code, ErrorCode::CertificateUntrusted, "{err:?}");
    assert!(err.message.contains("certificate"), "{}", err.message);
    assert!(err.remedy.contains("IT desk"), "{}", err.remedy);
    // Sent once: an untrusted certificate is not retried (the retries of a read would wait).
    assert_eq!(err.details.attempts, Some(1));
    assert!(started.elapsed() < Duration::from_secs(5));

    // The environment's proxy: HTTPS_PROXY carries https requests (a CONNECT tunnel), and
    // NO_PROXY sends the hosts it names direct. Read when a client is made, as in the app.
    let proxy = tinyproxy::tinyproxy(None);
    std::env::set_var("HTTPS_PROXY", format!("http://127.0.0.1:{}", proxy.port));
    std::env::remove_var("NO_PROXY");
    let through = HttpClient::new(DEFAULT_TIMEOUT);
    let ok = through
        .send(Request::new(Method::GET, url(good_port), "tls-test"))
        .await
        .expect("through the environment's proxy");
    assert_eq!(ok.status.as_u16(), 200);
    let connects = || {
        std::fs::read_to_string(&proxy.log)
            .unwrap_or_default()
            .matches(&format!("CONNECT 127.0.0.1:{good_port}"))
            .count()
    };
    assert_eq!(
        connects(),
        1,
        "proxy log: {:?}",
        std::fs::read_to_string(&proxy.log)
    );
    std::env::set_var("NO_PROXY", "127.0.0.1");
    let direct = HttpClient::new(DEFAULT_TIMEOUT);
    direct
        .send(Request::new(Method::GET, url(good_port), "tls-test"))
        .await
        .expect("direct, as NO_PROXY says");
    assert_eq!(connects(), 1, "NO_PROXY was not honoured");
}
