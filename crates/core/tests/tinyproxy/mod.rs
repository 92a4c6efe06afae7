//! A real proxy on loopback: Debian's tinyproxy with its own configuration, for the proxy
//! and TLS tests.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Tinyproxy {
    child: Child,
    pub port: u16,
    /// Its log (LogLevel Connect): one line per request, CONNECT included.
    pub log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn tinyproxy(basic_auth: Option<(&str, &str)>) -> Tinyproxy {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tinyproxy.log");
    let mut conf = format!(
        "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Connect\nMaxClients 20\nAllow 127.0.0.1\nDisableViaHeader Yes\n",
        log.display()
    );
    if let Some((user, password)) = basic_auth {
        conf.push_str(&format!("BasicAuth {user} {password}\n"));
    }
    let conf_path = dir.path().join("tinyproxy.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let child = Command::new("tinyproxy")
        .args(["-d", "-c"])
        .arg(&conf_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tinyproxy is installed (scripts/deps.sh installs it)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Tinyproxy {
        child,
        port,
        log,
        _dir: dir,
    }
}
