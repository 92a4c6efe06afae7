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
            // Tests run in parallel against one real keychain: one service name each.
            .env(
                "ADO_CONNECT_KEYCHAIN_SERVICE",
                format!("com.adoconnect.test.{}", self.sim.port()),
            )
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

impl Env {
    /// `login --json`: read the device-code event, approve (or decline) it through the
    /// simulator as the person would, and return the finished process's output.
    async fn login(&self, extra: &[&str], approve: bool) -> Output {
        let mut args = vec!["login", "--json"];
        args.extend_from_slice(extra);
        let mut child = self
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first: serde_json::Value =
                serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
            let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
            (first, rest)
        });
        // The person reads the code off the screen; the test reads it off the simulator.
        let base = self.sim.base_url();
        let state_url = format!("{base}/_sim/state");
        let code = loop {
            let state: serde_json::Value = reqwest::get(&state_url)
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(code) = state["deviceCodes"]
                .as_array()
                .and_then(|a| a.last())
                .and_then(|d| d["userCode"].as_str())
            {
                break code.to_string();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        let (path, body) = if approve {
            (
                "approve",
                serde_json::json!({"userCode": code, "user": "morgan.lee@outlook.com"}),
            )
        } else {
            ("decline", serde_json::json!({"userCode": code}))
        };
        let r = reqwest::Client::new()
            .post(format!("{base}/_sim/{path}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let (first, rest) = reader.await.unwrap();
        assert_eq!(first["event"], "device_code");
        assert_eq!(first["user_code"], code.as_str());
        assert!(first["expires_at"].as_str().unwrap().ends_with('Z'));
        let mut out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap();
        out.stdout = rest.join("\n").into_bytes();
        out
    }

    /// Signed in with the keychain remembering it, or None where no keychain answers
    /// (then ADO_CONNECT_REQUIRE_KEYCHAIN must be unset, or the test fails).
    async fn signed_in(&self) -> Option<()> {
        let out = self.login(&[], true).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let last: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if last["remembered"] == true {
            Some(())
        } else {
            assert!(
                std::env::var_os("ADO_CONNECT_REQUIRE_KEYCHAIN").is_none(),
                "keychain required"
            );
            None
        }
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
        .run(&["--config", bad.to_str().unwrap(), "whoami"])
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
        .run(&["--config", bad.to_str().unwrap(), "--json", "whoami"])
        .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(v["code"], "config-invalid");
}

#[tokio::test]
async fn not_signed_in_is_exit_status_3() {
    let env = Env::start().await;
    let out = env.run(&["orgs"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
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
    let status = env.run(&["whoami", "--json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    if v["remembered"] == true {
        let out = env.run(&["orgs", "--json"]).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let orgs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(orgs.as_array().unwrap().len(), 3);
        let out = env.run(&["logout"]).await;
        assert!(out.status.success());
    } else {
        assert!(
            std::env::var_os("ADO_CONNECT_REQUIRE_KEYCHAIN").is_none(),
            "keychain required: {v}"
        );
    }
}

#[tokio::test]
async fn login_json_prints_one_event_per_line() {
    let env = Env::start().await;
    let out = env.login(&["--no-keychain"], true).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let last: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(last["event"], "signed_in");
    assert_eq!(last["display_name"], "Morgan Lee");
    assert_eq!(last["email"], "morgan.lee@outlook.com");
    assert_eq!(last["remembered"], false, "--no-keychain keeps nothing");
    // Nothing was kept for the next command.
    let who = env.run(&["whoami"]).await;
    assert_eq!(who.status.code(), Some(1));
}

#[tokio::test]
async fn declined_login_exits_2_with_an_error_event() {
    let env = Env::start().await;
    let out = env.login(&["--no-keychain"], false).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err: serde_json::Value =
        serde_json::from_str(text(&out.stderr).lines().last().unwrap()).unwrap();
    assert_eq!(err["event"], "error");
    assert_eq!(err["code"], "sign-in-declined");
    assert!(err["remedy"].as_str().unwrap().len() > 10);
}

#[tokio::test]
async fn connect_from_the_command_line() {
    let env = Env::start().await;
    if env.signed_in().await.is_none() {
        return;
    }
    // Without a terminal and without --yes: refused, nothing sent.
    let out = env
        .run(&[
            "connect",
            "--org",
            "fabrikam-fiber",
            "--tenant",
            "contoso.com",
        ])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(env.sim.request_count("organization"), 0);
    // A directory the account is not in fails the pre-flight: exit 7, nothing sent.
    let out = env
        .run(&[
            "connect",
            "--org",
            "fabrikam-fiber",
            "--tenant",
            "0b0b0b0b-0000-4000-8000-000000000000",
            "--yes",
        ])
        .await;
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert_eq!(env.sim.request_count("organization"), 0);
    // A guest is refused by the service: exit 6, with the reason.
    let out = env
        .run(&[
            "connect",
            "--org",
            "fabrikam-fiber",
            "--tenant",
            "fabrikam.com",
            "--yes",
        ])
        .await;
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("error[not-active-member]"));
    // The real thing.
    let out = env
        .run(&[
            "connect",
            "--org",
            "fabrikam-fiber",
            "--tenant",
            "contoso.com",
            "--yes",
            "--json",
        ])
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(
        env.sim.org_tenant("fabrikam-fiber").as_deref(),
        Some("c0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5d")
    );
    let out = env
        .run(&["members", "--org", "fabrikam-fiber", "--json"])
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = env
        .run(&[
            "pat",
            "create",
            "--org",
            "fabrikam-fiber",
            "--name",
            "ci",
            "--scopes",
            "code-read,work-items-read",
            "--json",
        ])
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = v["token"].as_str().unwrap().to_string();
    let report = env.run(&["report"]).await;
    let report = text(&report.stdout);
    assert!(
        report.contains("connect") && report.contains("\"ci\""),
        "{report}"
    );
    assert!(!report.contains(&token));
    env.run(&["logout"]).await;
}

#[tokio::test]
async fn gcm_clean_exit_codes_for_scripts() {
    let env = Env::start().await;
    let home = env.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let gitconfig = env.dir.path().join("gitconfig");
    let legacy = env.dir.path().join("tenant.cache");
    {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&legacy).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(
            b"https://dev.azure.com/fabrikam-fiber/=00000000-0000-0000-0000-000000000000\0",
        )
        .unwrap();
        gz.finish().unwrap();
    }
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .env("GIT_CONFIG_GLOBAL", &gitconfig)
            .env("HOME", &home)
            .status()
            .unwrap()
            .success();
        assert!(ok);
    };
    git(&[
        "config",
        "--global",
        "credential.azrepos:org/fabrikam-fiber.azureAuthority",
        "https://login.microsoftonline.com/organizations",
    ]);
    let set = format!("gcm.legacy_cache_path={}", legacy.display());
    let gcm = |extra: &[&str]| {
        let mut args = vec![
            "--set",
            set.as_str(),
            "gcm",
            "clean",
            "--org",
            "fabrikam-fiber",
        ];
        args.extend_from_slice(extra);
        let mut c = env.command(&args);
        c.env("GIT_CONFIG_GLOBAL", &gitconfig).env("HOME", &home);
        c.output().unwrap()
    };
    let dry = gcm(&["--dry-run"]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    assert!(legacy.exists());
    let clean = gcm(&["--json"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));
    let outcome: serde_json::Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert!(
        !outcome["backups"].as_array().unwrap().is_empty(),
        "backups made first"
    );
    let again = gcm(&[]);
    assert_eq!(again.status.code(), Some(10), "nothing left to clean");
    let bad = gcm(&["--org", "../etc"]);
    assert_eq!(bad.status.code(), Some(1));
    let backup = outcome["backups"][0]["backup"]
        .as_str()
        .unwrap()
        .to_string();
    let mut c = env.command(&["gcm", "restore", &backup]);
    c.env("GIT_CONFIG_GLOBAL", &gitconfig).env("HOME", &home);
    assert!(c.output().unwrap().status.success());
}
