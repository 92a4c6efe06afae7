//! Thin commands over core (see docs/ipc.md). Each takes state and arguments, calls core,
//! and returns core's result; errors cross IPC as core's `Error` (code, message, remedy).

use crate::AppState;
use ado_connect_core::arm::Directory;
use ado_connect_core::auth::device::PollProgress;
use ado_connect_core::devops::InviteAccessLevel;
use ado_connect_core::gcm::{GcmOutcome, GcmPlan, RestoreOutcome};
use ado_connect_core::service::GcmChoices;
use ado_connect_core::service::{
    Check, ConnectOutcome, Invitation, Member, Organization, OrganizationDetails,
};
use ado_connect_core::session::SessionStatus;
use ado_connect_core::Error;
use serde::Serialize;
use serde_json::json;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_opener::OpenerExt;
use tokio_util::sync::CancellationToken;

type Result<T> = std::result::Result<T, Error>;

/// Every error a command returns is logged with its code and correlation id (never a
/// token), so "Copy diagnostic summary" can list the last ones.
fn logged<T>(command: &str, r: Result<T>) -> Result<T> {
    if let Err(e) = &r {
        ado_connect_core::diagnostics::log_error(command, e);
    }
    r
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    demo: bool,
    config_sources: Vec<String>,
    log_dir: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    config_error: Option<Error>,
    /// The proxy in effect, without credentials, and where it comes from.
    proxy: String,
    /// The proxy the user set in Settings (empty: none); empty too when policy fixes it.
    user_proxy: String,
    /// Settings fixed by the organization (machine policy), e.g. `identity.tenant`.
    enforced: Vec<String>,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    app_info_of(&state.current(), &state.log_dir)
}

fn app_info_of(current: &crate::Current, log_dir: &std::path::Path) -> AppInfo {
    let loaded = current.loaded.as_ref();
    let demo = loaded
        .map(|l| ado_connect_core::config::is_loopback_url(&l.config.identity.authority_host))
        .unwrap_or(false);
    AppInfo {
        version: ado_connect_core::VERSION,
        demo,
        config_sources: loaded
            .map(|l| l.files.iter().map(|f| f.display().to_string()).collect())
            .unwrap_or_default(),
        log_dir: log_dir.display().to_string(),
        config_error: current.core.as_ref().err().cloned(),
        proxy: ado_connect_core::http::describe_proxy(
            loaded.and_then(|l| l.config.proxy_url()).as_ref(),
            loaded.is_some_and(|l| l.is_enforced("network.proxy")),
        ),
        user_proxy: loaded.map(|l| l.user_proxy()).unwrap_or_default(),
        enforced: loaded.map(|l| l.enforced.clone()).unwrap_or_default(),
    }
}

/// Settings: save the proxy (empty: none of our own, the environment's applies) in the
/// user's file and use it from now on. Returns the new `app_info`.
#[tauri::command]
pub async fn save_proxy(state: State<'_, AppState>, proxy: String) -> Result<AppInfo> {
    logged(
        "save_proxy",
        async {
            if state
                .sign_in
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_some()
            {
                return Err(Error::new(
                    ado_connect_core::ErrorCode::InvalidInput,
                    "A sign-in is in progress.",
                    "Finish or cancel the sign-in, then save the proxy.",
                ));
            }
            ado_connect_core::config::save_user_setting("network.proxy", &proxy)?;
            let current = state.reload().await;
            if let Err(e) = &current.core {
                return Err(e.clone());
            }
            Ok(app_info_of(&current, &state.log_dir))
        }
        .await,
    )
}

