//! The `ado-connect` binary against ado-sim: configuration, sign-in, listing, errors and
//! exit codes, as an IT desk's script sees them.

use ado_sim::{Scenario, Sim, SimOptions};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_ado-connect");

struct Env {
    sim: Sim,
    dir: tempfile::TempDir,
}

impl Env {
    async fn start() -> Env {
        let mut scenario = Scenario::default_demo();
        scenario.identity.interval_secs = 1;
        let sim = Sim::start(SimOptions { port: 0, scenario }).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sim.toml"), sim.config_toml()).unwrap();
        Env { sim, dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("sim.toml")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .env("ADO_CONNECT_CONFIG", self.config())
            .env("ADO_CONNECT_DATA_DIR", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg-config"))
            .stdin(Stdio::null());
        c
    }

    async fn run(&self, args: &[&str]) -> Output {
        let mut c = self.command(args);
        tokio::task::spawn_blocking(move || c.output().unwrap())
            .await
            .unwrap()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn config_show_prints_values_and_their_origin() {
    let env = Env::start().await;
    let out = env
        .run(&["config", "show", "--set", "gcm.git=/usr/bin/git"])
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("tenant = \"organizations\"    # default"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("# ADO_CONNECT_CONFIG {}", env.config().display())),
        "{stdout}"
    );
    assert!(
        stdout.contains("git = \"/usr/bin/git\"    # command line"),
        "{stdout}"
    );
    let out = env.run(&["config", "show", "--json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["origins"]["identity.tenant"]["layer"], "default");
}

#[tokio::test]
async fn a_bad_config_file_is_a_coded_error_with_exit_status_2() {
    let env = Env::start().await;
    let bad = env.dir.path().join("bad.toml");
    std::fs::write(&bad, "[devops]\norg_base = \"http://example.com\"\n").unwrap();
    let out = env
        .run(&["--config", bad.to_str().unwrap(), "status"])
        .await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("error[config-invalid]")
            && err.contains("devops.org_base")
            && err.contains("bad.toml"),
        "{err}"
    );
    assert!(err.contains("what to do:"), "{err}");
    let out = env
        .run(&["--config", bad.to_str().unwrap(), "--json", "status"])
        .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(v["code"], "config-invalid");
}

#[tokio::test]
async fn not_signed_in_is_exit_status_4() {
    let env = Env::start().await;
    let out = env.run(&["orgs"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("error[not-signed-in]"));
}

#[tokio::test]
async fn sign_in_with_device_code_then_list_organizations() {
    let env = Env::start().await;
    let mut child = env
        .command(&["sign-in"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let base = env.sim.base_url();
    // Read the code the person would type, and approve it as they would.
    let code = tokio::task::spawn_blocking(move || {
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if let Some(rest) = line.split("enter the code ").nth(1) {
                return rest.trim().to_string();
            }
        }
        panic!("no code printed");
    })
    .await
    .unwrap();
    assert!(code.len() == 8, "{code}");
    let r = reqwest::Client::new()
        .post(format!("{base}/_sim/approve"))
        .json(&serde_json::json!({"userCode": code, "user": "morgan.lee@outlook.com"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("Signed in as Morgan Lee <morgan.lee@outlook.com>"));

    // The next process finds the sign-in only where a keychain remembered it.
    let status = env.run(&["status", "--json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    if v["remembered"] == true {
        let out = env.run(&["orgs", "--json"]).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let orgs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(orgs.as_array().unwrap().len(), 3);
        let out = env.run(&["sign-out"]).await;
        assert!(out.status.success());
    } else {
        assert!(
            std::env::var_os("ADO_CONNECT_REQUIRE_KEYCHAIN").is_none(),
            "keychain required: {v}"
        );
    }
}
