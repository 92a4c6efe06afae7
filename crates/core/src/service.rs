//! `AdoConnect`: the procedure's operations, one method each, used by both the desktop app
//! and the command line. Shells call these and add nothing but presentation.

use crate::arm::{ArmClient, Billing, Directory};
use crate::auth::device::PollProgress;
use crate::auth::store::SecretStore;
use crate::auth::{DeviceAuthorization, IdentityClient};
use crate::cache::SessionCache;
use crate::config::Config;
use crate::devops::{
    DevopsClient, DirectoryKind, DirectoryLink, EntitlementPage, InviteAccessLevel, User,
    UserEntitlement,
};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpClient, DEFAULT_TIMEOUT};
use crate::report::Report;
use crate::session::{Resource, Session, SessionStatus};
use crate::wizard::{Step, WizardEvent, WizardProgress};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Organizations probed at once. The probe is one unauthenticated HEAD; 32 in flight keeps
/// 1,000 organizations at 50 ms each under 2 s (docs/benchmarks.md, figure 7) while staying
/// far below what a browser opens to one host over HTTP/2.
pub const PROBE_CONCURRENCY: usize = 32;
/// Above this many users, mapping and invitations stop working (reference §5).
pub const MAX_USERS_FOR_CONNECT: u64 = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub name: String,
    pub id: String,
    pub owned: bool,
    pub directory: DirectoryLink,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationDetails {
    #[serde(flatten)]
    pub organization: Organization,
    pub owner: String,
    pub user_count: u64,
    pub billing: Billing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
}

impl std::fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
        })
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub id: &'static str,
    pub status: CheckStatus,
    pub title: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectOutcome {
    pub org: String,
    pub tenant_id: String,
    pub verified: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub origin: String,
    pub access_level: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<String>,
    /// Still on a personal Microsoft account in a directory-connected organization.
    pub disconnected: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InvitationState {
    Invited,
    Waiting,
    SignedIn,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub email: String,
    pub state: InvitationState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<String>,
}

pub struct AdoConnect {
    pub config: Config,
    pub identity: IdentityClient,
    pub devops: DevopsClient,
    pub arm: ArmClient,
    pub session: Session,
    pub data_dir: Option<PathBuf>,
    probe_cache: Mutex<HashMap<String, DirectoryLink>>,
    /// Listings, directories, entitlements and billing for this sign-in (crate::cache).
    cache: SessionCache,
    connects_in_flight: ConnectsInFlight,
}

/// Per organization (lower-cased): the directory being connected to and the outcome, once known.
type ConnectsInFlight =
    std::sync::Mutex<HashMap<String, (String, Arc<tokio::sync::OnceCell<Result<ConnectOutcome>>>)>>;

/// A share in the connect in flight for one organization; the last share dropped (finished
/// or cancelled) removes the entry, so a later Connect sends its own request.
struct ConnectTicket<'a> {
    map: &'a ConnectsInFlight,
    key: String,
    target: String,
    cell: Option<Arc<tokio::sync::OnceCell<Result<ConnectOutcome>>>>,
}

impl<'a> ConnectTicket<'a> {
    fn take(map: &'a ConnectsInFlight, org: &str, tenant: &str) -> Self {
        let key = org.to_ascii_lowercase();
        let mut in_flight = map.lock().unwrap_or_else(|p| p.into_inner());
        let (target, cell) = in_flight
            .entry(key.clone())
            .or_insert_with(|| (tenant.to_string(), Arc::default()))
            .clone();
        ConnectTicket {
            map,
            key,
            target,
            cell: Some(cell),
        }
    }

    fn cell(&self) -> &tokio::sync::OnceCell<Result<ConnectOutcome>> {
        self.cell.as_deref().expect("held until drop")
    }
}

impl Drop for ConnectTicket<'_> {
    fn drop(&mut self) {
        let mut in_flight = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // Dropped under the lock, where every share is also taken, so the count is exact.
        drop(self.cell.take());
        if in_flight
            .get(&self.key)
            .is_some_and(|(_, cell)| Arc::strong_count(cell) == 1)
        {
            in_flight.remove(&self.key);
        }
    }
}

impl AdoConnect {
    /// With the configured proxy when one is set (`network.proxy`, which the machine policy's
    /// `policy.proxy` replaces), else the environment's (`HTTPS_PROXY`, `NO_PROXY`).
    pub fn new(config: Config, store: Arc<dyn SecretStore>, data_dir: Option<PathBuf>) -> Self {
        let proxy = config.proxy_url();
        let http = HttpClient::with_proxy(DEFAULT_TIMEOUT, proxy.as_ref().map(|u| u.as_str())).unwrap_or_else(|e| {
            tracing::error!(code = %e.code, "configured proxy unusable; using the environment's");
            HttpClient::new(DEFAULT_TIMEOUT)
        });
        Self::with_http(config, store, data_dir, http)
    }

