//! The heart of the procedure through core against ado-sim: organizations with their
//! directories, directories, domain lookup, pre-flight checks, connect + verify, members,
//! invitations, personal access tokens, resume after an interrupted connect.

mod common;

use ado_connect_core::devops::{DirectoryKind, InviteAccessLevel};
use ado_connect_core::service::{CheckStatus, InvitationState, PatScope};
use ado_connect_core::wizard::Step;
use ado_connect_core::ErrorCode;
use common::{fast_scenario, Harness, CONTOSO};

const FABRIKAM_TENANT: &str = "f4b1c2d3-6e7f-4a8b-9c0d-1e2f3a4b5c6d";

async fn signed_in() -> Harness {
    let h = Harness::start(fast_scenario()).await;
    h.sign_in().await;
    h
}

#[tokio::test]
async fn organizations_are_listed_owned_with_their_directory() {
    let h = signed_in().await;
    let orgs = h.app.list_organizations(false).await.unwrap();
    let names: Vec<&str> = orgs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["contoso-web", "fabrikam-fiber", "northwind-ops"]);
    assert!(orgs.iter().all(|o| o.owned));
    let by = |n: &str| orgs.iter().find(|o| o.name == n).unwrap().directory.clone();
    assert_eq!(by("fabrikam-fiber").kind, DirectoryKind::Personal);
    assert_eq!(by("northwind-ops").tenant_id.as_deref(), Some(CONTOSO));
    // Probes are cached for the session and refreshable.
    let probes = h.sim.request_count("probe");
    h.app.list_organizations(false).await.unwrap();
    assert_eq!(h.sim.request_count("probe"), probes);
    h.app.list_organizations(true).await.unwrap();
    assert_eq!(h.sim.request_count("probe"), probes + 3);
}

/// Figure 5 of docs/benchmarks.md: a whole run (sign in, list, details, directories,
/// pre-flight, connect and verify) asks each question of the service once.
#[tokio::test]
async fn a_wizard_run_asks_each_question_once() {
    let h = signed_in().await;
    let before: Vec<(&str, usize)> = KEYS.iter().map(|k| (*k, h.sim.request_count(k))).collect();
    h.app.list_organizations(false).await.unwrap();
    h.app.organization_details("fabrikam-fiber").await.unwrap();
    h.app.list_directories().await.unwrap();
    h.app.preflight("fabrikam-fiber", CONTOSO).await.unwrap();
    // The screens ask again for what they showed: answered from the session.
    h.app.list_organizations(false).await.unwrap();
    h.app.list_directories().await.unwrap();
    h.app.organization_details("fabrikam-fiber").await.unwrap();
    let outcome = h
        .app
        .connect("fabrikam-fiber", CONTOSO, &mut |_| {})
        .await
        .unwrap();
    assert!(outcome.verified);
    // Details after connecting: the user count and billing did not change, nothing is asked.
    h.app.organization_details("fabrikam-fiber").await.unwrap();
    let asked: Vec<(&str, usize)> = before
        .iter()
        .map(|(k, n)| (*k, h.sim.request_count(k) - n))
        .collect();
    assert_eq!(
        asked,
        [
            ("accounts", 1),
            ("probe", 4), // three organizations, and the read back after connecting
            ("userentitlements", 1),
            ("subscriptions", 1),
            ("resources", 1),
            ("tenants", 1),
            ("organization", 1),
        ]
    );
    // The members view always asks (people sign in meanwhile), with the new directory's token.
    let tokens = h.sim.request_count("token");
    h.app.list_members("fabrikam-fiber").await.unwrap();
    assert_eq!(h.sim.request_count("userentitlements"), before[2].1 + 2);
    assert_eq!(h.sim.request_count("token"), tokens + 1);
}

const KEYS: [&str; 7] = [
    "accounts",
    "probe",
    "userentitlements",
    "subscriptions",
    "resources",
    "tenants",
    "organization",
];

#[tokio::test]
async fn refresh_and_sign_out_forget_what_the_session_kept() {
    let h = signed_in().await;
    h.app.list_organizations(false).await.unwrap();
    h.app.list_directories().await.unwrap();
    h.app.organization_details("contoso-web").await.unwrap();
    let count = |k: &str| h.sim.request_count(k);
    let (accounts, tenants, entitlements) = (
        count("accounts"),
        count("tenants"),
        count("userentitlements"),
    );
    // Refresh asks everything again.
    h.app.list_organizations(true).await.unwrap();
    h.app.list_directories().await.unwrap();
    h.app.organization_details("contoso-web").await.unwrap();
    assert_eq!(
        (
            count("accounts"),
            count("tenants"),
            count("userentitlements")
        ),
        (accounts + 1, tenants + 1, entitlements + 1)
    );
    // So does the next sign-in.
    h.app.sign_out().await.unwrap();
    h.sign_in().await;
    h.app.list_organizations(false).await.unwrap();
    h.app.list_directories().await.unwrap();
    assert_eq!(
        (count("accounts"), count("tenants")),
        (accounts + 2, tenants + 2)
    );
}

