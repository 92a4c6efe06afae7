//! Secrets cannot leak by accident (issue 8, STYLE 4): after a full run through core against
//! the simulator (sign-in, organizations, details, directories, connect, members, invite,
//! PAT, Git Credential Manager plan, restart, errors on the way, sign-out), no access token,
//! refresh token or PAT appears in any file of the data directory, the saved report, the
//! log files written at DEBUG by the app's own logging, or any error's Debug, Display,
//! serde or "Copy details" text, or anything serialized for the front end.
//!
//! The secrets are the real ones the simulator issued: refresh tokens as the keychain
//! received them, access tokens as the session holds them, the PAT as it was shown once.

mod common;

use ado_connect_core::auth::store::{MemoryStore, SecretStore};
use ado_connect_core::config::ConfigLoader;
use ado_connect_core::devops::InviteAccessLevel;
use ado_connect_core::service::{GcmChoices, PatScope};
use ado_connect_core::session::Resource;
use ado_connect_core::{AdoConnect, Error, Result};
use ado_sim::{Fault, Sim, SimOptions};
use common::{fast_scenario, CONTOSO, MORGAN};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// A keychain that remembers every value it was ever given.
#[derive(Default)]
struct RecordingStore {
    inner: MemoryStore,
    seen: Mutex<Vec<String>>,
}

impl SecretStore for RecordingStore {
    fn set(&self, account: &str, value: &str) -> Result<()> {
        self.seen.lock().unwrap().push(value.to_string());
        self.inner.set(account, value)
    }
    fn get(&self, account: &str) -> Result<Option<String>> {
        self.inner.get(account)
    }
    fn delete(&self, account: &str) -> Result<()> {
        self.inner.delete(account)
    }
}

/// Everything a run produced that a person or a file could see.
#[derive(Default)]
struct Outputs {
    /// (what, text)
    texts: Vec<(String, String)>,
    errors: usize,
}

impl Outputs {
    fn error(&mut self, what: &str, e: &Error) {
        self.errors += 1;
        self.texts
            .push((format!("{what}: Debug"), format!("{e:?}")));
        self.texts.push((format!("{what}: Display"), e.to_string()));
        self.texts
            .push((format!("{what}: serde"), serde_json::to_string(e).unwrap()));
        self.texts
            .push((format!("{what}: copy details"), e.copy_details()));
    }

    fn serialized(&mut self, what: &str, value: &impl serde::Serialize) {
        self.texts
            .push((what.to_string(), serde_json::to_string(value).unwrap()));
    }

    fn debug(&mut self, what: &str, value: &impl std::fmt::Debug) {
        self.texts.push((what.to_string(), format!("{value:?}")));
    }

    fn files_under(&mut self, dir: &Path) -> usize {
        let mut n = 0;
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    todo.push(path);
                } else {
                    let bytes = std::fs::read(&path).unwrap();
                    self.texts.push((
                        path.display().to_string(),
                        String::from_utf8_lossy(&bytes).into_owned(),
                    ));
                    n += 1;
                }
            }
        }
        n
    }
}

/// The access tokens the session holds right now.
async fn access_tokens(app: &AdoConnect, tenants: &[Option<&str>]) -> Vec<String> {
    let mut out = vec![];
    for resource in [Resource::Devops, Resource::Arm] {
        for tenant in tenants {
            if let Ok(t) = app.session.access_token_for(resource, *tenant, false).await {
                out.push(t.expose().to_string());
            }
        }
    }
    out
}