    pub fn with_http(
        config: Config,
        store: Arc<dyn SecretStore>,
        data_dir: Option<PathBuf>,
        http: HttpClient,
    ) -> Self {
        let identity = IdentityClient::new(config.identity.clone(), http.clone());
        let devops = DevopsClient::new(config.devops.clone(), http.clone());
        let arm = ArmClient::new(config.arm.clone(), http);
        let session = Session::new(identity.clone(), devops.clone(), store, data_dir.clone());
        AdoConnect {
            config,
            identity,
            devops,
            arm,
            session,
            data_dir,
            probe_cache: Mutex::new(HashMap::new()),
            cache: SessionCache::default(),
            connects_in_flight: ConnectsInFlight::default(),
        }
    }

    // ---- sign-in ----

    pub async fn start_sign_in(&self) -> Result<DeviceAuthorization> {
        self.identity.start_device_authorization().await
    }

    /// Sign in to a directory (the work account after connecting), not `organizations`.
    pub async fn start_sign_in_to(&self, tenant_id: &str) -> Result<DeviceAuthorization> {
        uuid::Uuid::parse_str(tenant_id).map_err(|_| {
            Error::invalid_input(
                "directory ID",
                format!("`{}` is not a GUID", tenant_id.escape_debug()),
            )
        })?;
        self.identity
            .start_device_authorization_for(tenant_id)
            .await
    }

    pub async fn finish_sign_in(
        &self,
        auth: &DeviceAuthorization,
        cancel: &CancellationToken,
        progress: &mut (dyn FnMut(PollProgress) + Send),
    ) -> Result<SessionStatus> {
        let tokens = self
            .identity
            .wait_for_device_token(auth, cancel, progress)
            .await?;
        let status = self.session.complete_sign_in(tokens, None).await?;
        self.after_sign_in(&status, "device code");
        Ok(status)
    }

    fn after_sign_in(&self, status: &SessionStatus, how: &str) {
        let who = status
            .user
            .as_ref()
            .map(|u| u.email.clone())
            .unwrap_or_default();
        self.record("sign-in", None, format!("Signed in as {who} ({how})"));
        let _ = self.update_progress(|w| {
            if matches!(w.step, Step::Welcome | Step::SignIn) {
                if w.step == Step::Welcome {
                    w.apply(WizardEvent::Start)?;
                }
                w.apply(WizardEvent::SignedIn)?;
            }
            Ok(())
        });
    }

    // ---- progress and report ----

    /// Append to the activity record; a failure to write it is logged, never fatal.
    pub fn record(&self, action: &str, org: Option<&str>, summary: impl Into<String>) {
        if let Some(dir) = &self.data_dir {
            if let Err(e) = Report::record(dir, action, org, summary) {
                tracing::warn!(code = %e.code, "activity record not written");
            }
        }
    }

    pub fn progress(&self) -> WizardProgress {
        self.data_dir
            .as_deref()
            .map(|d| WizardProgress::load(d).unwrap_or_default())
            .unwrap_or_default()
    }

    pub fn update_progress(
        &self,
        f: impl FnOnce(&mut WizardProgress) -> Result<()>,
    ) -> Result<WizardProgress> {
        let mut w = self.progress();
        f(&mut w)?;
        if let Some(dir) = &self.data_dir {
            w.save(dir)?;
        }
        Ok(w)
    }

    /// Re-read the true state behind the saved progress before showing it: whether a
    /// requested connection happened, whether invited people have signed in.
    pub async fn resume(&self) -> Result<WizardProgress> {
        let saved = self.progress();
        let mut w = saved.clone();
        if let (Step::Connecting | Step::Connected, Some(org)) = (w.step, w.org.clone()) {
            let link = self.devops.probe_tenant(&org).await?;
            self.probe_cache
                .lock()
                .await
                .insert(org.clone(), link.clone());
            w.apply(WizardEvent::ObservedTenant {
                tenant_id: link.tenant_id,
            })?;
            if saved.step == Step::Connecting {
                let outcome = if w.step == Step::Connected {
                    "was applied"
                } else {
                    "did not happen"
                };
                self.record(
                    "verify",
                    Some(&org),
                    format!("On restart: the interrupted connection {outcome}"),
                );
            }
        }
        if self.session.user().await.is_ok() {
            for inv in saved.invitations.iter().filter(|i| !i.signed_in) {
                if let Ok(status) = self.invitation_status(&inv.org, &inv.email).await {
                    if status.state == InvitationState::SignedIn {
                        w.apply(WizardEvent::InvitationSignedIn {
                            email: inv.email.clone(),
                        })?;
                        self.record(
                            "invitation-signed-in",
                            Some(&inv.org),
                            format!("{} signed in", inv.email),
                        );
                    }
                }
            }
        }
        if w != saved {
            if let Some(dir) = &self.data_dir {
                w.save(dir)?;
            }
        }
        Ok(w)
    }

    pub fn save_report(&self, dir: &std::path::Path) -> Result<(PathBuf, PathBuf)> {
        let report = self
            .data_dir
            .as_deref()
            .map(Report::load)
            .transpose()?
            .unwrap_or_default();
        report.save(dir)
    }

