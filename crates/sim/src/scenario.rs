//! The simulated world: users, directories (tenants), organizations, subscriptions and the
//! knobs that change how the identity platform and Azure DevOps behave. Loaded from TOML;
//! docs/sim.md describes the format and `scenarios/demo.toml` is the default.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The Visual Studio (legacy) public client that GCM uses (reference §1.6).
pub const VISUAL_STUDIO_CLIENT_ID: &str = "872cd9fa-d31f-45e0-9eab-6e460a02d1f1";

const DEMO_TOML: &str = include_str!("../scenarios/demo.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub identity: IdentitySettings,
    #[serde(default)]
    pub devops: DevopsSettings,
    #[serde(default)]
    pub users: Vec<UserSpec>,
    #[serde(default)]
    pub tenants: Vec<TenantSpec>,
    #[serde(default)]
    pub organizations: Vec<OrganizationSpec>,
    #[serde(default)]
    pub subscriptions: Vec<SubscriptionSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdentitySettings {
    /// Public client ids the identity platform knows; any other gets AADSTS700016.
    pub client_ids: Vec<String>,
    /// `interval` of the device authorization response, in whole seconds.
    pub interval_secs: u64,
    /// `expires_in` of the device authorization response, in seconds.
    pub expires_in_secs: u64,
    /// Send `interval` as a JSON string ("5"), as some identity providers do (reference §1.2).
    pub interval_as_string: bool,
    /// Leave `interval` out of the device authorization response.
    pub omit_interval: bool,
    /// Answer `slow_down` to a poll that comes sooner than the interval.
    pub send_slow_down: bool,
    /// Answer `slow_down` to the first N polls of every device code, whatever their timing.
    pub slow_down_first_polls: u32,
    /// Lifetime of access tokens (`expires_in` of the token response).
    pub access_token_lifetime_secs: u64,
    /// A refresh returns a new refresh token and revokes the one it used.
    pub rotate_refresh_tokens: bool,
    /// The user already signed in to the browser, for the authorization-code page.
    /// Empty: the first user of the scenario.
    pub browser_user: String,
}

impl Default for IdentitySettings {
    fn default() -> Self {
        IdentitySettings {
            client_ids: vec![VISUAL_STUDIO_CLIENT_ID.to_string()],
            interval_secs: 5,
            expires_in_secs: 900,
            interval_as_string: false,
            omit_interval: false,
            send_slow_down: false,
            slow_down_first_polls: 0,
            access_token_lifetime_secs: 3599,
            rotate_refresh_tokens: true,
            browser_user: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DevopsSettings {
    /// An organization connected to a directory accepts only tokens issued by that
    /// directory (reference §6 step 9: re-authenticate against the tenant).
    pub require_tenant_token_for_connected_orgs: bool,
    /// Leave `accountOwner` out of the accounts listings, as the documented example of
    /// `accounts?memberId=` does (reference §2.3): a client must then ask `ownerId=` too.
    pub accounts_omit_owner: bool,
}

impl Default for DevopsSettings {
    fn default() -> Self {
        DevopsSettings {
            require_tenant_token_for_connected_orgs: true,
            accounts_omit_owner: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserKind {
    /// A personal Microsoft account.
    Msa,
    /// A work or school account of a directory.
    Aad,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// Profile id (= memberId of the Accounts API). Generated when left out.
    #[serde(default)]
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub kind: UserKind,
    /// A Conditional Access policy blocks the device-code flow for this user (AADSTS53003).
    #[serde(default)]
    pub conditional_access_blocks_device_code: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSpec {
    pub id: String,
    pub display_name: String,
    /// Verified domains; the first one is the default domain.
    pub domains: Vec<String>,
    #[serde(default = "default_country")]
    pub country_code: String,
    /// E-mail addresses of the users who are members of the directory.
    #[serde(default)]
    pub members: Vec<String>,
    /// E-mail addresses of the users who are guests of the directory.
    #[serde(default)]
    pub guests: Vec<String>,
    #[serde(default)]
    pub pat_policy: PatPolicy,
}

fn default_country() -> String {
    "US".to_string()
}

/// The directory's Azure DevOps policies on personal access tokens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PatPolicy {
    /// Refuse full-scope (`app_token`) PATs: fullScopePatPolicyViolation.
    pub block_full_scope: bool,
    /// Refuse PATs valid for all organizations: globalPatPolicyViolation.
    pub block_global: bool,
    /// Refuse PATs whose validTo is further away: patLifespanPolicyViolation.
    pub max_lifespan_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationSpec {
    /// Generated when left out.
    #[serde(default)]
    pub id: String,
    pub name: String,
    /// E-mail of the owner; the owner is always a member and a Project Collection Administrator.
    pub owner: String,
    /// Id or domain of the connected directory; left out: backed by personal accounts.
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
    /// SSH public keys registered in the organization (must be cleared before connecting).
    #[serde(default)]
    pub ssh_keys: u32,
    #[serde(default)]
    pub billing: Option<BillingSpec>,
    #[serde(default)]
    pub members: Vec<MemberSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingSpec {
    pub subscription: String,
    pub resource_group: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberSpec {
    pub email: String,
    /// accountLicenseType: express (Basic), stakeholder, professional, advanced, earlyAdopter, none.
    #[serde(default = "default_license")]
    pub license: String,
    /// Project Collection Administrator.
    #[serde(default)]
    pub pca: bool,
    /// accessLevel.status: active or pending (invited, never signed in).
    #[serde(default = "default_status")]
    pub status: String,
    /// Left out: never accessed.
    #[serde(default)]
    pub last_accessed: Option<DateTime<Utc>>,
    #[serde(default)]
    pub date_created: Option<DateTime<Utc>>,
}

fn default_license() -> String {
    "express".to_string()
}

fn default_status() -> String {
    "active".to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionSpec {
    pub id: String,
    pub display_name: String,
    /// Id or domain of the directory the subscription belongs to.
    pub tenant: String,
    #[serde(default = "default_subscription_state")]
    pub state: String,
    /// E-mails of the users who can see the subscription.
    #[serde(default)]
    pub users: Vec<String>,
}

fn default_subscription_state() -> String {
    "Enabled".to_string()
}

impl Scenario {
    /// The built-in demo world (the content of `scenarios/demo.toml`).
    pub fn default_demo() -> Scenario {
        Scenario::from_toml(DEMO_TOML).expect("the built-in demo scenario is valid")
    }

    /// Parses and validates a scenario; ids left out are generated, tenant references
    /// by domain are resolved to ids, GUIDs and e-mails are lower-cased.
    pub fn from_toml(text: &str) -> Result<Scenario, String> {
        let mut scenario: Scenario = toml::from_str(text).map_err(|e| e.to_string())?;
        scenario.normalize()?;
        Ok(scenario)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a scenario always serializes")
    }

    pub fn user(&self, email: &str) -> Option<&UserSpec> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    fn normalize(&mut self) -> Result<(), String> {
        let identity = &mut self.identity;
        if identity.client_ids.is_empty() {
            return Err("identity.client_ids must name at least one client".into());
        }
        for id in &mut identity.client_ids {
            *id = guid(id, "identity.client_ids")?;
        }

        let mut emails = HashSet::new();
        for user in &mut self.users {
            user.email = user.email.trim().to_ascii_lowercase();
            if !user.email.contains('@') {
                return Err(format!("users: '{}' is not an e-mail address", user.email));
            }
            if !emails.insert(user.email.clone()) {
                return Err(format!("users: '{}' is listed twice", user.email));
            }
            user.id = if user.id.is_empty() {
                uuid::Uuid::new_v4().to_string()
            } else {
                guid(&user.id, "users.id")?
            };
        }
        let known_user = |email: &str, place: &str| -> Result<String, String> {
            let email = email.trim().to_ascii_lowercase();
            if emails.contains(&email) {
                Ok(email)
            } else {
                Err(format!(
                    "{place}: '{email}' is not one of the scenario's users"
                ))
            }
        };

        let identity = &mut self.identity;
        if identity.browser_user.is_empty() {
            identity.browser_user = self
                .users
                .first()
                .map(|u| u.email.clone())
                .unwrap_or_default();
        } else {
            identity.browser_user = known_user(&identity.browser_user, "identity.browser_user")?;
        }

        let mut tenant_ids = HashSet::new();
        for tenant in &mut self.tenants {
            tenant.id = guid(&tenant.id, "tenants.id")?;
            if !tenant_ids.insert(tenant.id.clone()) {
                return Err(format!("tenants: '{}' is listed twice", tenant.id));
            }
            if tenant.domains.is_empty() {
                return Err(format!(
                    "tenants: '{}' needs at least one domain",
                    tenant.display_name
                ));
            }
            for domain in &mut tenant.domains {
                *domain = domain.trim().to_ascii_lowercase();
            }
            for member in &mut tenant.members {
                *member = known_user(member, "tenants.members")?;
            }
            for guest in &mut tenant.guests {
                *guest = known_user(guest, "tenants.guests")?;
            }
        }
        let tenants = self.tenants.clone();
        let resolve_tenant = |reference: &str, place: &str| -> Result<String, String> {
            let reference = reference.trim().to_ascii_lowercase();
            tenants
                .iter()
                .find(|t| t.id == reference || t.domains.contains(&reference))
                .map(|t| t.id.clone())
                .ok_or_else(|| format!("{place}: no tenant '{reference}' in the scenario"))
        };

        for subscription in &mut self.subscriptions {
            subscription.id = guid(&subscription.id, "subscriptions.id")?;
            subscription.tenant = resolve_tenant(&subscription.tenant, "subscriptions.tenant")?;
            for user in &mut subscription.users {
                *user = known_user(user, "subscriptions.users")?;
            }
        }

        let mut org_names = HashSet::new();
        for org in &mut self.organizations {
            if !is_valid_org_name(&org.name) {
                return Err(format!(
                    "organizations: '{}' is not a valid organization name",
                    org.name
                ));
            }
            if !org_names.insert(org.name.to_ascii_lowercase()) {
                return Err(format!("organizations: '{}' is listed twice", org.name));
            }
            org.id = if org.id.is_empty() {
                uuid::Uuid::new_v4().to_string()
            } else {
                guid(&org.id, "organizations.id")?
            };
            org.owner = known_user(&org.owner, "organizations.owner")?;
            org.tenant = match org.tenant.as_deref().map(str::trim) {
                None | Some("") | Some("00000000-0000-0000-0000-000000000000") => None,
                Some(reference) => Some(resolve_tenant(reference, "organizations.tenant")?),
            };
            if let Some(billing) = &mut org.billing {
                billing.subscription =
                    guid(&billing.subscription, "organizations.billing.subscription")?;
                if !self
                    .subscriptions
                    .iter()
                    .any(|s| s.id == billing.subscription)
                {
                    return Err(format!(
                        "organizations.billing: subscription '{}' is not in the scenario",
                        billing.subscription
                    ));
                }
            }
            let mut member_emails = HashSet::new();
            for member in &mut org.members {
                member.email = known_user(&member.email, "organizations.members")?;
                if !member_emails.insert(member.email.clone()) {
                    return Err(format!(
                        "organizations.members: '{}' is listed twice",
                        member.email
                    ));
                }
                if !matches!(member.status.as_str(), "active" | "pending") {
                    return Err(format!(
                        "organizations.members: status '{}' is neither active nor pending",
                        member.status
                    ));
                }
                if license_display_name(&member.license).is_none() {
                    return Err(format!(
                        "organizations.members: unknown license '{}'",
                        member.license
                    ));
                }
            }
            if !member_emails.contains(&org.owner) {
                org.members.insert(
                    0,
                    MemberSpec {
                        email: org.owner.clone(),
                        license: default_license(),
                        pca: true,
                        status: default_status(),
                        last_accessed: None,
                        date_created: org.created,
                    },
                );
            }
            let owner = org.owner.clone();
            if let Some(owner_entry) = org.members.iter_mut().find(|m| m.email == owner) {
                owner_entry.pca = true;
            }
        }
        Ok(())
    }
}

/// The accessLevel.licenseDisplayName of each accountLicenseType.
pub(crate) fn license_display_name(license: &str) -> Option<&'static str> {
    Some(match license {
        "express" => "Basic",
        "stakeholder" => "Stakeholder",
        "advanced" => "Basic + Test Plans",
        "professional" => "Visual Studio Professional",
        "earlyAdopter" => "Early Adopter",
        "none" => "None",
        _ => return None,
    })
}

/// Azure DevOps organization names: letters, digits and hyphens, 1-50 characters,
/// starting and ending with a letter or digit.
pub(crate) fn is_valid_org_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 50
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn guid(text: &str, place: &str) -> Result<String, String> {
    uuid::Uuid::parse_str(text.trim())
        .map(|u| u.to_string())
        .map_err(|_| format!("{place}: '{text}' is not a GUID"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_scenario_matches_the_brief() {
        let demo = Scenario::default_demo();
        let morgan = demo.user("morgan.lee@outlook.com").unwrap();
        assert_eq!(morgan.kind, UserKind::Msa);
        let owned: Vec<_> = demo
            .organizations
            .iter()
            .filter(|o| o.owner == morgan.email)
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(owned, ["fabrikam-fiber", "contoso-web", "northwind-ops"]);
        assert_eq!(demo.organizations[0].members.len(), 4);
        assert_eq!(demo.organizations[1].members.len(), 2);
        assert!(demo.organizations[2].tenant.is_some());
        assert!(demo.organizations.iter().any(|o| o.ssh_keys > 0));
        assert!(demo.organizations.iter().any(|o| o.billing.is_some()));
        assert_eq!(demo.identity.browser_user, "morgan.lee@outlook.com");
    }

    #[test]
    fn scenario_round_trips_through_toml() {
        let demo = Scenario::default_demo();
        assert_eq!(Scenario::from_toml(&demo.to_toml()).unwrap(), demo);
    }

    #[test]
    fn unknown_references_are_rejected() {
        let err = Scenario::from_toml(
            r#"
            [[users]]
            display_name = "A"
            email = "a@example.com"
            kind = "msa"
            [[organizations]]
            name = "x"
            owner = "b@example.com"
            "#,
        )
        .unwrap_err();
        assert!(err.contains("b@example.com"), "{err}");
        assert!(Scenario::from_toml("[identity]\nnope = 1").is_err());
    }

    #[test]
    fn tenant_domains_resolve_to_ids() {
        let scenario = Scenario::from_toml(
            r#"
            [[users]]
            display_name = "A"
            email = "A@Example.com"
            kind = "msa"
            [[tenants]]
            id = "C0A7E1D2-5B3F-4E6A-8C9D-0E1F2A3B4C5D"
            display_name = "T"
            domains = ["t.example"]
            [[organizations]]
            name = "org"
            owner = "a@example.com"
            tenant = "t.example"
            "#,
        )
        .unwrap();
        let org = &scenario.organizations[0];
        assert_eq!(
            org.tenant.as_deref(),
            Some("c0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5d")
        );
        assert_eq!(org.members.len(), 1);
        assert!(org.members[0].pca);
    }
}
