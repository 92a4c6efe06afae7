//! The `ado-sim` binary: base URL on the first stdout line, the config file, the scenario
//! file, and a clean stop on SIGTERM.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ado-sim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ado-sim starts");
    let stdout = child.stdout.take().unwrap();
    let mut first_line = String::new();
    BufReader::new(stdout).read_line(&mut first_line).unwrap();
    (Running(child), first_line.trim().to_string())
}

#[tokio::test]
async fn binary_prints_its_url_writes_the_config_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ado-connect.toml");
    let scenario = dir.path().join("scenario.toml");
    let mut custom = common::fast_demo();
    custom.identity.interval_secs = 3;
    std::fs::write(&scenario, custom.to_toml()).unwrap();

    let (mut running, base_url) = spawn(&[
        "--port",
        "0",
        "--scenario",
        scenario.to_str().unwrap(),
        "--write-config",
        config.to_str().unwrap(),
    ]);
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    let text = std::fs::read_to_string(&config).unwrap();
    let parsed: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(
        parsed["identity"]["authority_host"].as_str().unwrap(),
        format!("{base_url}/login")
    );
    assert_eq!(
        parsed["devops"]["profile_base"].as_str().unwrap(),
        format!("{base_url}/app.vssps")
    );
    assert_eq!(
        parsed["devops"]["org_base"].as_str().unwrap(),
        format!("{base_url}/dev")
    );
    assert_eq!(
        parsed["devops"]["vssps_base"].as_str().unwrap(),
        format!("{base_url}/vssps")
    );
    assert_eq!(
        parsed["devops"]["vsaex_base"].as_str().unwrap(),
        format!("{base_url}/vsaex")
    );
    assert_eq!(
        parsed["arm"]["base"].as_str().unwrap(),
        format!("{base_url}/arm")
    );
    assert_eq!(
        parsed["identity"].as_table().unwrap().len(),
        1,
        "no keys beyond the app's schema"
    );

    let http = common::client();
    let body: serde_json::Value = http
        .post(format!(
            "{base_url}/login/organizations/oauth2/v2.0/devicecode"
        ))
        .form(&[
            ("client_id", common::VS_CLIENT),
            ("scope", common::DEVOPS_SCOPE),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["interval"], 3, "the scenario file was loaded");

    let approved = http
        .post(format!("{base_url}/_sim/approve"))
        .json(&serde_json::json!({"userCode": body["user_code"], "user": common::MORGAN}))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 200);
    let tokens: serde_json::Value = http
        .post(format!("{base_url}/login/organizations/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", common::DEVICE_GRANT),
            ("client_id", common::VS_CLIENT),
            ("device_code", body["device_code"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access_token = tokens["access_token"].as_str().unwrap();
    let profile = http
        .get(format!(
            "{base_url}/app.vssps/_apis/profile/profiles/me?api-version=7.1"
        ))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(profile.status(), 200);

    // Leak tests read every secret issued so far.
    let secrets: serde_json::Value = http
        .get(format!("{base_url}/_sim/secrets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(secrets["access"], serde_json::json!([access_token]));
    assert_eq!(
        secrets["refresh"],
        serde_json::json!([tokens["refresh_token"]])
    );
    assert_eq!(secrets["pats"], serde_json::json!([]));

    let pid = running.0.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(exit) = running.0.try_wait().unwrap() {
            assert!(exit.success(), "{exit:?}");
            break;
        }
        assert!(Instant::now() < deadline, "ado-sim did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }

    // The request log names requests, never a secret.
    let mut log = String::new();
    running
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(
        log.contains("GET /app.vssps/_apis/profile/profiles/me -> 200"),
        "{log}"
    );
    for secret in [
        access_token,
        tokens["refresh_token"].as_str().unwrap(),
        tokens["id_token"].as_str().unwrap(),
        body["device_code"].as_str().unwrap(),
    ] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
}

#[test]
fn binary_refuses_a_broken_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("broken.toml");
    std::fs::write(
        &scenario,
        "[[organizations]]\nname = \"x\"\nowner = \"nobody@example.com\"\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ado-sim"))
        .args(["--scenario", scenario.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nobody@example.com"));
}

#[test]
fn demo_file_is_the_default_scenario() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/demo.toml"))
        .unwrap();
    assert_eq!(
        ado_sim::Scenario::from_toml(&text).unwrap(),
        ado_sim::Scenario::default_demo()
    );
}