/// The documented example of `accounts?memberId=` carries no `accountOwner`: then
/// `accounts?ownerId=` tells which organizations are the user's own.
#[tokio::test]
async fn without_account_owner_the_owned_organizations_are_asked_for() {
    let mut s = fast_scenario();
    s.devops.accounts_omit_owner = true;
    let h = Harness::start(s).await;
    h.sign_in().await;
    let orgs = h.app.list_organizations(false).await.unwrap();
    assert_eq!(h.sim.request_count("accounts"), 2);
    assert!(orgs.iter().all(|o| o.owned), "{orgs:?}");
}

#[tokio::test]
async fn organization_details_show_owner_users_and_billing() {
    let h = signed_in().await;
    let d = h.app.organization_details("fabrikam-fiber").await.unwrap();
    assert_eq!(d.user_count, 4);
    assert!(d.billing.linked);
    assert!(d
        .billing
        .link
        .ends_with("/fabrikam-fiber/_settings/billing"));
    let d = h.app.organization_details("contoso-web").await.unwrap();
    assert!(!d.billing.linked);
}

#[tokio::test]
async fn directories_and_domains() {
    let h = signed_in().await;
    let dirs = h.app.list_directories().await.unwrap();
    assert_eq!(dirs.len(), 2);
    let contoso = dirs.iter().find(|d| d.tenant_id == CONTOSO).unwrap();
    assert_eq!(contoso.category, "Home");
    let by_domain = h.app.resolve_domain("Contoso.com").await.unwrap();
    assert_eq!(by_domain.tenant_id, CONTOSO);
    assert_eq!(
        h.app
            .resolve_domain("nowhere.example")
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        h.app.resolve_domain("not a domain").await.unwrap_err().code,
        ErrorCode::InvalidInput
    );
}

#[tokio::test]
async fn machine_policy_limits_directories() {
    let h = Harness::start_with(fast_scenario(), |c| {
        c.policy.allowed_tenants = vec!["contoso.com".into()]
    })
    .await;
    h.sign_in().await;
    let dirs = h.app.list_directories().await.unwrap();
    assert_eq!(dirs.len(), 1);
    assert_eq!(dirs[0].tenant_id, CONTOSO);
    let err = h.app.resolve_domain("fabrikam.com").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::TenantNotAllowed);
    let err = h
        .app
        .connect("fabrikam-fiber", FABRIKAM_TENANT, &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::TenantNotAllowed);
    assert_eq!(h.sim.request_count("organization"), 0, "nothing sent");
}

#[tokio::test]
async fn preflight_explains_each_check() {
    let h = signed_in().await;
    let checks = h.app.preflight("fabrikam-fiber", CONTOSO).await.unwrap();
    let get = |id: &str| checks.iter().find(|c| c.id == id).unwrap();
    assert_eq!(get("owner").status, CheckStatus::Pass);
    assert_eq!(
        get("membership").status,
        CheckStatus::Warn,
        "ARM cannot tell member from guest"
    );
    assert_eq!(get("user-count").status, CheckStatus::Pass);
    assert_eq!(get("user-count").title, "4 users (100 or fewer)");
    assert_eq!(get("ssh-keys").status, CheckStatus::Warn);
    let outside = get("outside-members");
    assert_eq!(outside.status, CheckStatus::Warn);
    assert_eq!(outside.title, "2 members may lose access");
    let small = h.app.preflight("contoso-web", CONTOSO).await.unwrap();
    let title = |id: &str| small.iter().find(|c| c.id == id).unwrap().title.clone();
    assert_eq!(title("user-count"), "2 users (100 or fewer)");
    assert_eq!(title("outside-members"), "1 member may lose access");
    assert!(
        outside
            .affected
            .iter()
            .any(|a| a.contains("sam.rivera@gmail.com")),
        "{:?}",
        outside.affected
    );
    assert!(outside.affected.iter().all(|a| !a.contains("contoso.com")));
    // A directory the account is not in fails the membership check.
    let checks = h
        .app
        .preflight("fabrikam-fiber", "0b0b0b0b-0000-4000-8000-000000000000")
        .await
        .unwrap();
    assert_eq!(
        checks.iter().find(|c| c.id == "membership").unwrap().status,
        CheckStatus::Fail
    );
}

#[tokio::test]
async fn connect_applies_then_verifies_by_reading_back() {
    let h = signed_in().await;
    let mut steps = vec![];
    let outcome = h
        .app
        .connect("fabrikam-fiber", CONTOSO, &mut |s| {
            steps.push(s.to_string())
        })
        .await
        .unwrap();
    assert!(outcome.verified);
    assert_eq!(steps, ["connecting", "verifying", "connected"]);
    assert_eq!(h.sim.org_tenant("fabrikam-fiber").as_deref(), Some(CONTOSO));
    assert_eq!(h.sim.request_count("organization"), 1, "one write");
    assert_eq!(h.app.progress().step, Step::Connected);
    let orgs = h.app.list_organizations(false).await.unwrap();
    let f = orgs.iter().find(|o| o.name == "fabrikam-fiber").unwrap();
    assert_eq!(
        f.directory.tenant_id.as_deref(),
        Some(CONTOSO),
        "cache updated by the verification"
    );
}

