//! `ado-connect logs path` and `ado-connect diagnostics`, as an IT desk runs them: the log
//! folder the app uses, and a summary with codes and correlation ids but never a token.

use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_ado-connect");
const JWT: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl";

fn run(home: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("ADO_CONNECT_CONFIG", config)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn log_dir(home: &Path) -> std::path::PathBuf {
    home.join("data").join("com.adoconnect.app").join("logs")
}

#[test]
fn logs_path_is_the_apps_log_folder() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("c.toml");
    std::fs::write(&config, "").unwrap();
    let out = run(home.path(), &config, &["logs", "path"]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim_end(),
        log_dir(home.path()).display().to_string()
    );
    let out = run(home.path(), &config, &["--json", "logs", "path"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["path"], log_dir(home.path()).display().to_string());
}

#[test]
fn diagnostics_lists_sources_and_recent_errors_without_tokens() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("c.toml");
    std::fs::write(&config, "[gcm]\ngit = \"/usr/bin/git\"\n").unwrap();
    let logs = log_dir(home.path());
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(
        logs.join("ado-connect.2026-11-29.log"),
        format!(
            "2026-11-29T09:00:00.000001Z  INFO ado_connect_app: ADO Connect starting version=\"0.1.0\"\n\
             2026-11-29T09:00:01.000001Z ERROR ado_connect_app::commands: sign-in: blocked with Bearer {JWT} \
             code=sign-in-blocked-by-policy correlation_id=\"0b3c5d1e-aaaa-bbbb-cccc-123456789012\" aadsts=\"53003\"\n"
        ),
    )
    .unwrap();
    let out = run(home.path(), &config, &["diagnostics"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("ADO Connect "), "{text}");
    assert!(text.contains("OS: linux"), "{text}");
    assert!(
        text.contains(&format!("ADO_CONNECT_CONFIG {}", config.display())),
        "{text}"
    );
    assert!(text.contains("[sign-in-blocked-by-policy]"), "{text}");
    assert!(
        text.contains("correlation id 0b3c5d1e-aaaa-bbbb-cccc-123456789012"),
        "{text}"
    );
    assert!(text.contains("(AADSTS53003)"), "{text}");
    assert!(!text.contains(JWT), "{text}");
    let out = run(home.path(), &config, &["--json", "diagnostics"]);
    let raw = String::from_utf8(out.stdout).unwrap();
    assert!(!raw.contains(JWT));
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(v["recentErrors"][0]["code"], "sign-in-blocked-by-policy");
    assert_eq!(v["logFiles"][0], "ado-connect.2026-11-29.log");
}

#[test]
fn diagnostics_works_when_the_configuration_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("bad.toml");
    std::fs::write(&config, "[identity]\nclient = \"x\"\n").unwrap();
    let out = run(home.path(), &config, &["diagnostics"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("refused:"), "{text}");
    assert!(text.contains("[config-invalid]"), "{text}");
    assert!(text.contains("Recent errors: none"), "{text}");
}

#[test]
fn config_set_and_unset_the_proxy_in_the_users_file() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("c.toml");
    std::fs::write(&config, "").unwrap();
    let user = home
        .path()
        .join("config")
        .join("com.adoconnect.app")
        .join("config.toml");
    let out = run(
        home.path(),
        &config,
        &[
            "config",
            "set",
            "network.proxy",
            "http://proxy.contoso.com:8080",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(std::fs::read_to_string(&user)
        .unwrap()
        .contains("proxy = \"http://proxy.contoso.com:8080\""));
    // `config show` says where it comes from.
    let out = run(home.path(), &config, &["--json", "config", "show"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["config"]["network"]["proxy"],
        "http://proxy.contoso.com:8080"
    );
    assert_eq!(v["origins"]["network.proxy"]["layer"], "user");

    // Bad input: exit 2, a coded error, the file as it was.
    let before = std::fs::read_to_string(&user).unwrap();
    for args in [
        [
            "config",
            "set",
            "network.proxy",
            "http://me:secret@proxy:8080",
        ],
        ["config", "set", "identity.tenant", "contoso.com"],
    ] {
        let out = run(home.path(), &config, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("invalid-input"), "{stderr}");
        assert!(!stderr.contains("secret"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&user).unwrap(), before);
    }

    let out = run(home.path(), &config, &["config", "unset", "network.proxy"]);
    assert!(out.status.success(), "{out:?}");
    assert!(!std::fs::read_to_string(&user).unwrap().contains("proxy ="));
    assert_eq!(
        std::fs::read_to_string(user.with_extension("toml.bak")).unwrap(),
        before
    );
}
