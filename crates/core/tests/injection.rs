//! Hostile input at the edge (issue 8): organization names, directory ids, domains, e-mail
//! addresses, token names and configuration values are refused, in words that say what is
//! wrong, before any of them reaches a URL path, a request or a setting. The simulator counts
//! every request it receives, so "never reached the service" is a count of zero.
//! (Git config keys and file paths: gcm_injection.rs.)

mod common;

use ado_connect_core::config::{Config, ConfigLoader};
use ado_connect_core::devops::{parse_tenant_headers, DirectoryKind, InviteAccessLevel};
use ado_connect_core::service::{GcmChoices, PatScope};
use ado_connect_core::{Error, ErrorCode};
use common::{fast_scenario, Harness, CONTOSO};
use reqwest::header::{HeaderMap, HeaderValue};

const HOSTILE_ORGS: &[&str] = &[
    "",
    ".",
    "..",
    "a.b",
    "fabrikam-fiber.",
    "a=b",
    "a/b",
    "../x",
    "fabrikam-fiber/../contoso-web",
    "a\\b",
    "a\nb",
    "fabrikam-fiber\r\nX-Injected: 1",
    "fabrikam-fiber\0",
    "\"fabrikam-fiber\"",
    "'fabrikam-fiber'",
    "fabrikam-fiber`",
    "fabrik\u{430}m-fiber",   // Cyrillic а
    "fabrikam-fiber\u{200b}", // zero-width space
    "ｆａｂｒｉｋａｍ",       // full-width letters
    "%2e%2e",
    "a%2fb",
    "a?b",
    "a#b",
    "a b",
    " fabrikam-fiber",
    "-fabrikam",
    "fabrikam-",
    "$(touch pwned)",
    "a;b",
];

const HOSTILE_TENANTS: &[&str] = &[
    "",
    "not-a-guid",
    "organizations",
    "contoso.com",
    "../organizations",
    "c0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5d/../x",
    "c0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5d\n",
    "c0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5", // one digit short
    "c0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5g",
    "c0a7e1d2 5b3f 4e6a 8c9d 0e1f2a3b4c5d",
    "с0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5d", // Cyrillic с
];

const HOSTILE_DOMAINS: &[&str] = &[
    "",
    "contoso",
    "contoso.com/../x",
    "contoso.com/x",
    "contoso.com?x=1",
    "contoso.com#x",
    "contoso.com:443",
    "user@contoso.com",
    "con toso.com",
    "contoso\n.com",
    "contoso..com",
    ".contoso.com",
    "-contoso.com",
    "contoso-.com",
    "c\u{43e}ntoso.com", // Cyrillic о
    "xn--\u{43e}.com",
    "%2e%2e.com",
    "..",
];

const HOSTILE_EMAILS: &[&str] = &[
    "",
    "ana",
    "ana@",
    "@contoso.com",
    "ana@contoso",
    "a b@contoso.com",
    "ana@contoso.com\nBcc: x@evil.example",
    "ana@contoso.com\r",
    "\"ana\"@contoso.com",
    "<ana@contoso.com>",
    "a@b@contoso.com",
    "ana@contoso..com",
    "ana@-contoso.com",
    "ana@contoso.com/../x",
    "ana@c\u{43e}ntoso.com",
    "ana@contoso.com\0",
];

/// Every request the simulator has counted, on every endpoint.
fn total_requests(h: &Harness) -> usize {
    ado_sim::ENDPOINT_KEYS
        .iter()
        .map(|k| h.sim.request_count(k))
        .sum()
}

/// Refused as bad input, in words, without echoing a line break or a control character.
fn assert_refused(result: Result<impl std::fmt::Debug, Error>, what: &str) {
    let err = result.expect_err(what);
    assert_eq!(err.code, ErrorCode::InvalidInput, "{what}: {err:?}");
    assert!(err.message.contains("not valid"), "{what}: {}", err.message);
    assert!(!err.remedy.is_empty(), "{what}");
    assert!(
        !err.message.chars().any(char::is_control),
        "{what}: the message carries a control character: {:?}",
        err.message
    );
}