    /// The browser fallback (authorization code + PKCE); `tenant_id` for the work account.
    pub async fn sign_in_with_browser(
        &self,
        open: impl FnOnce(&str) -> Result<()>,
        cancel: &CancellationToken,
        tenant_id: Option<&str>,
    ) -> Result<SessionStatus> {
        let tenant = match tenant_id {
            Some(t) => uuid::Uuid::parse_str(t)
                .map_err(|_| Error::invalid_input("directory ID", format!("`{t}` is not a GUID")))?
                .to_string(),
            None => self.config.identity.tenant.clone(),
        };
        let tokens = self
            .identity
            .sign_in_with_browser_to(&tenant, open, Duration::from_secs(600), cancel)
            .await?;
        let tenant = tenant_id.map(|_| tenant);
        let status = self.session.complete_sign_in(tokens, tenant).await?;
        self.after_sign_in(&status, "browser");
        Ok(status)
    }

    // ---- organizations ----

    /// The organizations the person belongs to, owned ones marked, each with its directory.
    /// `refresh` (the user's Refresh) asks everything again: the listing, every probe, and
    /// drops the directories, entitlements and billing kept for this sign-in.
    pub async fn list_organizations(&self, refresh: bool) -> Result<Vec<Organization>> {
        if refresh {
            self.cache.clear();
        }
        let user = self.session.user().await?;
        let listed = match self.cache.organizations(&user.id) {
            Some(listed) => listed,
            None => {
                let listed = self.fetch_organizations(&user).await?;
                self.cache.set_organizations(&user.id, listed.clone());
                listed
            }
        };
        let mut orgs = listed;
        let names: Vec<String> = orgs.iter().map(|o| o.name.clone()).collect();
        let links = self.directories_of(&names, refresh).await;
        for o in &mut orgs {
            if let Some(link) = links.get(&o.name) {
                o.directory = link.clone();
            }
        }
        Ok(orgs)
    }

