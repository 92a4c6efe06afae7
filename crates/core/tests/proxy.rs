//! Through a real proxy on loopback (Debian's tinyproxy): requests go through it, and a proxy
//! that demands authentication (407) gets a clear, coded error; with credentials it works.

mod common;
mod tinyproxy;

use ado_connect_core::auth::store::MemoryStore;
use ado_connect_core::http::HttpClient;
use ado_connect_core::{AdoConnect, ErrorCode};
use common::{fast_scenario, Harness, MORGAN};
use std::sync::Arc;
use std::time::Duration;
use tinyproxy::tinyproxy;
use tokio_util::sync::CancellationToken;

async fn app_through(h: &Harness, proxy: &str) -> AdoConnect {
    let http = HttpClient::with_proxy(Duration::from_secs(10), Some(proxy)).unwrap();
    AdoConnect::with_http(
        h.config.clone(),
        Arc::new(MemoryStore::persistent()),
        None,
        http,
    )
}

#[tokio::test]
async fn requests_go_through_the_proxy() {
    let proxy = tinyproxy(None);
    let h = Harness::start(fast_scenario()).await;
    let app = app_through(&h, &format!("http://127.0.0.1:{}", proxy.port)).await;
    let auth = app.start_sign_in().await.unwrap();
    assert!(h.sim.approve(&auth.user_code, MORGAN));
    app.finish_sign_in(&auth, &CancellationToken::new(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(app.list_organizations(false).await.unwrap().len(), 3);
    let log = std::fs::read_to_string(&proxy.log).unwrap_or_default();
    assert!(
        log.contains("/login/organizations/oauth2/v2.0/devicecode"),
        "proxy log: {log}"
    );
    assert!(
        log.contains("/app.vssps/_apis/accounts"),
        "proxy log: {log}"
    );
}

#[tokio::test]
async fn a_proxy_demanding_authentication_is_a_clear_error() {
    let proxy = tinyproxy(Some(("ado", "s3cret")));
    let h = Harness::start(fast_scenario()).await;
    let app = app_through(&h, &format!("http://127.0.0.1:{}", proxy.port)).await;
    let err = app.start_sign_in().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ProxyAuthRequired, "{err:?}");
    assert!(err.message.contains("user name and password"));
    assert!(err.remedy.contains("HTTPS_PROXY"));
    assert_eq!(
        h.sim.request_count("devicecode"),
        0,
        "nothing reached the service"
    );
    // With the credentials in the proxy address, it works.
    let app = app_through(&h, &format!("http://ado:s3cret@127.0.0.1:{}", proxy.port)).await;
    assert!(app.start_sign_in().await.is_ok());
    assert_eq!(h.sim.request_count("devicecode"), 1);
}

/// The proxy from the configuration (Settings' field, `config set network.proxy`, or the
/// machine policy's `policy.proxy`, which the loader puts in its place: config.rs tests).
#[tokio::test]
async fn the_configured_proxy_is_used() {
    let proxy = tinyproxy(None);
    let port = proxy.port;
    let h = Harness::start_with(fast_scenario(), move |c| {
        c.network.proxy = format!("http://127.0.0.1:{port}");
    })
    .await;
    h.sign_in().await;
    let log = std::fs::read_to_string(&proxy.log).unwrap_or_default();
    assert!(log.contains("/oauth2/v2.0/token"), "proxy log: {log}");
}
