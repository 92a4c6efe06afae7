//! A running simulator and an `AdoConnect` pointed at it, with an in-memory keychain.
#![allow(dead_code)]

use ado_connect_core::auth::store::MemoryStore;
use ado_connect_core::config::{Config, ConfigLoader};
use ado_connect_core::session::SessionStatus;
use ado_connect_core::AdoConnect;
use ado_sim::{Scenario, Sim, SimOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub const MORGAN: &str = "morgan.lee@outlook.com";
pub const CONTOSO: &str = "c0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5d";

/// The demo scenario with a one-second polling interval.
pub fn fast_scenario() -> Scenario {
    let mut s = Scenario::default_demo();
    s.identity.interval_secs = 1;
    s
}

pub struct Harness {
    pub sim: Sim,
    pub app: AdoConnect,
    pub config: Config,
    pub store: Arc<MemoryStore>,
    pub data: tempfile::TempDir,
}

impl Harness {
    pub async fn start(scenario: Scenario) -> Harness {
        Self::start_with(scenario, |_| {}).await
    }

    pub async fn start_with(scenario: Scenario, tweak: impl FnOnce(&mut Config)) -> Harness {
        let sim = Sim::start(SimOptions { port: 0, scenario })
            .await
            .expect("sim starts");
        let data = tempfile::tempdir().unwrap();
        let file = data.path().join("sim.toml");
        std::fs::write(&file, sim.config_toml()).unwrap();
        let mut config = ConfigLoader {
            env: Some(file),
            ..Default::default()
        }
        .load()
        .expect("the simulator's config file is valid")
        .config;
        tweak(&mut config);
        let store = Arc::new(MemoryStore::persistent());
        let app = AdoConnect::new(config.clone(), store.clone(), Some(data.path().join("app")));
        Harness {
            sim,
            app,
            config,
            store,
            data,
        }
    }

    /// A second app process: same keychain, same data directory.
    pub fn restart_app(&self) -> AdoConnect {
        AdoConnect::new(
            self.config.clone(),
            self.store.clone(),
            Some(self.data.path().join("app")),
        )
    }

    pub fn approve_later(&self, user_code: &str, email: &str, delay: Duration) {
        let url = format!("{}/_sim/approve", self.sim.base_url());
        let body = serde_json::json!({"userCode": user_code, "user": email});
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let r = reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "approve: {}", r.status());
        });
    }

    pub async fn sign_in(&self) -> SessionStatus {
        let auth = self.app.start_sign_in().await.expect("device code");
        assert!(self.sim.approve(&auth.user_code, MORGAN));
        self.app
            .finish_sign_in(&auth, &CancellationToken::new(), &mut |_| {})
            .await
            .expect("signed in")
    }

    pub fn stored_refresh_token(&self) -> Option<String> {
        let map = self.store.map.lock().unwrap();
        let mut keys: Vec<_> = map.keys().cloned().collect();
        keys.sort();
        keys.first().map(|k| map[k].clone())
    }

    pub fn stored_refresh_token_of_any(&self) -> Option<String> {
        self.stored_refresh_token()
    }

    pub fn fail_store(&self) {
        *self.store.fail.lock().unwrap() = true;
    }
}