    /// `accounts?memberId=` lists every organization. Its `accountOwner` tells which are the
    /// user's own; only when an entry lacks it (the documented example has none) is
    /// `accounts?ownerId=` asked as well.
    /// The directories are left `Unknown`: the probes fill them in.
    async fn fetch_organizations(&self, user: &User) -> Result<Vec<Organization>> {
        let (members, owned) = self
            .session
            .with_token(Resource::Devops, |t| async move {
                let members = self.devops.accounts(&t, "memberId", &user.id).await?;
                let owned = if members.iter().all(|a| a.account_owner.is_some()) {
                    vec![]
                } else {
                    self.devops.accounts(&t, "ownerId", &user.id).await?
                };
                Ok((members, owned))
            })
            .await?;
        let mut orgs: Vec<Organization> = vec![];
        for a in owned.iter().chain(members.iter()) {
            if orgs.iter().any(|o| o.id == a.account_id) {
                continue;
            }
            orgs.push(Organization {
                name: a.account_name.clone(),
                id: a.account_id.clone(),
                owned: owned.iter().any(|o| o.account_id == a.account_id)
                    || a.account_owner
                        .as_deref()
                        .is_some_and(|o| o.eq_ignore_ascii_case(&user.id)),
                directory: DirectoryLink::unknown(),
            });
        }
        orgs.sort_by(|a, b| {
            b.owned
                .cmp(&a.owned)
                .then(a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        Ok(orgs)
    }

    /// Probe (or read from the session cache) the directory of each organization.
    pub async fn directories_of(
        &self,
        orgs: &[String],
        refresh: bool,
    ) -> HashMap<String, DirectoryLink> {
        let mut out = HashMap::new();
        let mut todo = vec![];
        {
            let cache = self.probe_cache.lock().await;
            for o in orgs {
                match cache.get(o) {
                    Some(l) if !refresh => {
                        out.insert(o.clone(), l.clone());
                    }
                    _ => todo.push(o.clone()),
                }
            }
        }
        let results = self.devops.probe_many(&todo, PROBE_CONCURRENCY).await;
        let mut cache = self.probe_cache.lock().await;
        for (org, r) in results {
            match r {
                Ok(link) => {
                    cache.insert(org.clone(), link.clone());
                    out.insert(org, link);
                }
                Err(e) => {
                    tracing::warn!(org = %org, code = %e.code, "probe failed");
                    out.insert(org, DirectoryLink::unknown());
                }
            }
        }
        out
    }

    pub async fn organization_details(&self, org: &str) -> Result<OrganizationDetails> {
        crate::gcm::validate_org_name(org)?;
        let orgs = self.list_organizations(false).await?;
        let organization = orgs
            .into_iter()
            .find(|o| o.name.eq_ignore_ascii_case(org))
            .ok_or_else(|| not_a_member(org))?;
        let user = self.session.user().await?;
        let tenant = organization.directory.tenant_id.as_deref();
        let page = self.entitlements(&organization.name, tenant, false).await?;
        let link = self.devops.web_link(&organization.name, "billing")?;
        let cached = self.cache.billing(&user.id, &organization.name);
        let billing = match cached {
            Some(b) => Ok(b),
            None => {
                self.session
                    .with_token(Resource::Arm, |t| {
                        let link = link.clone();
                        let name = organization.name.clone();
                        async move { self.arm.billing(&t, &name, link).await }
                    })
                    .await
            }
        };
        let billing = match billing {
            Ok(b) => {
                self.cache
                    .set_billing(&user.id, &organization.name, b.clone());
                b
            }
            Err(e) => {
                tracing::warn!(code = %e.code, "billing status unavailable");
                Billing {
                    linked: false,
                    subscription_id: None,
                    link,
                }
            }
        };
        Ok(OrganizationDetails {
            owner: if organization.owned {
                user.display_name.clone()
            } else {
                "Someone else".into()
            },
            user_count: page.total_count.unwrap_or(page.items.len() as u64),
            billing,
            organization,
        })
    }

    // ---- directories ----

    /// Directories the person belongs to (ARM `tenants`), filtered by the machine policy.
    pub async fn list_directories(&self) -> Result<Vec<Directory>> {
        let user = self.session.user().await?;
        let dirs = match self.cache.directories(&user.id) {
            Some(dirs) => dirs,
            None => {
                let dirs = self
                    .session
                    .with_token(Resource::Arm, |t| async move { self.arm.tenants(&t).await })
                    .await?;
                self.cache.set_directories(&user.id, dirs.clone());
                dirs
            }
        };
        Ok(dirs
            .into_iter()
            .filter(|d| self.tenant_allowed(&d.tenant_id, &d.domains))
            .collect())
    }

    pub async fn resolve_domain(&self, domain: &str) -> Result<Directory> {
        let domain = domain.trim().to_ascii_lowercase();
        let tenant_id = self.identity.resolve_domain(&domain).await?;
        let d = Directory {
            tenant_id,
            display_name: domain.clone(),
            default_domain: domain.clone(),
            category: "Domain".into(),
            domains: vec![domain],
        };
        self.ensure_allowed(&d.tenant_id, &d.domains)?;
        Ok(d)
    }

    /// A directory as typed: a tenant id (GUID) as is, or a domain resolved to its tenant id.
    pub async fn resolve_directory(&self, input: &str) -> Result<String> {
        let input = input.trim();
        if let Ok(id) = uuid::Uuid::parse_str(input) {
            return Ok(id.to_string());
        }
        Ok(self.resolve_domain(input).await?.tenant_id)
    }

    fn tenant_allowed(&self, tenant_id: &str, domains: &[String]) -> bool {
        let allowed = &self.config.policy.allowed_tenants;
        allowed.is_empty()
            || allowed.iter().any(|a| {
                a.eq_ignore_ascii_case(tenant_id)
                    || domains.iter().any(|d| d.eq_ignore_ascii_case(a))
            })
    }

    /// The policy may name a directory by domain: look its domains up when needed.
    async fn ensure_directory_allowed(&self, tenant_id: &str) -> Result<()> {
        if self.tenant_allowed(tenant_id, &[]) {
            return Ok(());
        }
        let dirs = self.list_directories().await.unwrap_or_default();
        let domains = dirs
            .iter()
            .find(|d| d.tenant_id.eq_ignore_ascii_case(tenant_id))
            .map(|d| d.domains.clone())
            .unwrap_or_default();
        self.ensure_allowed(tenant_id, &domains)
    }

    fn ensure_allowed(&self, tenant_id: &str, domains: &[String]) -> Result<()> {
        if self.tenant_allowed(tenant_id, domains) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::TenantNotAllowed,
                "Your IT desk's policy does not allow connecting to this directory.",
                "Choose one of the directories your IT desk allows, or ask them to add this one.",
            ))
        }
    }

    // ---- pre-flight and connect ----

