//! `ado-bench-core`: ADO Connect's core driven against a running ado-sim, for `make bench`.
//! Prints one JSON object per line on stdout; times are wall-clock nanoseconds since the Unix
//! epoch (`*Ns`) so that another process (the harness) can line them up with its own clock.
//!
//! ```text
//! ado-bench-core signin --config SIM.toml
//!     {"event":"code","userCode":…,"intervalSecs":…,"issuedNs":…}
//!     {"event":"signedIn","tokenNs":…,"signedInNs":…}     (or {"event":"error",…})
//! ado-bench-core wizard --config SIM.toml --org NAME --tenant GUID --user EMAIL
//!     sign in (approved through /_sim/approve), list, organization blade, directories,
//!     pre-flight, connect + verify: the app's command sequence; the harness counts requests.
//! ado-bench-core probes --config SIM.toml --prefix P --count N --runs R --limits 8,16,32
//!     the directory probes of N organizations: `directories_of` (the app's path, at
//!     PROBE_CONCURRENCY) and `probe_many` at each limit, interleaved, R runs.
//! ```

use ado_connect_core::auth::store::MemoryStore;
use ado_connect_core::config::ConfigLoader;
use ado_connect_core::service::PROBE_CONCURRENCY;
use ado_connect_core::AdoConnect;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tokio_util::sync::CancellationToken;

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn need(args: &[String], name: &str) -> String {
    arg(args, name).unwrap_or_else(|| {
        eprintln!("ado-bench-core: {name} is required");
        std::process::exit(2)
    })
}

fn emit(v: serde_json::Value) {
    println!("{v}");
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    emit(json!({"event": "error", "what": what, "error": e.to_string()}));
    std::process::exit(1)
}

fn app(config: &str) -> (AdoConnect, tempfile_dir::Dir) {
    let loaded = ConfigLoader {
        env: Some(PathBuf::from(config)),
        ..Default::default()
    }
    .load()
    .unwrap_or_else(|e| fail("config", e));
    let data = tempfile_dir::Dir::new();
    let app = AdoConnect::new(
        loaded.config,
        Arc::new(MemoryStore::default()),
        Some(data.path.clone()),
    );
    (app, data)
}

