//! Sign-in through core against ado-sim (in process, on 127.0.0.1): the device-code grant
//! with approval through the simulator, the protocol's stopping rules, refresh rotation,
//! and the silent refresh when Azure DevOps stops accepting a token.

mod common;

use ado_connect_core::auth::device::PollProgress;
use ado_connect_core::session::Resource;
use ado_connect_core::ErrorCode;
use ado_sim::Fault;
use common::{fast_scenario, Harness, MORGAN};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn device_code_sign_in_completes_after_approval() {
    let h = Harness::start(fast_scenario()).await;
    let auth = h.app.start_sign_in().await.unwrap();
    assert_eq!(auth.user_code.len(), 8);
    assert!(auth.verification_uri.ends_with("/login/devicelogin"));
    assert_eq!(auth.interval, Duration::from_secs(1));
    h.approve_later(&auth.user_code, MORGAN, Duration::from_millis(1500));
    let mut events = vec![];
    let mut progress = |p: PollProgress| events.push(p);
    let status = h
        .app
        .finish_sign_in(&auth, &CancellationToken::new(), &mut progress)
        .await
        .unwrap();
    let user = status.user.unwrap();
    assert_eq!(user.email, MORGAN);
    assert_eq!(user.display_name, "Morgan Lee");
    assert!(status.remembered, "refresh token kept in the store");
    assert!(!events.is_empty());
    let polls = h.sim.request_count("token");
    assert!((2..=4).contains(&polls), "polled {polls} times");
    // Nothing is polled after success.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(h.sim.request_count("token"), polls);
}

#[tokio::test]
async fn declined_sign_in_stops_with_a_declined_error() {
    let h = Harness::start(fast_scenario()).await;
    let auth = h.app.start_sign_in().await.unwrap();
    assert!(h.sim.decline(&auth.user_code));
    let err = h
        .app
        .finish_sign_in(&auth, &CancellationToken::new(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInDeclined);
    assert_eq!(h.sim.request_count("token"), 1);
}

#[tokio::test]
async fn interval_sent_as_a_string_is_accepted() {
    let mut s = fast_scenario();
    s.identity.interval_as_string = true;
    let h = Harness::start(s).await;
    let auth = h.app.start_sign_in().await.unwrap();
    assert_eq!(auth.interval, Duration::from_secs(1));
}

#[tokio::test]
async fn missing_interval_means_five_seconds() {
    let mut s = fast_scenario();
    s.identity.omit_interval = true;
    let h = Harness::start(s).await;
    let auth = h.app.start_sign_in().await.unwrap();
    assert_eq!(auth.interval, Duration::from_secs(5));
}

#[tokio::test]
async fn conditional_access_block_maps_to_53003() {
    let mut s = fast_scenario();
    for u in &mut s.users {
        if u.email == MORGAN {
            u.conditional_access_blocks_device_code = true;
        }
    }
    let h = Harness::start(s).await;
    let auth = h.app.start_sign_in().await.unwrap();
    assert!(h.sim.approve(&auth.user_code, MORGAN));
    let err = h
        .app
        .finish_sign_in(&auth, &CancellationToken::new(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInBlockedByPolicy);
    assert_eq!(err.details.aadsts, Some(53003));
    assert!(
        err.details.correlation_id.is_some(),
        "correlation id kept for Copy details"
    );
    assert!(err.remedy.contains("browser"));
}

#[tokio::test]
async fn code_expires_at_the_deadline() {
    let mut s = fast_scenario();
    s.identity.expires_in_secs = 3;
    let h = Harness::start(s).await;
    let auth = h.app.start_sign_in().await.unwrap();
    let err = h
        .app
        .finish_sign_in(&auth, &CancellationToken::new(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInExpired);
    assert!(h.sim.request_count("token") <= 2);
}

#[tokio::test]
async fn cancel_stops_polling_at_once() {
    let h = Harness::start(fast_scenario()).await;
    let auth = h.app.start_sign_in().await.unwrap();
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1700)).await;
        c.cancel();
    });
    let err = h
        .app
        .finish_sign_in(&auth, &cancel, &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInCancelled);
    let after_cancel = h.sim.request_count("token");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        h.sim.request_count("token"),
        after_cancel,
        "no request after cancel"
    );
}