#[tauri::command]
pub async fn session_status(state: State<'_, AppState>) -> Result<SessionStatus> {
    Ok(state.core()?.session.restore().await)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInStarted {
    user_code: String,
    verification_uri: String,
    expires_in: u64,
    interval: u64,
    message: String,
}

/// Start the device-code sign-in; polling runs in Rust and reports `sign-in-progress`.
#[tracing::instrument(skip_all)]
#[tauri::command]
pub async fn sign_in_start(
    app: AppHandle,
    state: State<'_, AppState>,
    tenant_id: Option<String>,
) -> Result<SignInStarted> {
    let core = state.core()?;
    let cancel = CancellationToken::new();
    if let Some(previous) = state.sign_in.lock().expect("lock").replace(cancel.clone()) {
        previous.cancel();
    }
    let auth = match &tenant_id {
        Some(t) => core.start_sign_in_to(t).await?,
        None => core.start_sign_in().await?,
    };
    let started = SignInStarted {
        user_code: auth.user_code.clone(),
        verification_uri: auth.verification_uri.clone(),
        expires_in: auth.expires_in.as_secs(),
        interval: auth.interval.as_secs(),
        message: auth.message.clone(),
    };
    tauri::async_runtime::spawn(async move {
        let emitter = app.clone();
        let mut progress = move |p: PollProgress| {
            let payload = match p {
                PollProgress::Waiting {
                    next_poll,
                    remaining,
                } => json!({
                    "state": "waiting", "nextPollSecs": next_poll.as_secs(), "expiresInSecs": remaining.as_secs()
                }),
                PollProgress::SlowDown { interval } => {
                    json!({"state": "slow-down", "nextPollSecs": interval.as_secs()})
                }
            };
            let _ = emitter.emit("sign-in-progress", payload);
        };
        let payload = match core.finish_sign_in(&auth, &cancel, &mut progress).await {
            Ok(status) => json!({"state": "signed-in", "user": status.user, "status": status}),
            Err(e) => json!({"state": "failed", "error": e}),
        };
        let _ = app.emit("sign-in-progress", payload);
    });
    Ok(started)
}

#[tauri::command]
pub fn sign_in_cancel(state: State<'_, AppState>) {
    if let Some(c) = state.sign_in.lock().expect("lock").take() {
        c.cancel();
    }
}

#[tauri::command]
pub async fn sign_in_browser(
    app: AppHandle,
    state: State<'_, AppState>,
    tenant_id: Option<String>,
) -> Result<SessionStatus> {
    let core = state.core()?;
    let cancel = CancellationToken::new();
    if let Some(previous) = state.sign_in.lock().expect("lock").replace(cancel.clone()) {
        previous.cancel();
    }
    core.sign_in_with_browser(
        |url| {
            app.opener()
                .open_url(url, None::<&str>)
                .map_err(|e| Error::internal(format!("cannot open the browser: {e}")))
        },
        &cancel,
        tenant_id.as_deref(),
    )
    .await
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<()> {
    logged("sign_out", async { state.core()?.sign_out().await }.await)
}

#[tauri::command]
pub async fn list_organizations(
    state: State<'_, AppState>,
    refresh: Option<bool>,
) -> Result<Vec<Organization>> {
    state
        .core()?
        .list_organizations(refresh.unwrap_or(false))
        .await
}

#[tauri::command]
pub async fn organization_details(
    state: State<'_, AppState>,
    org: String,
) -> Result<OrganizationDetails> {
    logged(
        "organization_details",
        async { state.core()?.organization_details(&org).await }.await,
    )
}

#[tauri::command]
pub async fn list_directories(state: State<'_, AppState>) -> Result<Vec<Directory>> {
    logged(
        "list_directories",
        async { state.core()?.list_directories().await }.await,
    )
}

#[tauri::command]
pub async fn resolve_domain(state: State<'_, AppState>, domain: String) -> Result<Directory> {
    logged(
        "resolve_domain",
        async { state.core()?.resolve_domain(&domain).await }.await,
    )
}

#[tauri::command]
pub async fn preflight(
    state: State<'_, AppState>,
    org: String,
    tenant_id: String,
) -> Result<Vec<Check>> {
    logged(
        "preflight",
        async { state.core()?.preflight(&org, &tenant_id).await }.await,
    )
}

#[tracing::instrument(skip(app, state))]
#[tauri::command]
pub async fn connect_organization(
    app: AppHandle,
    state: State<'_, AppState>,
    org: String,
    tenant_id: String,
) -> Result<ConnectOutcome> {
    let mut progress = |step: &str| {
        let _ = app.emit("connect-progress", json!({"step": step}));
    };
    logged(
        "connect_organization",
        async { state.core()?.connect(&org, &tenant_id, &mut progress).await }.await,
    )
}

/// Disconnect from the directory (its own confirmation in the UI).
#[tauri::command]
pub async fn disconnect_organization(
    app: AppHandle,
    state: State<'_, AppState>,
    org: String,
) -> Result<ConnectOutcome> {
    let mut progress = |step: &str| {
        let _ = app.emit("connect-progress", json!({"step": step}));
    };
    logged(
        "disconnect_organization",
        async { state.core()?.disconnect(&org, &mut progress).await }.await,
    )
}

#[tauri::command]
pub async fn list_members(state: State<'_, AppState>, org: String) -> Result<Vec<Member>> {
    logged(
        "list_members",
        async { state.core()?.list_members(&org).await }.await,
    )
}

#[tauri::command]
pub async fn invite_user(
    state: State<'_, AppState>,
    org: String,
    email: String,
    access_level: InviteAccessLevel,
) -> Result<Invitation> {
    logged(
        "invite_user",
        async { state.core()?.invite_user(&org, &email, access_level).await }.await,
    )
}

#[tauri::command]
pub async fn invitation_status(
    state: State<'_, AppState>,
    org: String,
    email: String,
) -> Result<Invitation> {
    logged(
        "invitation_status",
        async { state.core()?.invitation_status(&org, &email).await }.await,
    )
}

/// Open a link in the system browser, only if core's allowlist accepts it.
#[tauri::command]
pub fn open_link(app: AppHandle, state: State<'_, AppState>, url: String) -> Result<()> {
    let core = state.core()?;
    let url = ado_connect_core::links::check_link(&url, &core.config)?;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| Error::internal(format!("cannot open the browser: {e}")))
}

/// The saved progress, re-read against the service (resume after close or crash).
#[tauri::command]
pub async fn resume(
    state: State<'_, AppState>,
) -> Result<ado_connect_core::wizard::WizardProgress> {
    logged("resume", async { state.core()?.resume().await }.await)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatCreated {
    name: String,
    valid_to: String,
    /// Shown once by the UI; never stored or logged.
    token: String,
}

#[tauri::command]
pub async fn create_pat(
    state: State<'_, AppState>,
    org: String,
    name: String,
    scopes: Vec<ado_connect_core::service::PatScope>,
    days: u32,
) -> Result<PatCreated> {
    let created = state.core()?.create_pat(&org, &name, &scopes, days).await?;
    Ok(PatCreated {
        name: created.name,
        valid_to: created.valid_to,
        token: created.token.expose().to_string(),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedReport {
    json_path: String,
    text_path: String,
}

#[tauri::command]
pub fn save_report(app: AppHandle, state: State<'_, AppState>) -> Result<SavedReport> {
    use tauri::Manager;
    let dir = app
        .path()
        .document_dir()
        .or_else(|_| app.path().app_data_dir())
        .map_err(|e| Error::internal(format!("no folder for the report: {e}")))?;
    let (json, text) = state.core()?.save_report(&dir)?;
    Ok(SavedReport {
        json_path: json.display().to_string(),
        text_path: text.display().to_string(),
    })
}

#[tauri::command]
pub fn gcm_plan(
    state: State<'_, AppState>,
    orgs: Vec<String>,
    choices: Option<GcmChoices>,
) -> Result<GcmPlan> {
    logged(
        "gcm_plan",
        state
            .core()
            .and_then(|c| c.gcm_plan(orgs, choices.unwrap_or_default())),
    )
}

#[tauri::command]
pub fn gcm_apply(
    state: State<'_, AppState>,
    plan: GcmPlan,
    choices: Option<GcmChoices>,
) -> Result<GcmOutcome> {
    logged(
        "gcm_apply",
        state
            .core()
            .and_then(|c| c.gcm_apply(&plan, choices.unwrap_or_default())),
    )
}

/// Undo a cleanup: put a backup it made back.
#[tauri::command]
pub fn gcm_restore(state: State<'_, AppState>, backup: String) -> Result<RestoreOutcome> {
    logged(
        "gcm_restore",
        state
            .core()
            .and_then(|c| c.gcm_restore(std::path::Path::new(&backup))),
    )
}

/// Open the folder with the log files (for the IT desk).
#[tauri::command]
pub fn open_logs_folder(app: AppHandle, state: State<'_, AppState>) -> Result<()> {
    app.opener()
        .open_path(state.log_dir.display().to_string(), None::<&str>)
        .map_err(|e| Error::internal(format!("cannot open the log folder: {e}")))
}

/// "Copy diagnostic summary": version, OS, config sources, recent errors with their codes and
/// correlation ids. Never a token.
#[tauri::command]
pub fn diagnostics_summary(
    state: State<'_, AppState>,
    updates: State<'_, crate::updater::UpdateState>,
) -> String {
    let current = state.current();
    let config = match (&current.loaded, &current.core) {
        (Some(l), _) => Ok(l),
        (None, Err(e)) => Err(e),
        (None, Ok(_)) => return String::new(),
    };
    ado_connect_core::diagnostics::collect(ado_connect_core::diagnostics::Inputs {
        config,
        log_dir: Some(&state.log_dir),
        updates: Some(updates.decision.describe()),
    })
    .render_text()
}

/// The answer of the update check made at start: `{version, notes}` when a newer version was
/// found, else null. While the check runs, this waits for it.
#[tauri::command]
pub async fn update_available(
    updates: State<'_, crate::updater::UpdateState>,
) -> Result<Option<serde_json::Value>> {
    Ok(updates.answer().await)
}
