//! The signed-in person: the refresh token in the keychain, access tokens in memory per
//! resource, refresh on expiry (storing the rotated refresh token), one silent retry when
//! Azure DevOps stops accepting a token, sign-out. A non-secret pointer file names who
//! was signed in, so the next start knows which keychain entry to read.

use crate::auth::store::{self, SecretStore};
use crate::auth::{IdentityClient, TokenSet};
use crate::config::{ARM_SCOPE, DEVOPS_SCOPE};
use crate::devops::{DevopsClient, User};
use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Devops,
    Arm,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    pub signed_in: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Whether the sign-in is kept in the keychain for the next start.
    pub remembered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keychain_warning: Option<String>,
    /// `organizations`, or the directory's id after a work-account sign-in.
    pub tenant: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pointer {
    account: String,
    display_name: String,
    email: String,
    tenant: String,
}

#[derive(Default)]
struct Inner {
    user: Option<User>,
    refresh: Option<Secret>,
    tenant: Option<String>,
    /// Access tokens per resource and directory (an organization connected to a directory
    /// accepts only tokens that directory issued).
    tokens: HashMap<(Resource, String), TokenSet>,
    remembered: bool,
    keychain_warning: Option<String>,
}

pub struct Session {
    identity: IdentityClient,
    devops: DevopsClient,
    store: Arc<dyn SecretStore>,
    pointer_path: Option<PathBuf>,
    inner: Mutex<Inner>,
}