async fn signed_in() -> Harness {
    let h = Harness::start(fast_scenario()).await;
    h.sign_in().await;
    // Warm the caches (tokens, probes) so that any request below would be the input's.
    h.app.list_organizations(false).await.unwrap();
    h
}

#[tokio::test]
async fn hostile_organization_names_never_reach_the_service() {
    let h = signed_in().await;
    let before = total_requests(&h);
    for &org in HOSTILE_ORGS {
        let what = format!("{org:?}");
        assert_refused(h.app.organization_details(org).await, &what);
        assert_refused(h.app.preflight(org, CONTOSO).await, &what);
        assert_refused(h.app.connect(org, CONTOSO, &mut |_| {}).await, &what);
        assert_refused(h.app.list_members(org).await, &what);
        assert_refused(
            h.app
                .invite_user(org, "ana@contoso.com", InviteAccessLevel::Basic)
                .await,
            &what,
        );
        assert_refused(h.app.invitation_status(org, "ana@contoso.com").await, &what);
        assert_refused(
            h.app
                .create_pat(org, "build agent", &[PatScope::CodeRead], 30)
                .await,
            &what,
        );
        assert_refused(h.app.devops.probe_tenant(org).await, &what);
        assert_refused(h.app.devops.web_link(org, "users"), &what);
    }
    assert_eq!(total_requests(&h), before, "not one request was sent");
    // The wizard never recorded one of them.
    let w = h.app.progress();
    assert!(w.org.is_none(), "{w:?}");
    // A name that is too long is refused the same way.
    let long = "a".repeat(51);
    assert_refused(h.app.list_members(&long).await, "51 characters");
    assert_eq!(total_requests(&h), before);
}

#[tokio::test]
async fn hostile_names_never_reach_the_git_credential_manager_plan() {
    let data = tempfile::tempdir().unwrap();
    let h = Harness::start_with(fast_scenario(), |c| {
        // A git that does not exist: were it run, the error would say so.
        c.gcm.git = data.path().join("no-git").display().to_string();
        c.gcm.legacy_cache_path = data.path().join("tenant.cache").display().to_string();
    })
    .await;
    for &org in HOSTILE_ORGS {
        for orgs in [
            vec![org.to_string()],
            vec!["contoso-web".into(), org.into()],
        ] {
            assert_refused(
                h.app.gcm_plan(orgs, GcmChoices::default()),
                &format!("{org:?}"),
            );
        }
    }
    let left: Vec<_> = std::fs::read_dir(data.path()).unwrap().collect();
    assert!(left.is_empty(), "nothing was written: {left:?}");
}