#[tokio::test]
async fn a_guest_cannot_connect_and_is_told_why() {
    let h = signed_in().await;
    let err = h
        .app
        .connect("fabrikam-fiber", FABRIKAM_TENANT, &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotActiveMember);
    assert_eq!(h.sim.org_tenant("fabrikam-fiber"), None);
    assert_eq!(h.app.progress().step, Step::Directory);
}

#[tokio::test]
async fn bad_names_never_reach_the_service() {
    let h = signed_in().await;
    for bad in ["../x", "a/b", "a=b", "a.b", "a\nb", "fabrikаm"] {
        let err = h.app.connect(bad, CONTOSO, &mut |_| {}).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{bad:?}");
    }
    let err = h
        .app
        .connect("fabrikam-fiber", "not-a-guid", &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(h.sim.request_count("organization"), 0);
}

#[tokio::test]
async fn after_connecting_members_invitations_and_tokens() {
    let h = signed_in().await;
    h.app
        .connect("fabrikam-fiber", CONTOSO, &mut |_| {})
        .await
        .unwrap();
    let members = h.app.list_members("fabrikam-fiber").await.unwrap();
    assert_eq!(members.len(), 4);
    assert!(
        members.iter().all(|m| m.disconnected),
        "all still on personal accounts"
    );

    let inv = h
        .app
        .invite_user(
            "fabrikam-fiber",
            "ana@contoso.com",
            InviteAccessLevel::Stakeholder,
        )
        .await
        .unwrap();
    assert_eq!(inv.state, InvitationState::Waiting);
    assert_eq!(
        h.app
            .invitation_status("fabrikam-fiber", "ana@contoso.com")
            .await
            .unwrap()
            .state,
        InvitationState::Waiting
    );
    assert!(h
        .sim
        .simulate_first_sign_in("fabrikam-fiber", "ana@contoso.com"));
    assert_eq!(
        h.app
            .invitation_status("fabrikam-fiber", "ana@contoso.com")
            .await
            .unwrap()
            .state,
        InvitationState::SignedIn
    );
    assert_eq!(
        h.app
            .invite_user("fabrikam-fiber", "not-an-email", InviteAccessLevel::Basic)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );

    let pat = h
        .app
        .create_pat("fabrikam-fiber", "build agent", &[PatScope::CodeRead], 30)
        .await
        .unwrap();
    assert!(!pat.token.expose().is_empty());
    assert_eq!(format!("{:?}", pat.token), "[redacted]");
    let err = h
        .app
        .create_pat("fabrikam-fiber", "x", &[], 0)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);

    let report = std::fs::read_to_string(h.data.path().join("app/report.json")).unwrap();
    assert!(
        report.contains("\"connect\"")
            && report.contains("\"invite\"")
            && report.contains("pat-created")
    );
    assert!(report.contains("build agent"));
    assert!(
        !report.contains(pat.token.expose()),
        "the report never holds the token"
    );
}

#[tokio::test]
async fn pat_on_a_personal_account_organization_is_refused_in_plain_words() {
    let h = signed_in().await;
    let err = h
        .app
        .create_pat("contoso-web", "tool", &[PatScope::CodeRead], 30)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::PatPolicy);
    assert!(err.remedy.contains("Connect"), "{}", err.remedy);
}

#[tokio::test]
async fn resume_reads_back_an_interrupted_connect() {
    let h = signed_in().await;
    h.app
        .connect("fabrikam-fiber", CONTOSO, &mut |_| {})
        .await
        .unwrap();
    // Pretend the app died after sending: the saved step is "connecting".
    h.app
        .update_progress(|w| {
            w.step = Step::Connecting;
            Ok(())
        })
        .unwrap();
    let again = h.restart_app();
    again.session.restore().await;
    let w = again.resume().await.unwrap();
    assert_eq!(w.step, Step::Connected);
    assert_eq!(w.org.as_deref(), Some("fabrikam-fiber"));
}

#[tokio::test]
async fn an_invitation_watch_survives_closing_the_app() {
    let h = signed_in().await;
    h.app
        .connect("fabrikam-fiber", CONTOSO, &mut |_| {})
        .await
        .unwrap();
    h.app
        .invite_user(
            "fabrikam-fiber",
            "ana@contoso.com",
            InviteAccessLevel::Basic,
        )
        .await
        .unwrap();
    // The app is closed while waiting; Ana signs in meanwhile; the app is opened again.
    let w = h.app.progress();
    assert_eq!(w.invitations.len(), 1);
    assert!(!w.invitations[0].signed_in);
    assert!(h
        .sim
        .simulate_first_sign_in("fabrikam-fiber", "ana@contoso.com"));
    let again = h.restart_app();
    again.session.restore().await;
    let w = again.resume().await.unwrap();
    assert_eq!(w.step, Step::Connected);
    assert!(
        w.invitations[0].signed_in,
        "re-read from the service on resume"
    );
    let report = std::fs::read_to_string(h.data.path().join("app/report.json")).unwrap();
    assert!(report.contains("invitation-signed-in"));
}