#[tokio::test]
async fn unknown_client_id_is_explained() {
    let h = Harness::start_with(fast_scenario(), |c| {
        c.identity.client_id = "11111111-2222-3333-4444-555555555555".into();
    })
    .await;
    let err = h.app.start_sign_in().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInAppNotFound);
    assert_eq!(err.details.aadsts, Some(700016));
}

#[tokio::test]
async fn consumers_endpoint_is_explained() {
    let h = Harness::start_with(fast_scenario(), |c| c.identity.tenant = "consumers".into()).await;
    let err = h.app.start_sign_in().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInWrongEndpoint);
    assert_eq!(err.details.aadsts, Some(9002332));
}

#[tokio::test]
async fn refresh_rotates_and_the_new_refresh_token_is_stored() {
    let h = Harness::start(fast_scenario()).await;
    h.sign_in().await;
    let stored_before = h.stored_refresh_token();
    h.app
        .session
        .access_token(Resource::Devops, true)
        .await
        .unwrap();
    let stored_after = h.stored_refresh_token();
    assert_ne!(
        stored_before, stored_after,
        "rotated refresh token replaced the old one"
    );
    // An ARM token comes from the same refresh token.
    h.app
        .session
        .access_token(Resource::Arm, false)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_silently() {
    let h = Harness::start(fast_scenario()).await;
    h.sign_in().await;
    h.sim
        .set_fault("accounts", Fault::Html203 { times: Some(1) });
    let orgs = h.app.list_organizations(false).await.unwrap();
    assert_eq!(orgs.len(), 3);
    // A second refusal after the refresh is reported: sign in again. (Refresh: the listing
    // is asked again rather than read from the session.)
    h.sim
        .set_fault("accounts", Fault::Html203 { times: Some(2) });
    let err = h.app.list_organizations(true).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::SessionExpired);
}

#[tokio::test]
async fn session_is_restored_from_the_store_on_the_next_start() {
    let h = Harness::start(fast_scenario()).await;
    h.sign_in().await;
    let again = h.restart_app();
    let status = again.session.restore().await;
    assert!(status.signed_in && status.remembered);
    assert_eq!(again.list_organizations(false).await.unwrap().len(), 3);
    again.session.sign_out().await.unwrap();
    assert!(
        h.stored_refresh_token_of_any().is_none(),
        "sign-out deletes the entry"
    );
}

#[tokio::test]
async fn no_keychain_still_signs_in_for_the_session() {
    let h = Harness::start(fast_scenario()).await;
    h.fail_store();
    let status = h.sign_in().await;
    assert!(status.signed_in);
    assert!(!status.remembered);
    assert!(status
        .keychain_warning
        .unwrap()
        .contains("not be remembered"));
    assert_eq!(h.app.list_organizations(false).await.unwrap().len(), 3);
}