    pub async fn preflight(&self, org: &str, tenant_id: &str) -> Result<Vec<Check>> {
        crate::gcm::validate_org_name(org)?;
        uuid::Uuid::parse_str(tenant_id).map_err(|_| {
            Error::invalid_input(
                "directory ID",
                format!("`{}` is not a GUID", tenant_id.escape_debug()),
            )
        })?;
        let details = self.organization_details(org).await?;
        let directories = self.list_directories().await.unwrap_or_default();
        let target = directories
            .iter()
            .find(|d| d.tenant_id.eq_ignore_ascii_case(tenant_id));
        self.ensure_allowed(
            tenant_id,
            target.map(|d| d.domains.as_slice()).unwrap_or(&[]),
        )?;
        // The same entitlements the details just read: the members as of this moment.
        let tenant = details.organization.directory.tenant_id.as_deref();
        let members: Vec<Member> = self
            .entitlements(org, tenant, false)
            .await?
            .items
            .iter()
            .map(|e| member_of(e, tenant.is_some()))
            .collect();
        let mut checks = vec![];

        checks.push(if details.organization.owned {
            check("owner", CheckStatus::Pass, "You own this organization", "Owners are Project Collection Administrators, who may connect it.")
        } else {
            check("owner", CheckStatus::Warn, "You are not the owner", "Only a Project Collection Administrator can connect the organization. If you are not one, the connection will be refused.")
        });

        // ARM lists guest directories too and does not say which are which, so membership
        // is confirmed only by the connect call itself ("Only active members ...", §2.6).
        checks.push(match target {
            Some(_) => check("membership", CheckStatus::Warn, "You belong to this directory: it must be as a member", "Azure DevOps allows only active members of the directory, not guests, to connect to it. If you were invited as a guest, ask the directory's administrator to make you a member first."),
            None => check("membership", CheckStatus::Fail, "You are not in this directory", "This directory is not among the directories your account belongs to. Ask its administrator to add your account as a member."),
        });

        let count = details.user_count;
        let users = if count == 1 {
            "1 user".to_string()
        } else {
            format!("{count} users")
        };
        checks.push(if count <= MAX_USERS_FOR_CONNECT {
            check("user-count", CheckStatus::Pass, &format!("{users} (100 or fewer)"), "Mapping members to directory accounts works for organizations of up to 100 users.")
        } else {
            check("user-count", CheckStatus::Fail, &format!("{users} (more than 100)"), "Above 100 users, contact Azure DevOps Support to connect: mapping and invitations do not work beyond 100.")
        });

        checks.push(check(
            "ssh-keys",
            CheckStatus::Warn,
            "SSH keys must be cleared by Support first",
            "If anyone uses SSH keys with this organization, ask Azure DevOps Support to clear them before you connect; people add new keys afterwards.",
        ));

        let domains: Vec<String> = target
            .map(|d| {
                let mut v = d.domains.clone();
                v.push(d.default_domain.clone());
                v
            })
            .unwrap_or_default();
        let outside: Vec<String> = members
            .iter()
            .filter(|m| {
                let domain = m
                    .email
                    .rsplit_once('@')
                    .map(|(_, d)| d.to_ascii_lowercase())
                    .unwrap_or_default();
                !domains.iter().any(|d| d.eq_ignore_ascii_case(&domain))
            })
            .map(|m| format!("{} ({})", m.display_name, m.email))
            .collect();
        checks.push(if outside.is_empty() || domains.is_empty() {
            check("outside-members", if domains.is_empty() { CheckStatus::Warn } else { CheckStatus::Pass }, "Members' sign-in addresses", if domains.is_empty() { "The directory's domains are not known, so members outside it cannot be listed." } else { "Every member signs in with an address in this directory." })
        } else {
            Check {
                id: "outside-members",
                status: CheckStatus::Warn,
                title: match outside.len() {
                    1 => "1 member may lose access".into(),
                    n => format!("{n} members may lose access"),
                },
                detail: "These members sign in with addresses outside the directory. You can still connect, then resolve them on the Users page (map them to directory accounts or invite them as guests).".into(),
                affected: outside,
            }
        });
        Ok(checks)
    }

