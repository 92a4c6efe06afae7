//! ado-sim: a local stand-in for the Microsoft identity platform, Azure DevOps and Azure
//! Resource Manager, faithful to `shared/reference/microsoft-apis.md` and the Azure DevOps
//! OpenAPI examples. One loopback port, every service under a path prefix:
//! `/login`, `/app.vssps`, `/dev`, `/vssps`, `/vsaex`, `/arm`, and test control under `/_sim`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = ado_sim::Sim::start(ado_sim::SimOptions::default()).await?;
//! println!("{}", sim.config_toml());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

// Helpers return the finished HTTP answer as their error so handlers can use `?`; a
// `Response` is 128 bytes, which is no concern in a test server.
#![allow(clippy::result_large_err)]

mod arm;
mod control;
mod devops;
mod fault;
mod identity;
mod responses;
pub mod scenario;
mod server;
mod state;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use fault::{Fault, ENDPOINT_KEYS};
pub use scenario::Scenario;

use state::Shared;

/// How to start the simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    pub scenario: Scenario,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            port: 0,
            scenario: Scenario::default_demo(),
        }
    }
}

/// A running simulator. Dropping it, or calling [`Sim::shutdown`], stops it.
pub struct Sim {
    shared: Arc<Shared>,
    address: SocketAddr,
    server: Option<JoinHandle<()>>,
}

impl Sim {
    /// Binds 127.0.0.1 and serves on the current tokio runtime. Requests are logged to
    /// stderr when the environment variable `ADO_SIM_LOG` is set.
    pub async fn start(opts: SimOptions) -> std::io::Result<Sim> {
        Sim::start_with_logging(opts, std::env::var_os("ADO_SIM_LOG").is_some()).await
    }

    /// As [`Sim::start`], choosing whether each request is logged to stderr
    /// (method, path and status only: never a token).
    pub async fn start_with_logging(opts: SimOptions, log_requests: bool) -> std::io::Result<Sim> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port)).await?;
        let address = listener.local_addr()?;
        let base_url = format!("http://{address}");
        let shared = Arc::new(Shared::new(base_url, opts.scenario, log_requests));
        let server = tokio::spawn(server::serve(listener, shared.clone()));
        Ok(Sim {
            shared,
            address,
            server: Some(server),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The ADO Connect configuration that points every endpoint at this simulator.
    pub fn config_toml(&self) -> String {
        let base = &self.shared.base_url;
        format!(
            "[identity]\n\
             authority_host = \"{base}/login\"\n\
             [devops]\n\
             profile_base = \"{base}/app.vssps\"\n\
             org_base = \"{base}/dev\"\n\
             vssps_base = \"{base}/vssps\"\n\
             vsaex_base = \"{base}/vsaex\"\n\
             [arm]\n\
             base = \"{base}/arm\"\n"
        )
    }

    /// Approves a pending user code as the scenario user with this e-mail.
    pub fn approve(&self, user_code: &str, user_email: &str) -> bool {
        self.shared.world().approve(user_code, user_email)
    }

    pub fn decline(&self, user_code: &str) -> bool {
        self.shared.world().decline(user_code)
    }

    /// Requests received on an endpoint key (see [`ENDPOINT_KEYS`]), faulted ones included.
    pub fn request_count(&self, endpoint: &str) -> usize {
        self.shared
            .world()
            .requests
            .get(endpoint)
            .copied()
            .unwrap_or(0)
    }

    /// Arms a fault on an endpoint key, replacing any fault already there.
    pub fn set_fault(&self, endpoint: &str, fault: Fault) {
        debug_assert!(
            ENDPOINT_KEYS.contains(&endpoint),
            "unknown endpoint key {endpoint}"
        );
        self.shared
            .world()
            .faults
            .insert(endpoint.to_string(), fault);
    }

    /// Clears every fault and every hold.
    pub fn clear_faults(&self) {
        let mut world = self.shared.world();
        world.faults.clear();
        world.holds.clear();
    }

    /// Delays the answer to writes (PATCH, POST, …) on an endpoint by `ms` after the change
    /// is applied; 0 removes the hold. The same as `POST /_sim/hold`.
    pub fn set_hold(&self, endpoint: &str, ms: u64) {
        let mut world = self.shared.world();
        if ms == 0 {
            world.holds.remove(endpoint);
        } else {
            world.holds.insert(endpoint.to_string(), ms);
        }
    }

    /// An invited member signs in for the first time: the entitlement turns active.
    pub fn simulate_first_sign_in(&self, org: &str, email: &str) -> bool {
        self.shared.world().first_sign_in(org, email)
    }

    /// The directory an organization is connected to; `None` when it is backed by personal
    /// accounts or does not exist.
    pub fn org_tenant(&self, org: &str) -> Option<String> {
        self.shared.world().org(org).and_then(|o| o.tenant.clone())
    }

    /// Moves the simulator's clock forward (device-code expiry, token lifetimes).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.world().advance_clock(by);
    }

    /// Stops the server and drops every open connection.
    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
            let _ = server.await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}