impl Session {
    pub fn new(
        identity: IdentityClient,
        devops: DevopsClient,
        store: Arc<dyn SecretStore>,
        data_dir: Option<PathBuf>,
    ) -> Self {
        Session {
            identity,
            devops,
            store,
            pointer_path: data_dir.map(|d| d.join("session.json")),
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn identity(&self) -> &IdentityClient {
        &self.identity
    }

    fn default_tenant(&self) -> String {
        self.identity.config().tenant.clone()
    }

    pub async fn status(&self) -> SessionStatus {
        let inner = self.inner.lock().await;
        SessionStatus {
            signed_in: inner.user.is_some(),
            user: inner.user.clone(),
            remembered: inner.remembered,
            keychain_warning: inner.keychain_warning.clone(),
            tenant: inner
                .tenant
                .clone()
                .unwrap_or_else(|| self.default_tenant()),
        }
    }

    /// Read who was signed in and their refresh token from the keychain. No network.
    pub async fn restore(&self) -> SessionStatus {
        if let Some(pointer) = self.read_pointer() {
            let store = self.store.clone();
            let account = pointer.account.clone();
            let loaded =
                tokio::task::spawn_blocking(move || store::load_refresh_token(&*store, &account))
                    .await
                    .unwrap_or_else(|e| Err(Error::internal(e.to_string())));
            let mut inner = self.inner.lock().await;
            match loaded {
                Ok(Some(refresh)) => {
                    inner.user = Some(User {
                        id: pointer.account,
                        display_name: pointer.display_name,
                        email: pointer.email,
                    });
                    inner.tenant = Some(pointer.tenant);
                    inner.refresh = Some(refresh);
                    inner.remembered = true;
                }
                Ok(None) => {}
                Err(e) => inner.keychain_warning = Some(e.message),
            }
        }
        self.status().await
    }

    fn read_pointer(&self) -> Option<Pointer> {
        let path = self.pointer_path.as_ref()?;
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    fn write_pointer(&self, p: &Pointer) -> Result<()> {
        let Some(path) = &self.pointer_path else {
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::internal(format!("data directory: {e}")))?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(p).unwrap_or_default())
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| Error::internal(format!("session file: {e}")))
    }

    /// After the device code (or browser) grant: learn who this is, keep the refresh token.
    pub async fn complete_sign_in(
        &self,
        mut tokens: TokenSet,
        tenant: Option<String>,
    ) -> Result<SessionStatus> {
        let tenant = tenant.unwrap_or_else(|| self.default_tenant());
        let user = match self.devops.profile_me(&tokens.access_token).await {
            // Refused (203, 401) although seconds old: refresh once, as every other call does.
            Err(e) if e.code == ErrorCode::SessionExpired && tokens.refresh_token.is_some() => {
                tracing::info!("new token refused; refreshing once");
                let refresh = tokens.refresh_token.clone().expect("checked above");
                let fresh = self
                    .identity
                    .refresh(&refresh, &tenant, &self.scopes_for(Resource::Devops))
                    .await?;
                let user = self.devops.profile_me(&fresh.access_token).await?;
                tokens = TokenSet {
                    refresh_token: fresh.refresh_token.clone().or(Some(refresh)),
                    ..fresh
                };
                user
            }
            other => other?,
        };
        let mut warning = None;
        let mut remembered = false;
        if let Some(refresh) = tokens.refresh_token.clone() {
            match self.save_refresh(&user.id, refresh).await {
                Ok(()) => remembered = self.store.is_persistent(),
                Err(e) => {
                    tracing::warn!(code = %e.code, "sign-in will not be remembered");
                    warning = Some(e.message);
                }
            }
        }
        self.write_pointer(&Pointer {
            account: user.id.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            tenant: tenant.clone(),
        })?;
        {
            let mut inner = self.inner.lock().await;
            inner.refresh = tokens.refresh_token.clone();
            inner.tokens.clear();
            inner
                .tokens
                .insert((Resource::Devops, tenant.clone()), tokens);
            inner.user = Some(user);
            inner.tenant = Some(tenant);
            inner.remembered = remembered;
            inner.keychain_warning = warning;
        }
        Ok(self.status().await)
    }

    async fn save_refresh(&self, account: &str, refresh: Secret) -> Result<()> {
        let store = self.store.clone();
        let account = account.to_string();
        // keyring talks to D-Bus / the Windows API synchronously: keep it off the runtime.
        tokio::task::spawn_blocking(move || store::save_refresh_token(&*store, &account, &refresh))
            .await
            .map_err(|e| Error::internal(e.to_string()))?
    }

    pub async fn sign_out(&self) -> Result<()> {
        let account = {
            let mut inner = self.inner.lock().await;
            let account = inner.user.as_ref().map(|u| u.id.clone());
            *inner = Inner::default();
            account
        };
        if let Some(path) = &self.pointer_path {
            let _ = std::fs::remove_file(path);
        }
        if let Some(account) = account {
            let store = self.store.clone();
            tokio::task::spawn_blocking(move || store::delete_refresh_token(&*store, &account))
                .await
                .map_err(|e| Error::internal(e.to_string()))??;
        }
        Ok(())
    }

    fn scopes_for(&self, resource: Resource) -> Vec<String> {
        match resource {
            Resource::Devops => {
                let configured = &self.identity.config().scopes;
                if configured.iter().any(|s| s == DEVOPS_SCOPE) {
                    configured.clone()
                } else {
                    vec![DEVOPS_SCOPE.into(), "offline_access".into()]
                }
            }
            Resource::Arm => vec![ARM_SCOPE.into(), "offline_access".into()],
        }
    }

    /// A valid access token for `resource`, refreshing (and storing the rotated refresh
    /// token) when the cached one is missing or expired.
    pub async fn access_token(&self, resource: Resource, force_refresh: bool) -> Result<Secret> {
        self.access_token_for(resource, None, force_refresh).await
    }

    /// As [`Session::access_token`], issued by `tenant` (a directory id) instead of the
    /// tenant the person signed in to.
    pub async fn access_token_for(
        &self,
        resource: Resource,
        tenant: Option<&str>,
        force_refresh: bool,
    ) -> Result<Secret> {
        let mut inner = self.inner.lock().await;
        let tenant = tenant
            .map(str::to_owned)
            .or_else(|| inner.tenant.clone())
            .unwrap_or_else(|| self.default_tenant());
        let key = (resource, tenant.clone());
        if !force_refresh {
            if let Some(t) = inner.tokens.get(&key) {
                if t.expires_at > Instant::now() {
                    return Ok(t.access_token.clone());
                }
            }
        }
        let Some(refresh) = inner.refresh.clone() else {
            return Err(if inner.user.is_some() {
                Error::new(
                    ErrorCode::SessionExpired,
                    "Your sign-in has ended.",
                    "Sign in again.",
                )
            } else {
                not_signed_in()
            });
        };
        let tokens = match self
            .identity
            .refresh(&refresh, &tenant, &self.scopes_for(resource))
            .await
        {
            Ok(t) => t,
            // The refresh token itself was refused (expired or revoked): signed out.
            Err(e)
                if e.code == ErrorCode::SessionExpired
                    && e.details.aadsts.is_some_and(|c| c == 700082 || c == 50173) =>
            {
                inner.refresh = None;
                inner.tokens.clear();
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        if let Some(new_refresh) = tokens.refresh_token.clone() {
            if new_refresh != refresh {
                inner.refresh = Some(new_refresh.clone());
                if let Some(user) = inner.user.clone() {
                    if inner.remembered {
                        if let Err(e) = self.save_refresh(&user.id, new_refresh).await {
                            inner.remembered = false;
                            inner.keychain_warning = Some(e.message);
                        }
                    }
                }
            }
        }
        let access = tokens.access_token.clone();
        inner.tokens.insert(key, tokens);
        Ok(access)
    }

    /// Run `op` with a token; when Azure DevOps stops accepting it (203 + HTML, 401),
    /// refresh once silently and try again, then report "sign in again".
    pub async fn with_token<T, F, Fut>(&self, resource: Resource, op: F) -> Result<T>
    where
        F: Fn(Secret) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.with_token_for(resource, None, op).await
    }

    /// As [`Session::with_token`], with a token issued by `tenant`.
    pub async fn with_token_for<T, F, Fut>(
        &self,
        resource: Resource,
        tenant: Option<&str>,
        op: F,
    ) -> Result<T>
    where
        F: Fn(Secret) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let token = self.access_token_for(resource, tenant, false).await?;
        match op(token).await {
            Err(e) if e.code == ErrorCode::SessionExpired => {
                tracing::info!("token refused; refreshing once");
                let token = self.access_token_for(resource, tenant, true).await?;
                op(token).await
            }
            other => other,
        }
    }

    pub async fn user(&self) -> Result<User> {
        self.inner
            .lock()
            .await
            .user
            .clone()
            .ok_or_else(not_signed_in)
    }
}

pub fn not_signed_in() -> Error {
    Error::new(
        ErrorCode::NotSignedIn,
        "You are not signed in.",
        "Sign in with your personal Microsoft account first.",
    )
}