    /// Connect `org` to `tenant_id`, then read the organization back until it shows the new
    /// directory. The write is sent once; if its outcome is unknown it is read back, never resent.
    /// A second call for the same organization while one is in flight (Connect clicked twice)
    /// sends nothing: it waits for the first and returns the same outcome.
    pub async fn connect(
        &self,
        org: &str,
        tenant_id: &str,
        progress: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ConnectOutcome> {
        crate::gcm::validate_org_name(org)?;
        let tenant = uuid::Uuid::parse_str(tenant_id)
            .map_err(|_| {
                Error::invalid_input(
                    "directory ID",
                    format!("`{}` is not a GUID", tenant_id.escape_debug()),
                )
            })?
            .to_string();
        let ticket = ConnectTicket::take(&self.connects_in_flight, org, &tenant);
        if ticket.target != tenant {
            return Err(Error::new(
                ErrorCode::ConnectFailed,
                format!("ADO Connect is already connecting {org} to another directory."),
                "Wait until that finishes, then check the organization's directory before choosing again.",
            ));
        }
        let mut joined = true;
        let result = ticket
            .cell()
            .get_or_init(|| {
                joined = false;
                self.connect_once(org, &tenant, &mut *progress)
            })
            .await
            .clone();
        if joined {
            progress(if result.is_ok() {
                "connected"
            } else {
                "failed"
            });
        }
        result
    }

    async fn connect_once(
        &self,
        org: &str,
        tenant: &str,
        progress: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ConnectOutcome> {
        let tenant = tenant.to_string();
        self.ensure_directory_allowed(&tenant).await?;
        let current = self.tenant_of_org(org).await;
        // Signed in at all? Fail before anything is saved or sent.
        self.session
            .access_token_for(Resource::Devops, current.as_deref(), false)
            .await?;
        // Saved before the request leaves: if the app dies now, the next start reads back.
        self.update_progress(|w| {
            if w.org.as_deref() != Some(org) {
                *w = WizardProgress {
                    invitations: std::mem::take(&mut w.invitations),
                    ..WizardProgress::default()
                };
                w.apply(WizardEvent::Start)?;
                w.apply(WizardEvent::SignedIn)?;
                w.apply(WizardEvent::OrganizationChosen {
                    org: org.to_string(),
                })?;
            }
            if w.step != Step::Directory {
                w.step = Step::Directory;
            }
            let name = w.directory_name.clone().unwrap_or_else(|| tenant.clone());
            w.apply(WizardEvent::DirectoryChosen {
                tenant_id: tenant.clone(),
                name,
            })?;
            w.apply(WizardEvent::ConnectRequested)
        })?;
        progress("connecting");
        // A token refused (203, 401) means the request was not applied: it is sent once more
        // with a refreshed token, as every other call is. Any other failure is not resent.
        let sent = self
            .session
            .with_token_for(Resource::Devops, current.as_deref(), |t| {
                let tenant = tenant.clone();
                async move { self.devops.set_organization_tenant(&t, org, &tenant).await }
            })
            .await;
        if let Err(e) = &sent {
            let unknown = matches!(
                e.code,
                ErrorCode::Timeout
                    | ErrorCode::NetworkUnreachable
                    | ErrorCode::ServiceUnavailable
                    | ErrorCode::MalformedResponse
            );
            if !unknown {
                let _ = self
                    .update_progress(|w| w.apply(WizardEvent::ObservedTenant { tenant_id: None }));
                self.record(
                    "connect",
                    Some(org),
                    format!("Connect to directory {tenant} refused: {}", e.code),
                );
                progress("failed");
                return Err(e.clone());
            }
            tracing::warn!(code = %e.code, "connect outcome unknown; reading back");
        }
        progress("verifying");
        let verified = self.verify_tenant(org, &tenant).await;
        // Accepted but not yet visible: stay at "connecting", the next start reads back again.
        if verified || sent.is_err() {
            let observed = if verified { Some(tenant.clone()) } else { None };
            let _ = self.update_progress(|w| {
                w.apply(WizardEvent::ObservedTenant {
                    tenant_id: observed,
                })
            });
        }
        self.record(
            "connect",
            Some(org),
            match (&sent, verified) {
                (_, true) => format!(
                    "Connected to directory {tenant}; verified by reading the organization back"
                ),
                (Ok(()), false) => format!(
                    "Connect to directory {tenant} accepted; not yet visible when read back"
                ),
                (Err(e), false) => format!(
                    "Connect to directory {tenant} failed or unknown: {}",
                    e.code
                ),
            },
        );
        match (sent, verified) {
            (_, true) => {
                progress("connected");
                Ok(ConnectOutcome {
                    org: org.into(),
                    tenant_id: tenant,
                    verified: true,
                })
            }
            (Ok(()), false) => {
                progress("connected");
                Ok(ConnectOutcome {
                    org: org.into(),
                    tenant_id: tenant,
                    verified: false,
                })
            }
            (Err(e), false) => {
                progress("failed");
                Err(Error::new(
                    ErrorCode::ConnectUnverified,
                    "ADO Connect could not tell whether the organization was connected: the service did not answer, and the organization still shows its old directory.",
                    "Wait a minute, then refresh the organization list. Do not connect again until it shows the old directory.",
                )
                .with_details(e.details))
            }
        }
    }

    /// Disconnect `org` from its directory: the same call with the all-zero GUID (reference
    /// §2.6). Azure DevOps allows it only for a personal-account owner (reference §5).
    pub async fn disconnect(
        &self,
        org: &str,
        progress: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ConnectOutcome> {
        crate::gcm::validate_org_name(org)?;
        let Some(current) = self.tenant_of_org(org).await else {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("{org} is not connected to a directory."),
                "Nothing to disconnect.",
            ));
        };
        progress("disconnecting");
        let token = self
            .session
            .access_token_for(Resource::Devops, Some(&current), false)
            .await?;
        self.devops
            .set_organization_tenant(&token, org, crate::devops::EMPTY_TENANT)
            .await?;
        progress("verifying");
        let mut personal = false;
        for attempt in 0..5u64 {
            if let Ok(link) = self.devops.probe_tenant(org).await {
                if link.kind == DirectoryKind::Personal {
                    self.probe_cache.lock().await.insert(org.to_string(), link);
                    personal = true;
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
        }
        self.record(
            "disconnect",
            Some(org),
            format!("Disconnected from directory {current}"),
        );
        progress(if personal {
            "disconnected"
        } else {
            "not-yet-visible"
        });
        Ok(ConnectOutcome {
            org: org.into(),
            tenant_id: crate::devops::EMPTY_TENANT.into(),
            verified: personal,
        })
    }

    async fn verify_tenant(&self, org: &str, tenant: &str) -> bool {
        for attempt in 0..5u32 {
            if let Ok(link) = self.devops.probe_tenant(org).await {
                if link.tenant_id.as_deref() == Some(tenant) {
                    self.probe_cache.lock().await.insert(org.to_string(), link);
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(200 * (attempt as u64 + 1))).await;
        }
        false
    }

    // ---- after connecting ----

    /// The directory an organization's requests need a token from (None: personal accounts).
    async fn tenant_of_org(&self, org: &str) -> Option<String> {
        self.directories_of(&[org.to_string()], false)
            .await
            .get(org)
            .and_then(|l| l.tenant_id.clone())
    }

    pub async fn list_members(&self, org: &str) -> Result<Vec<Member>> {
        crate::gcm::validate_org_name(org)?;
        let tenant = self.tenant_of_org(org).await;
        let page = self.entitlements(org, tenant.as_deref(), true).await?;
        Ok(page
            .items
            .iter()
            .map(|e| member_of(e, tenant.is_some()))
            .collect())
    }

    /// An organization's user entitlements, with a token from its directory (`tenant`; None:
    /// personal accounts). `fresh` always
    /// asks the service (the members view); otherwise what this sign-in last read is used.
    /// Either way the answer is kept for the next reader.
    async fn entitlements(
        &self,
        org: &str,
        tenant: Option<&str>,
        fresh: bool,
    ) -> Result<EntitlementPage> {
        let user = self.session.user().await?;
        if !fresh {
            if let Some(page) = self.cache.entitlements(&user.id, org) {
                return Ok(page);
            }
        }
        let page = self
            .session
            .with_token_for(Resource::Devops, tenant, |t| async move {
                self.devops.user_entitlements(&t, org).await
            })
            .await?;
        self.cache.set_entitlements(&user.id, org, page.clone());
        Ok(page)
    }

    /// Sign out: the tokens leave the keychain and this sign-in's answers are forgotten.
    pub async fn sign_out(&self) -> Result<()> {
        self.cache.clear();
        self.session.sign_out().await
    }

    pub async fn invite_user(
        &self,
        org: &str,
        email: &str,
        level: InviteAccessLevel,
    ) -> Result<Invitation> {
        crate::gcm::validate_org_name(org)?;
        crate::devops::validate_email(email)?;
        let tenant = self.tenant_of_org(org).await;
        let entitlement = self
            .session
            .with_token_for(Resource::Devops, tenant.as_deref(), |t| async move {
                self.devops.invite(&t, org, email, level).await
            })
            .await?;
        self.record("invite", Some(org), format!("Invited {email} ({level:?})"));
        let _ = self.update_progress(|w| {
            if w.step == Step::Connected {
                w.apply(WizardEvent::Invited {
                    email: email.to_string(),
                })?;
            }
            Ok(())
        });
        Ok(invitation_of(email, Some(&entitlement)))
    }

    pub async fn invitation_status(&self, org: &str, email: &str) -> Result<Invitation> {
        crate::gcm::validate_org_name(org)?;
        let tenant = self.tenant_of_org(org).await;
        let page = self
            .session
            .with_token_for(Resource::Devops, tenant.as_deref(), |t| async move {
                self.devops.user_entitlements(&t, org).await
            })
            .await?;
        let found = page
            .items
            .iter()
            .find(|e| e.email().eq_ignore_ascii_case(email));
        Ok(invitation_of(email, found))
    }

    /// Create a PAT for tools that used alternate credentials. The token is returned once
    /// for display; it is not stored or logged, and the report names it only.
    pub async fn create_pat(
        &self,
        org: &str,
        name: &str,
        scopes: &[PatScope],
        days: u32,
    ) -> Result<CreatedToken> {
        crate::gcm::validate_org_name(org)?;
        let name = name.trim();
        if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
            return Err(Error::invalid_input(
                "token name",
                "use 1 to 100 characters, no line breaks",
            ));
        }
        if !(1..=365).contains(&days) {
            return Err(Error::invalid_input(
                "expiry",
                "choose between 1 and 365 days",
            ));
        }
        let scopes: Vec<PatScope> = if scopes.is_empty() {
            vec![PatScope::CodeRead]
        } else {
            scopes.to_vec()
        };
        let scope: Vec<&str> = scopes.iter().map(|s| s.api_name()).collect();
        let scope = scope.join(" ");
        let valid_to = (chrono::Utc::now() + chrono::Duration::days(days as i64))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let tenant = self.tenant_of_org(org).await;
        let created = self
            .session
            .with_token_for(Resource::Devops, tenant.as_deref(), |t| {
                let (scope, valid_to) = (scope.clone(), valid_to.clone());
                async move {
                    self.devops
                        .create_pat(&t, org, name, &scope, &valid_to)
                        .await
                }
            })
            .await?;
        self.record(
            "pat-created",
            Some(org),
            format!(
                "Personal access token \"{}\" ({scope}), valid to {}",
                created.display_name, created.valid_to
            ),
        );
        Ok(CreatedToken {
            name: created.display_name,
            valid_to: created.valid_to,
            token: created.token,
        })
    }

    // ---- Git Credential Manager caches on this machine ----

    /// Options for cleaning `orgs` with this configuration's paths and git.
    pub fn gcm_options(
        &self,
        orgs: Vec<String>,
        choices: GcmChoices,
    ) -> Result<crate::gcm::GcmOptions> {
        let mut o = crate::gcm::GcmOptions::from_config(&self.config.gcm, orgs)?;
        o.whole_legacy_file = choices.whole_legacy_file;
        o.unbind_username = choices.unbind_username;
        o.reject_saved_password = choices.reject_saved_password;
        Ok(o)
    }

    /// Preview: every change the cleanup would make. Changes nothing.
    pub fn gcm_plan(&self, orgs: Vec<String>, choices: GcmChoices) -> Result<crate::gcm::GcmPlan> {
        crate::gcm::plan(&self.gcm_options(orgs, choices)?)
    }

    /// Back up, then apply the plan; recorded in the activity report.
    pub fn gcm_apply(
        &self,
        plan: &crate::gcm::GcmPlan,
        choices: GcmChoices,
    ) -> Result<crate::gcm::GcmOutcome> {
        let outcome = crate::gcm::apply(plan, &self.gcm_options(plan.orgs.clone(), choices)?)?;
        let org = (plan.orgs.len() == 1).then(|| plan.orgs[0].as_str());
        self.record(
            "gcm-clean",
            org,
            format!(
                "Git Credential Manager caches: {} change(s) made, {} already clean, {} failed; backups: {}",
                outcome.done_count(),
                outcome.already_clean_count(),
                outcome.failed_count(),
                outcome.backups.iter().map(|b| b.backup.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
        );
        Ok(outcome)
    }

    pub fn gcm_restore(&self, backup: &std::path::Path) -> Result<crate::gcm::RestoreOutcome> {
        let outcome = crate::gcm::restore(backup)?;
        self.record(
            "gcm-restore",
            None,
            format!(
                "Restored {} from {}",
                outcome.restored.display(),
                outcome.from.display()
            ),
        );
        Ok(outcome)
    }

    /// Check an invitation until the person has signed in, with bounded backoff (5 s doubling
    /// to 5 minutes), reporting each state; gives up after `timeout` with the last state.
    pub async fn watch_invitation(
        &self,
        org: &str,
        email: &str,
        timeout: Duration,
        on_state: &mut (dyn FnMut(&Invitation) + Send),
    ) -> Result<Invitation> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut wait = Duration::from_secs(5);
        loop {
            let inv = self.invitation_status(org, email).await?;
            on_state(&inv);
            if inv.state == InvitationState::SignedIn {
                let _ = self.update_progress(|w| {
                    w.apply(WizardEvent::InvitationSignedIn {
                        email: email.to_string(),
                    })
                });
                self.record(
                    "invitation-signed-in",
                    Some(org),
                    format!("{email} signed in"),
                );
                return Ok(inv);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(inv);
            }
            tokio::time::sleep(wait.min(deadline - now)).await;
            wait = (wait * 2).min(Duration::from_secs(300));
        }
    }

    pub async fn user(&self) -> Result<User> {
        self.session.user().await
    }
}

/// What the person chose beyond the tenant caches (each off unless asked for).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GcmChoices {
    pub whole_legacy_file: bool,
    pub unbind_username: bool,
    pub reject_saved_password: bool,
}

/// Permissions offered for a token, in plain words; the least is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PatScope {
    /// Read code (clone, fetch).
    CodeRead,
    /// Read and write code (push).
    CodeWrite,
    /// Read packages (feeds).
    PackagingRead,
    /// Read work items.
    WorkItemsRead,
    /// Read builds and pipelines.
    BuildRead,
}

impl PatScope {
    pub fn api_name(self) -> &'static str {
        match self {
            PatScope::CodeRead => "vso.code",
            PatScope::CodeWrite => "vso.code_write",
            PatScope::PackagingRead => "vso.packaging",
            PatScope::WorkItemsRead => "vso.work",
            PatScope::BuildRead => "vso.build",
        }
    }
}

/// A new PAT for one-time display. `token` is a `Secret`: the shell exposes it exactly
/// once, to the person.
#[derive(Debug)]
pub struct CreatedToken {
    pub name: String,
    pub valid_to: String,
    pub token: crate::Secret,
}

fn check(id: &'static str, status: CheckStatus, title: &str, detail: &str) -> Check {
    Check {
        id,
        status,
        title: title.into(),
        detail: detail.into(),
        affected: vec![],
    }
}

fn not_a_member(org: &str) -> Error {
    Error::new(
        ErrorCode::NotFound,
        format!("You are not a member of an organization named {org}."),
        "Choose an organization from the list.",
    )
}

fn member_of(e: &UserEntitlement, connected: bool) -> Member {
    let origin = e.user.origin.clone().unwrap_or_else(|| "unknown".into());
    Member {
        id: e.id.clone(),
        display_name: e.user.display_name.clone().unwrap_or_else(|| e.email()),
        email: e.email(),
        disconnected: connected && origin.eq_ignore_ascii_case("msa"),
        origin,
        access_level: e
            .access_level
            .as_ref()
            .and_then(|a| {
                a.license_display_name
                    .clone()
                    .or_else(|| a.account_license_type.clone())
            })
            .unwrap_or_default(),
        last_accessed: e.last_accessed_date.clone().filter(|_| e.has_signed_in()),
    }
}

fn invitation_of(email: &str, e: Option<&UserEntitlement>) -> Invitation {
    match e {
        Some(e) if e.has_signed_in() => Invitation {
            email: email.into(),
            state: InvitationState::SignedIn,
            last_accessed: e.last_accessed_date.clone(),
        },
        Some(_) => Invitation {
            email: email.into(),
            state: InvitationState::Waiting,
            last_accessed: None,
        },
        None => Invitation {
            email: email.into(),
            state: InvitationState::Invited,
            last_accessed: None,
        },
    }
}
