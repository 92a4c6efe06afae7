//! TLS with the operating system's root certificates: a service whose certificate chains to a
//! root the system trusts is reached; one whose root it does not trust is a clear, coded error
//! (what a user behind an HTTPS-inspecting proxy meets), sent once, not retried.
//!
//! The "system" store is made for the test: rustls-native-certs reads `SSL_CERT_FILE`, as
//! OpenSSL does. A real server on loopback (Python's `ssl`) with certificates made by `openssl`.
//! Its own test binary: it sets an environment variable for the whole process.

use ado_connect_core::http::{HttpClient, Request, DEFAULT_TIMEOUT};
use ado_connect_core::ErrorCode;
use reqwest::Method;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (Debian's openssl, a dependency of ca-certificates)");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

/// A CA named `name` and a certificate for 127.0.0.1 signed by it, in `dir`.
fn ca_and_leaf(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            &format!("{name}-ca.key"),
            "-out",
            &format!("{name}-ca.pem"),
            "-subj",
            &format!("/CN={name} test CA"),
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{name}-ca.pem"),
            "-CAkey",
            &format!("{name}-ca.key"),
            "-CAcreateserial",
            "-days",
            "1",
            "-out",
            &format!("{name}.pem"),
            "-extfile",
            "leaf.ext",
        ],
    );
}

const SERVER: &str = r#"
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        with open(sys.argv[4], "a") as f:
            f.write("request\n")
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(sys.argv[1], sys.argv[2])
s.socket = c.wrap_socket(s.socket, server_side=True)
open(sys.argv[3], "w").write(str(s.server_address[1]))
s.serve_forever()
"#;

fn serve(dir: &Path, name: &str) -> (Server, u16) {
    let port_file = dir.join(format!("{name}.port"));
    let child = Command::new("python3")
        .args(["-c", SERVER])
        .arg(dir.join(format!("{name}.pem")))
        .arg(dir.join(format!("{name}.key")))
        .arg(&port_file)
        .arg(dir.join(format!("{name}.log")))
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
async fn the_systems_roots_are_trusted_and_an_unknown_root_is_a_clear_error() {
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
}