/// Any 16 characters in a row of a secret (the simulator's secrets are random alphanumerics,
/// so 16 in a row cannot turn up by chance): a cut or wrapped token is found as well.
fn leaks(secret: &str, haystack: &str) -> bool {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 16 {
        return haystack.contains(secret);
    }
    chars
        .windows(16)
        .any(|w| haystack.contains(&w.iter().collect::<String>()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_leaves_no_token_anywhere() {
    let work = tempfile::tempdir().unwrap();
    let logs = work.path().join("logs");
    let data = work.path().join("app");
    let gitconfig = work.path().join("gitconfig");
    std::fs::write(
        &gitconfig,
        "[credential \"azrepos:org/fabrikam-fiber\"]\n\tazureAuthority = https://login.microsoftonline.com/organizations\n",
    )
    .unwrap();
    // The plan reads the global git config: this sandbox's, not the machine's.
    std::env::set_var("GIT_CONFIG_GLOBAL", &gitconfig);
    std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
    // The app's own log files, at DEBUG for every crate and TRACE for core.
    let guard = ado_connect_core::logging::init_file_logging(&logs, "debug,ado_connect_core=trace")
        .expect("the log subscriber is the first and only one in this test binary");
    tracing::info!("secrets test: logging works");

    let sim = Sim::start(SimOptions {
        port: 0,
        scenario: fast_scenario(),
    })
    .await
    .unwrap();
    let sim_config = work.path().join("sim.toml");
    std::fs::write(&sim_config, sim.config_toml()).unwrap();
    let mut config = ConfigLoader {
        env: Some(sim_config),
        ..Default::default()
    }
    .load()
    .unwrap()
    .config;
    config.gcm.legacy_cache_path = work.path().join("tenant.cache").display().to_string();
    let store = Arc::new(RecordingStore::default());
    let app = AdoConnect::new(config.clone(), store.clone(), Some(data.clone()));
    let mut out = Outputs::default();
    let mut access = vec![];
    let tenants = [None, Some(CONTOSO)];

    // Sign in with the device code.
    let auth = app.start_sign_in().await.unwrap();
    out.debug("device authorization", &auth);
    assert!(sim.approve(&auth.user_code, MORGAN));
    let status = app
        .finish_sign_in(&auth, &CancellationToken::new(), &mut |p| {
            tracing::debug!(?p, "poll progress")
        })
        .await
        .unwrap();
    out.serialized("session status", &status);
    access.extend(access_tokens(&app, &tenants).await);

    // The organizations, their details and the directories.
    let orgs = app.list_organizations(true).await.unwrap();
    out.serialized("organizations", &orgs);
    let details = app.organization_details("fabrikam-fiber").await.unwrap();
    out.serialized("details", &details);
    let dirs = app.list_directories().await.unwrap();
    out.serialized("directories", &dirs);
    out.serialized("domain", &app.resolve_domain("contoso.com").await.unwrap());
    out.serialized(
        "preflight",
        &app.preflight("fabrikam-fiber", CONTOSO).await.unwrap(),
    );
    access.extend(access_tokens(&app, &tenants).await);

    // Connect, then what follows it.
    let connected = app
        .connect("fabrikam-fiber", CONTOSO, &mut |s| {
            tracing::debug!(step = s, "connect")
        })
        .await
        .unwrap();
    out.serialized("connect", &connected);
    out.serialized(
        "members",
        &app.list_members("fabrikam-fiber").await.unwrap(),
    );
    out.serialized(
        "invitation",
        &app.invite_user(
            "fabrikam-fiber",
            "ana@contoso.com",
            InviteAccessLevel::Stakeholder,
        )
        .await
        .unwrap(),
    );
    out.serialized(
        "invitation status",
        &app.invitation_status("fabrikam-fiber", "ana@contoso.com")
            .await
            .unwrap(),
    );
    let pat = app
        .create_pat("fabrikam-fiber", "build agent", &[PatScope::CodeWrite], 30)
        .await
        .unwrap();
    out.debug("created token", &pat);
    access.extend(access_tokens(&app, &tenants).await);
    let plan = app
        .gcm_plan(vec!["fabrikam-fiber".into()], GcmChoices::default())
        .unwrap();
    out.serialized("gcm plan", &plan);
    out.serialized("progress", &app.progress());

    // Errors with tokens in flight: refused tokens (a silent refresh each), a policy
    // refusal, a declined sign-in, a service failure.
    sim.set_fault("userentitlements", Fault::unauthorized_401());
    out.error(
        "401 members",
        &app.list_members("fabrikam-fiber").await.unwrap_err(),
    );
    access.extend(access_tokens(&app, &tenants).await);
    sim.set_fault("accounts", Fault::html_203());
    out.error(
        "203 accounts",
        &app.list_organizations(true).await.unwrap_err(),
    );
    access.extend(access_tokens(&app, &tenants).await);
    sim.clear_faults();
    app.list_organizations(true).await.unwrap(); // Refresh: directories are asked again
    sim.set_fault("tenants", Fault::unauthorized_401());
    out.error("401 tenants", &app.list_directories().await.unwrap_err());
    access.extend(access_tokens(&app, &tenants).await);
    sim.set_fault("pats", Fault::malformed_json());
    out.error(
        "malformed pat",
        &app.create_pat("fabrikam-fiber", "x", &[], 1)
            .await
            .unwrap_err(),
    );
    sim.clear_faults();
    out.error(
        "pat policy",
        &app.create_pat("contoso-web", "tool", &[PatScope::CodeRead], 30)
            .await
            .unwrap_err(),
    );
    let work_auth = app.start_sign_in_to(CONTOSO).await.unwrap();
    assert!(sim.decline(&work_auth.user_code));
    out.error(
        "declined",
        &app.finish_sign_in(&work_auth, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err(),
    );
    sim.set_fault("token", Fault::status(500));
    out.error(
        "refresh 500",
        &app.session
            .access_token(Resource::Arm, true)
            .await
            .unwrap_err(),
    );
    sim.clear_faults();

    // The app starts again from the keychain and goes on.
    let again = AdoConnect::new(config.clone(), store.clone(), Some(data.clone()));
    out.serialized("restored", &again.session.restore().await);
    out.serialized("resumed", &again.resume().await.unwrap());
    out.serialized(
        "members after restart",
        &again.list_members("fabrikam-fiber").await.unwrap(),
    );
    access.extend(access_tokens(&again, &tenants).await);

    let report_dir = work.path().join("saved-report");
    std::fs::create_dir_all(&report_dir).unwrap();
    let (json, text) = again.save_report(&report_dir).unwrap();
    assert!(json.exists() && text.exists());
    // The data directory while signed in (session pointer included), and after sign-out.
    let mut files = out.files_under(&data);
    again.session.sign_out().await.unwrap();
    drop(guard); // flushes the log files

    // The secrets.
    let refresh: Vec<String> = store
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|v| !v.starts_with('\u{1}'))
        .cloned()
        .collect();
    access.sort();
    access.dedup();
    assert!(refresh.len() >= 3, "refresh tokens seen: {}", refresh.len());
    assert!(access.len() >= 4, "access tokens seen: {}", access.len());
    let pat_value = pat.token.expose().to_string();
    assert!(!pat_value.is_empty());
    let mut secrets: Vec<(&str, String)> = vec![("PAT", pat_value)];
    secrets.extend(refresh.into_iter().map(|t| ("refresh token", t)));
    secrets.extend(access.into_iter().map(|t| ("access token", t)));

    // Everywhere they must not be.
    files += out.files_under(&data) + out.files_under(&report_dir) + out.files_under(&logs);
    let log_text: String = out
        .texts
        .iter()
        .filter(|(what, _)| Path::new(what).starts_with(&logs))
        .map(|(_, t)| t.as_str())
        .collect();
    assert!(
        log_text.contains("secrets test: logging works") && log_text.contains("DEBUG"),
        "the log files hold the run at DEBUG"
    );
    assert!(files >= 8, "data, report and log files: {files}");
    assert!(out.errors >= 7, "errors checked: {}", out.errors);
    // The check itself finds a secret, whole or cut.
    let sample = &secrets[1].1;
    assert!(leaks(sample, &format!("Bearer {sample}\n")));
    assert!(leaks(sample, &sample[3..24]));
    let mut found = vec![];
    for (kind, secret) in &secrets {
        for (what, text) in &out.texts {
            if leaks(secret, text) {
                found.push(format!("a {kind} in {what}"));
            }
        }
    }
    assert!(found.is_empty(), "secrets leaked:\n{}", found.join("\n"));
    println!(
        "checked {} secrets against {} texts ({files} files, {} errors): no leak",
        secrets.len(),
        out.texts.len(),
        out.errors
    );
}