#[tokio::test]
async fn fifteen_minute_expiry_is_enforced_by_the_server_clock() {
    // The simulator's clock moves on 901 s at once: the next poll is answered `expired_token`.
    let h = Harness::start(fast_scenario()).await;
    let auth = h.app.start_sign_in().await.unwrap();
    assert_eq!(auth.expires_in, Duration::from_secs(900));
    h.sim.advance_clock(Duration::from_secs(901));
    let err = h
        .app
        .finish_sign_in(&auth, &CancellationToken::new(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInExpired);
    assert_eq!(err.details.aadsts, Some(70019));
    assert_eq!(h.sim.request_count("token"), 1);
}

#[tokio::test]
async fn no_poll_comes_sooner_than_the_interval() {
    // With `send_slow_down`, the simulator answers `slow_down` to any early poll: a client
    // that respects the interval never sees one.
    let mut s = fast_scenario();
    s.identity.send_slow_down = true;
    let h = Harness::start(s).await;
    let auth = h.app.start_sign_in().await.unwrap();
    h.approve_later(&auth.user_code, MORGAN, Duration::from_millis(3500));
    let mut slow_downs = 0;
    let mut progress = |p: PollProgress| {
        if matches!(p, PollProgress::SlowDown { .. }) {
            slow_downs += 1;
        }
    };
    h.app
        .finish_sign_in(&auth, &CancellationToken::new(), &mut progress)
        .await
        .unwrap();
    assert_eq!(slow_downs, 0, "a poll came sooner than the interval");
    assert!(h.sim.request_count("token") >= 3);
}

/// Plays the person in the browser: Approve (or Decline) on the simulator's authorize page,
/// then follow the redirect to the app's loopback listener.
fn browser(decision: &'static str) -> impl FnOnce(&str) -> ado_connect_core::Result<()> {
    move |url: &str| {
        let url = url.to_string();
        tokio::spawn(async move {
            let no_redirects = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let page = no_redirects.get(&url).send().await.unwrap();
            assert!(page.status().is_success());
            let answer = no_redirects
                .post(&url)
                .form(&[("action", decision)])
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 302);
            let location = answer.headers()["location"].to_str().unwrap().to_string();
            assert!(location.starts_with("http://localhost:"), "{location}");
            let back = location.replacen("localhost", "127.0.0.1", 1);
            reqwest::get(back).await.unwrap();
        });
        Ok(())
    }
}

#[tokio::test]
async fn browser_sign_in_with_pkce_and_loopback_redirect() {
    let h = Harness::start(fast_scenario()).await;
    let status = h
        .app
        .sign_in_with_browser(browser("approve"), &CancellationToken::new(), None)
        .await
        .unwrap();
    assert_eq!(status.user.unwrap().email, MORGAN);
    assert_eq!(h.sim.request_count("authorize"), 2);
    assert_eq!(h.app.list_organizations(false).await.unwrap().len(), 3);
}

#[tokio::test]
async fn browser_sign_in_declined() {
    let h = Harness::start(fast_scenario()).await;
    let err = h
        .app
        .sign_in_with_browser(browser("decline"), &CancellationToken::new(), None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInDeclined);
    assert_eq!(h.sim.request_count("token"), 0, "no code, no redemption");
}

#[tokio::test]
async fn browser_sign_in_to_the_directory_as_the_work_account() {
    let h = Harness::start(fast_scenario()).await;
    let status = h
        .app
        .sign_in_with_browser(
            browser("approve"),
            &CancellationToken::new(),
            Some(common::CONTOSO),
        )
        .await
        .unwrap();
    assert_eq!(status.tenant, common::CONTOSO);
}

#[tokio::test]
async fn slow_down_adds_five_seconds_against_the_simulator() {
    // The simulator answers `slow_down` to the first poll: the next comes 5 s later than
    // the interval, and the sign-in still completes.
    let mut s = fast_scenario();
    s.identity.slow_down_first_polls = 1;
    let h = Harness::start(s).await;
    let auth = h.app.start_sign_in().await.unwrap();
    assert!(h.sim.approve(&auth.user_code, MORGAN));
    let mut waits = vec![];
    let mut progress = |p: PollProgress| {
        if let PollProgress::Waiting { next_poll, .. } = p {
            waits.push(next_poll.as_secs());
        }
    };
    let started = std::time::Instant::now();
    h.app
        .finish_sign_in(&auth, &CancellationToken::new(), &mut progress)
        .await
        .unwrap();
    assert_eq!(waits, vec![1, 6], "1 s, then 1 + 5 s after slow_down");
    assert!(started.elapsed() >= Duration::from_secs(7));
    assert_eq!(h.sim.request_count("token"), 2);
}