#[tokio::test]
async fn directory_ids_are_guids_before_anything_is_sent() {
    let h = signed_in().await;
    let before = total_requests(&h);
    for &tenant in HOSTILE_TENANTS {
        let what = format!("{tenant:?}");
        assert_refused(
            h.app.connect("fabrikam-fiber", tenant, &mut |_| {}).await,
            &what,
        );
        assert_refused(h.app.preflight("fabrikam-fiber", tenant).await, &what);
        assert_refused(h.app.start_sign_in_to(tenant).await, &what);
    }
    assert_eq!(total_requests(&h), before);
    assert_eq!(h.sim.org_tenant("fabrikam-fiber"), None);

    // Other spellings of a GUID are accepted and sent in the one canonical form.
    let braced = format!("{{{}}}", CONTOSO.to_uppercase());
    let outcome = h
        .app
        .connect("fabrikam-fiber", &braced, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(outcome.tenant_id, CONTOSO);
    assert_eq!(h.sim.org_tenant("fabrikam-fiber").as_deref(), Some(CONTOSO));
}

#[tokio::test]
async fn domains_are_validated_before_the_lookup() {
    let h = signed_in().await;
    let before = h.sim.request_count("openid");
    for &domain in HOSTILE_DOMAINS {
        assert_refused(h.app.resolve_domain(domain).await, &format!("{domain:?}"));
    }
    assert_eq!(h.sim.request_count("openid"), before, "no lookup was sent");
    // Case and surrounding blanks (a paste) are forgiven; nothing else is.
    let d = h.app.resolve_domain("  Contoso.COM ").await.unwrap();
    assert_eq!(d.tenant_id, CONTOSO);
}

#[tokio::test]
async fn email_addresses_are_validated_before_an_invitation_is_sent() {
    let h = signed_in().await;
    let before = total_requests(&h);
    for &email in HOSTILE_EMAILS {
        assert_refused(
            h.app
                .invite_user("fabrikam-fiber", email, InviteAccessLevel::Stakeholder)
                .await,
            &format!("{email:?}"),
        );
    }
    let long = format!("{}@contoso.com", "a".repeat(250));
    assert_refused(
        h.app
            .invite_user("fabrikam-fiber", &long, InviteAccessLevel::Basic)
            .await,
        "255 characters",
    );
    assert_eq!(total_requests(&h), before);
}

#[tokio::test]
async fn token_names_and_expiry_are_validated_before_a_token_is_made() {
    let h = signed_in().await;
    h.app
        .connect("fabrikam-fiber", CONTOSO, &mut |_| {})
        .await
        .unwrap();
    let before = h.sim.request_count("pats");
    let long = "n".repeat(101);
    for name in [
        "",
        "   ",
        "build\nagent",
        "build\ragent",
        "a\0b",
        long.as_str(),
    ] {
        assert_refused(
            h.app
                .create_pat("fabrikam-fiber", name, &[PatScope::CodeRead], 30)
                .await,
            &format!("{name:?}"),
        );
    }
    for days in [0, 366, u32::MAX] {
        assert_refused(
            h.app
                .create_pat("fabrikam-fiber", "tool", &[PatScope::CodeRead], days)
                .await,
            &format!("{days} days"),
        );
    }
    assert_eq!(h.sim.request_count("pats"), before);
}

#[test]
fn the_probe_takes_only_a_guid_from_the_headers() {
    let mut headers = HeaderMap::new();
    for hostile in [
        "Bearer authorization_uri=https://login.microsoftonline.com/../../evil",
        "Bearer authorization_uri=https://evil.example/organizations",
        "Bearer authorization_uri=\"https://login.microsoftonline.com/contoso.com\"",
    ] {
        headers.append("www-authenticate", HeaderValue::from_str(hostile).unwrap());
    }
    headers.append(
        "x-vss-resourcetenant",
        HeaderValue::from_static("../x, contoso.com"),
    );
    let link = parse_tenant_headers(&headers);
    assert_eq!(link.kind, DirectoryKind::Unknown);
    assert_eq!(link.tenant_id, None);
    // A GUID is returned in its canonical form, whatever the case sent.
    let mut headers = HeaderMap::new();
    headers.append(
        "x-vss-resourcetenant",
        HeaderValue::from_str(&CONTOSO.to_uppercase()).unwrap(),
    );
    assert_eq!(
        parse_tenant_headers(&headers).tenant_id.as_deref(),
        Some(CONTOSO)
    );
}

// ---- configuration values ----

fn load(text: &str, overrides: &[&str]) -> Result<Config, Error> {
    ConfigLoader::load_text(text, overrides.iter().map(|s| s.to_string()).collect())
        .map(|l| l.config)
}

fn assert_config_refused(result: Result<Config, Error>, what: &str) {
    let err = result.expect_err(what);
    assert_eq!(err.code, ErrorCode::ConfigInvalid, "{what}: {err:?}");
    assert!(!err.remedy.is_empty(), "{what}");
    assert!(
        !err.message.chars().any(char::is_control),
        "{what}: the message carries a control character: {:?}",
        err.message
    );
}

#[test]
fn overrides_with_line_breaks_cannot_set_anything_else() {
    let default = Config::default();
    for flag in [
        "identity.tenant=organizations\n[arm]\nbase = \"http://10.0.0.5/arm\"",
        "identity.tenant=contoso.com\ngcm.git=/tmp/evil",
        "gcm.git=git\n--upload-pack=evil",
        "gcm.legacy_cache_path=/tmp/x\n/etc/passwd",
        "identity.scopes=[\"499b84ac-1321-427f-aa17-267ca6975798/.default\\n\"]",
        "identity.authority_host=https://login.microsoftonline.com\n.evil.example",
        "identity.authority_host=https://login.microsoftonline.com\t.evil.example",
        "identity.authority_host=https://login.microsoftonline.com .evil.example",
        "identity.ten\nant=organizations",
        "identity\n.tenant=organizations",
        "policy.allowed_tenants=[]",
        "policy.demo=false",
        "identity.tenant",
        "tenant=organizations",
        "arm.base=http://10.0.0.5/arm",
        "arm.base=https://user:pw@management.azure.com",
        "arm.base=file:///etc/passwd",
        // A second setting smuggled after a quoted value.
        "identity.tenant=\"contoso.com\"\n[arm]\nbase = \"https://evil.example\"",
        "identity.tenant=\"contoso.com\"\nclient_id = \"00000000-0000-0000-0000-000000000001\"",
    ] {
        assert_config_refused(load("", &[flag]), &format!("{flag:?}"));
    }
    // Blanks around a value (a paste) are forgiven, and the value alone is set.
    let c = load("", &["identity.tenant = contoso.com \n"]).unwrap();
    assert_eq!(c.identity.tenant, "contoso.com");
    assert_eq!(c.arm, default.arm);
    assert_eq!(c.gcm, default.gcm);
}

#[test]
fn config_files_with_hostile_values_are_refused_naming_the_key() {
    for (text, key) in [
        ("[gcm]\ngit = \"git\\n--upload-pack=evil\"\n", "gcm.git"),
        (
            "[gcm]\nlegacy_cache_path = \"/tmp/a\\u0000b\"\n",
            "gcm.legacy_cache_path",
        ),
        ("[identity]\nscopes = [\"a\\rb\"]\n", "identity.scopes"),
        (
            "[identity]\ntenant = \"contoso.com/../x\"\n",
            "identity.tenant",
        ),
        (
            "[identity]\ntenant = \"contoso.com\\n\"\n",
            "identity.tenant",
        ),
        (
            "[devops]\norg_base = \"https://dev.azure.com\\n.evil.example\"\n",
            "devops.org_base",
        ),
        ("[arm]\nbase = \"http://169.254.169.254/\"\n", "arm.base"),
        ("[identity]\nclient_id = \"../x\"\n", "identity.client_id"),
    ] {
        let err = load(text, &[]).expect_err(text);
        assert_eq!(err.code, ErrorCode::ConfigInvalid, "{text}");
        assert!(err.message.contains(key), "{text}: {}", err.message);
        assert!(
            !err.message.chars().any(char::is_control),
            "{text}: {:?}",
            err.message
        );
    }
    // A key with a line break in its name is an unknown key, shown escaped.
    let err = load("[identity]\n\"ten\\nant\" = \"x\"\n", &[]).unwrap_err();
    assert!(err.message.contains("ten\\nant"), "{}", err.message);
    // The policy is the machine's: a user's file (or this text) cannot widen it.
    assert_config_refused(
        load("[policy]\nallowed_tenants = []\n", &[]),
        "policy from a user layer",
    );
}

#[test]
fn hostile_allowed_tenants_in_the_machine_policy_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["../x", "contoso.com\n", "contoso .com", "*"] {
        let path = dir.path().join("machine.toml");
        std::fs::write(&path, format!("[policy]\nallowed_tenants = [{:?}]\n", bad)).unwrap();
        let err = ConfigLoader {
            machine: Some(path),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigInvalid, "{bad:?}");
        assert!(
            err.message.contains("policy.allowed_tenants"),
            "{}",
            err.message
        );
    }
}