/// A throw-away data directory, removed on drop (no tempfile crate: one less dependency).
mod tempfile_dir {
    use std::path::PathBuf;
    pub struct Dir {
        pub path: PathBuf,
    }
    impl Dir {
        pub fn new() -> Dir {
            let path = std::env::temp_dir().join(format!(
                "ado-bench-core-{}-{}",
                std::process::id(),
                super::now_ns()
            ));
            std::fs::create_dir_all(&path).expect("temp dir");
            Dir { path }
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("signin") => signin(&args).await,
        Some("wizard") => wizard(&args).await,
        Some("probes") => probes(&args).await,
        _ => {
            eprintln!("usage: ado-bench-core signin|wizard|probes --config SIM.toml …");
            std::process::exit(2)
        }
    }
}

/// Figure 4: the device-code sign-in; the harness approves the code.
async fn signin(args: &[String]) {
    let (app, _data) = app(&need(args, "--config"));
    let auth = app
        .start_sign_in()
        .await
        .unwrap_or_else(|e| fail("devicecode", e));
    emit(json!({
        "event": "code",
        "userCode": auth.user_code,
        "intervalSecs": auth.interval.as_secs(),
        "issuedNs": now_ns(),
    }));
    let cancel = CancellationToken::new();
    let tokens = app
        .identity
        .wait_for_device_token(&auth, &cancel, &mut |_| {})
        .await
        .unwrap_or_else(|e| fail("token", e));
    let token_ns = now_ns();
    let status = app
        .session
        .complete_sign_in(tokens, None)
        .await
        .unwrap_or_else(|e| fail("profile", e));
    let signed_in_ns = now_ns();
    emit(json!({
        "event": "signedIn",
        "tokenNs": token_ns,
        "signedInNs": signed_in_ns,
        "user": status.user.map(|u| u.email),
    }));
}

/// Figure 5: a whole wizard run through core, in the order the app's screens call it.
async fn wizard(args: &[String]) {
    let config = need(args, "--config");
    let org = need(args, "--org");
    let tenant = need(args, "--tenant");
    let user = need(args, "--user");
    let sim = need(args, "--sim");
    let (app, _data) = app(&config);
    let t0 = Instant::now();
    let mut steps = serde_json::Map::new();
    let mut lap = |name: &str, t: &mut Instant| {
        steps.insert(name.into(), json!(t.elapsed().as_secs_f64() * 1000.0));
        *t = Instant::now();
    };
    let mut t = Instant::now();
    let auth = app
        .start_sign_in()
        .await
        .unwrap_or_else(|e| fail("devicecode", e));
    // Approved before the first poll: the fewest polls the protocol allows (one).
    let r = reqwest::Client::new()
        .post(format!("{sim}/_sim/approve"))
        .json(&json!({"userCode": auth.user_code, "user": user}))
        .send()
        .await
        .unwrap_or_else(|e| fail("approve", e));
    if !r.status().is_success() {
        fail("approve", r.status());
    }
    app.finish_sign_in(&auth, &CancellationToken::new(), &mut |_| {})
        .await
        .unwrap_or_else(|e| fail("sign-in", e));
    lap("signIn", &mut t);
    let orgs = app
        .list_organizations(false)
        .await
        .unwrap_or_else(|e| fail("list_organizations", e));
    lap("listAndProbe", &mut t);
    app.organization_details(&org)
        .await
        .unwrap_or_else(|e| fail("organization_details", e));
    lap("organizationBlade", &mut t);
    app.list_directories()
        .await
        .unwrap_or_else(|e| fail("list_directories", e));
    lap("directories", &mut t);
    let checks = app
        .preflight(&org, &tenant)
        .await
        .unwrap_or_else(|e| fail("preflight", e));
    lap("preflight", &mut t);
    let outcome = app
        .connect(&org, &tenant, &mut |_| {})
        .await
        .unwrap_or_else(|e| fail("connect", e));
    lap("connectAndVerify", &mut t);
    emit(json!({
        "event": "done",
        "orgs": orgs.len(),
        "checks": checks.len(),
        "verified": outcome.verified,
        "ms": t0.elapsed().as_secs_f64() * 1000.0,
        "steps": steps,
    }));
}

/// Figure 7: directory probes of many organizations (unauthenticated HEAD requests).
async fn probes(args: &[String]) {
    let (app, _data) = app(&need(args, "--config"));
    let prefix = need(args, "--prefix");
    let count: usize = need(args, "--count").parse().expect("--count N");
    let runs: usize = arg(args, "--runs")
        .map(|r| r.parse().expect("--runs N"))
        .unwrap_or(5);
    let limits: Vec<usize> = arg(args, "--limits")
        .unwrap_or_else(|| "8,16,32,64".into())
        .split(',')
        .map(|s| s.trim().parse().expect("--limits a,b,c"))
        .collect();
    let names: Vec<String> = (1..=count).map(|i| format!("{prefix}{i:04}")).collect();
    // One untimed pass: connections set up, as they are once the list has been shown.
    let warm = app.devops.probe_many(&names[..names.len().min(64)], 64).await;
    let warm_errors = warm.iter().filter(|(_, r)| r.is_err()).count();
    let mut product = vec![];
    let mut by_limit: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    let mut errors = 0usize;
    for _ in 0..runs {
        let t = Instant::now();
        let links = app.directories_of(&names, true).await;
        product.push(t.elapsed().as_secs_f64() * 1000.0);
        errors += names.len().saturating_sub(links.len());
        for &limit in &limits {
            let t = Instant::now();
            let r = app.devops.probe_many(&names, limit).await;
            by_limit
                .entry(limit)
                .or_default()
                .push(t.elapsed().as_secs_f64() * 1000.0);
            errors += r.iter().filter(|(_, r)| r.is_err()).count();
        }
    }
    emit(json!({
        "event": "probes",
        "count": count,
        "productConcurrency": PROBE_CONCURRENCY,
        "productMs": product,
        "byLimitMs": by_limit.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "errors": errors,
        "warmErrors": warm_errors,
    }));
}
