//! The simulator's mutable world: the scenario as it evolves, the grants and tokens issued,
//! request counts, faults and the clock. Handlers lock it briefly and never across an await.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use crate::fault::{Fault, ENDPOINT_KEYS};
use crate::scenario::{
    DevopsSettings, IdentitySettings, Scenario, SubscriptionSpec, TenantSpec, UserKind, UserSpec,
};

/// The "fake" tenant that MSA pass-through tokens come from (reference §1.4).
pub(crate) const MSA_TRANSFER_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
/// The home tenant of personal Microsoft accounts; as an authority it means `consumers`.
pub(crate) const MSA_HOME_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
/// The Azure DevOps resource (reference §1.5).
pub(crate) const DEVOPS_RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";

pub(crate) struct Shared {
    pub base_url: String,
    pub log_requests: bool,
    world: Mutex<World>,
}

impl Shared {
    pub fn new(base_url: String, scenario: Scenario, log_requests: bool) -> Shared {
        Shared {
            base_url,
            log_requests,
            world: Mutex::new(World::new(scenario)),
        }
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(crate) struct World {
    pub identity: IdentitySettings,
    pub devops: DevopsSettings,
    pub users: Vec<UserSpec>,
    pub tenants: Vec<TenantSpec>,
    pub orgs: Vec<Organization>,
    pub subscriptions: Vec<SubscriptionSpec>,
    pub device_codes: HashMap<String, DeviceAuthorization>,
    pub auth_codes: HashMap<String, AuthorizationCode>,
    pub access_tokens: HashMap<String, AccessToken>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub pats: Vec<PersonalAccessToken>,
    pub requests: HashMap<String, usize>,
    pub faults: HashMap<String, Fault>,
    pub holds: HashMap<String, u64>,
    clock_offset: Duration,
}

pub(crate) struct Organization {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub tenant: Option<String>,
    pub created: DateTime<Utc>,
    pub last_updated: DateTime<Utc>,
    pub ssh_keys: u32,
    pub billing: Option<crate::scenario::BillingSpec>,
    pub members: Vec<Member>,
}

pub(crate) struct Member {
    pub email: String,
    pub license: String,
    pub pca: bool,
    pub status: String,
    pub last_accessed: Option<DateTime<Utc>>,
    pub date_created: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeviceStatus {
    Pending,
    Approved { email: String },
    Declined,
    Redeemed,
}

pub(crate) struct DeviceAuthorization {
    pub user_code: String,
    pub client_id: String,
    pub tenant_segment: String,
    pub scopes: Vec<String>,
    pub issued_at: Instant,
    pub expires_in: Duration,
    /// The interval the client must keep to; grows by 5 s with every `slow_down`.
    pub interval: Duration,
    pub last_poll: Option<Instant>,
    /// Polls answered so far (for `slow_down_first_polls`).
    pub polls: u32,
    pub status: DeviceStatus,
}

pub(crate) struct AuthorizationCode {
    pub email: String,
    pub client_id: String,
    pub tenant_segment: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: String,
    pub issued_at: Instant,
    pub redeemed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    DevOps,
    Arm,
    /// openid/profile only: Microsoft Graph.
    Graph,
}

pub(crate) struct AccessToken {
    pub email: String,
    pub audience: Audience,
    pub tenant: String,
    pub expires_at: Instant,
    pub expires_at_utc: DateTime<Utc>,
}

pub(crate) struct RefreshToken {
    pub email: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub revoked: bool,
}

pub(crate) struct PersonalAccessToken {
    pub authorization_id: String,
    pub display_name: String,
    pub scope: String,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    pub target_accounts: Option<Vec<String>>,
    pub token: String,
    pub owner: String,
    pub org: String,
    pub revoked: bool,
}

impl World {
    fn new(scenario: Scenario) -> World {
        let now = Utc::now();
        let orgs = scenario
            .organizations
            .into_iter()
            .map(|org| {
                let created = org.created.unwrap_or(now);
                Organization {
                    id: org.id,
                    name: org.name,
                    owner: org.owner,
                    tenant: org.tenant,
                    created,
                    last_updated: created,
                    ssh_keys: org.ssh_keys,
                    billing: org.billing,
                    members: org
                        .members
                        .into_iter()
                        .map(|m| Member {
                            email: m.email,
                            license: m.license,
                            pca: m.pca,
                            status: m.status,
                            last_accessed: m.last_accessed,
                            date_created: m.date_created.unwrap_or(created),
                        })
                        .collect(),
                }
            })
            .collect();
        World {
            identity: scenario.identity,
            devops: scenario.devops,
            users: scenario.users,
            tenants: scenario.tenants,
            orgs,
            subscriptions: scenario.subscriptions,
            device_codes: HashMap::new(),
            auth_codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            pats: Vec::new(),
            requests: ENDPOINT_KEYS.iter().map(|k| (k.to_string(), 0)).collect(),
            faults: HashMap::new(),
            holds: HashMap::new(),
            clock_offset: Duration::ZERO,
        }
    }

    /// The simulator's monotonic clock (tokio's, so paused test time applies, plus any
    /// advance a test asked for).
    pub fn now(&self) -> Instant {
        Instant::now() + self.clock_offset
    }

    pub fn utc_now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::from_std(self.clock_offset).unwrap_or_default()
    }

    pub fn advance_clock(&mut self, by: Duration) {
        self.clock_offset += by;
    }

    pub fn user(&self, email: &str) -> Option<&UserSpec> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    pub fn user_by_id(&self, id: &str) -> Option<&UserSpec> {
        self.users.iter().find(|u| u.id.eq_ignore_ascii_case(id))
    }

    pub fn org_index(&self, name: &str) -> Option<usize> {
        self.orgs
            .iter()
            .position(|o| o.name.eq_ignore_ascii_case(name))
    }

    pub fn org(&self, name: &str) -> Option<&Organization> {
        self.org_index(name).map(|i| &self.orgs[i])
    }

    /// A tenant by id or verified domain.
    pub fn tenant(&self, reference: &str) -> Option<&TenantSpec> {
        let reference = reference.to_ascii_lowercase();
        self.tenants
            .iter()
            .find(|t| t.id == reference || t.domains.contains(&reference))
    }

    pub fn tenant_by_id(&self, id: &str) -> Option<&TenantSpec> {
        self.tenants.iter().find(|t| t.id.eq_ignore_ascii_case(id))
    }

    pub fn is_tenant_member(&self, tenant: &TenantSpec, email: &str) -> bool {
        tenant.members.iter().any(|m| m.eq_ignore_ascii_case(email))
    }

    pub fn is_tenant_guest(&self, tenant: &TenantSpec, email: &str) -> bool {
        tenant.guests.iter().any(|m| m.eq_ignore_ascii_case(email))
    }

    /// The tenants a user is a member or guest of.
    pub fn tenants_of(&self, email: &str) -> Vec<&TenantSpec> {
        self.tenants
            .iter()
            .filter(|t| self.is_tenant_member(t, email) || self.is_tenant_guest(t, email))
            .collect()
    }

    /// The tenant a work account belongs to: the member tenant whose domains hold its address.
    pub fn home_tenant(&self, user: &UserSpec) -> Option<&TenantSpec> {
        let domain = user.email.rsplit('@').next().unwrap_or_default();
        self.tenants
            .iter()
            .filter(|t| self.is_tenant_member(t, &user.email))
            .find(|t| t.domains.iter().any(|d| d == domain))
            .or_else(|| {
                self.tenants
                    .iter()
                    .find(|t| self.is_tenant_member(t, &user.email))
            })
    }

    /// The tenant id of tokens issued through `organizations` or `common`.
    pub fn default_token_tenant(&self, user: &UserSpec) -> String {
        match user.kind {
            UserKind::Msa => MSA_TRANSFER_TENANT.to_string(),
            UserKind::Aad => self
                .home_tenant(user)
                .map(|t| t.id.clone())
                .unwrap_or_else(|| MSA_TRANSFER_TENANT.to_string()),
        }
    }

    /// Counts a request and takes one use of the endpoint's fault, if any.
    pub fn record_request(&mut self, key: &str) -> Option<Fault> {
        *self.requests.entry(key.to_string()).or_insert(0) += 1;
        let armed = self.faults.get_mut(key)?;
        let (fault, used_up) = armed.take_one();
        if used_up {
            self.faults.remove(key);
        }
        Some(fault)
    }

    /// An access token that is known and not expired.
    pub fn live_access_token(&self, token: &str) -> Option<&AccessToken> {
        self.access_tokens
            .get(token)
            .filter(|t| t.expires_at > self.now())
    }

    pub fn approve(&mut self, user_code: &str, email: &str) -> bool {
        let Some(user) = self.user(email) else {
            return false;
        };
        let email = user.email.clone();
        let now = self.now();
        match self.pending_device_code(user_code, now) {
            Some(grant) => {
                grant.status = DeviceStatus::Approved { email };
                true
            }
            None => false,
        }
    }

    pub fn decline(&mut self, user_code: &str) -> bool {
        let now = self.now();
        match self.pending_device_code(user_code, now) {
            Some(grant) => {
                grant.status = DeviceStatus::Declined;
                true
            }
            None => false,
        }
    }

    fn pending_device_code(
        &mut self,
        user_code: &str,
        now: Instant,
    ) -> Option<&mut DeviceAuthorization> {
        let wanted = normalize_user_code(user_code);
        self.device_codes.values_mut().find(|grant| {
            grant.user_code == wanted
                && grant.status == DeviceStatus::Pending
                && now < grant.issued_at + grant.expires_in
        })
    }

    /// The invited user signs in for the first time: the entitlement becomes active.
    pub fn first_sign_in(&mut self, org: &str, email: &str) -> bool {
        let now = self.utc_now();
        let Some(index) = self.org_index(org) else {
            return false;
        };
        match self.orgs[index]
            .members
            .iter_mut()
            .find(|m| m.email.eq_ignore_ascii_case(email))
        {
            Some(member) => {
                member.status = "active".to_string();
                member.last_accessed = Some(now);
                true
            }
            None => false,
        }
    }
}

impl Organization {
    pub fn member(&self, email: &str) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.email.eq_ignore_ascii_case(email))
    }

    pub fn is_owner_or_admin(&self, email: &str) -> bool {
        self.owner.eq_ignore_ascii_case(email) || self.member(email).is_some_and(|m| m.pca)
    }

    pub fn tenant_id_or_empty(&self) -> &str {
        self.tenant
            .as_deref()
            .unwrap_or(crate::responses::EMPTY_GUID)
    }
}

/// User codes are compared without case, spaces or dashes.
pub(crate) fn normalize_user_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

pub(crate) fn random_string(len: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(len)
        .collect()
}

/// Dates as Azure DevOps writes them: RFC 3339, UTC, `Z`.
pub(crate) fn format_date(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
