//! Updates: tauri-plugin-updater, compiled in only with the `updater` feature and registered
//! only when the build carries an update key and endpoint (the `plugins.updater` section
//! merged into the configuration at build time by `scripts/bundle.sh`, which also turns the
//! feature on) and the machine policy allows updates. The decision is core's
//! (`ado_connect_core::policy::decide_updates`); this module only applies it.

use ado_connect_core::policy::{self, UpdaterBuild, UpdatesDecision};
use std::sync::Mutex;
use tauri::{Context, Manager, Runtime};

/// What the window can ask about updates: the decision, and the update found at start (the
/// `update-available` event may come before the page listens, so it is kept here too).
pub struct UpdateState {
    pub decision: UpdatesDecision,
    pub found: Mutex<Option<serde_json::Value>>,
}

/// Decide from the compiled-in configuration and the machine policy (file and registry,
/// without the user's layers). A build without the `updater` feature has no key to offer.
pub fn decide<R: Runtime>(context: &Context<R>) -> UpdatesDecision {
    let build = if cfg!(feature = "updater") {
        UpdaterBuild::from_plugin_config(context.config().plugins.0.get("updater"))
    } else {
        UpdaterBuild::default()
    };
    let machine = policy::machine_policy();
    policy::decide_updates(machine.as_ref(), &build)
}

#[cfg(not(feature = "updater"))]
pub fn register<R: Runtime>(
    builder: tauri::Builder<R>,
    _decision: &UpdatesDecision,
) -> tauri::Builder<R> {
    builder
}

#[cfg(not(feature = "updater"))]
pub fn start<R: Runtime>(app: &tauri::AppHandle<R>, decision: &UpdatesDecision) {
    tracing::info!("{}", decision.describe());
    manage(app, decision);
}

fn manage<R: Runtime>(app: &tauri::AppHandle<R>, decision: &UpdatesDecision) {
    app.manage(UpdateState {
        decision: decision.clone(),
        found: Mutex::new(None),
    });
}

/// Register the plugin when updates are on; without it the app has no update code path.
#[cfg(feature = "updater")]
pub fn register<R: Runtime>(
    builder: tauri::Builder<R>,
    decision: &UpdatesDecision,
) -> tauri::Builder<R> {
    if decision.is_on() {
        builder.plugin(tauri_plugin_updater::Builder::new().build())
    } else {
        builder
    }
}

/// Log the decision, and when updates are on check once in the background: an available
/// update is logged and announced to the window as the `update-available` event.
#[cfg(feature = "updater")]
pub fn start<R: Runtime>(app: &tauri::AppHandle<R>, decision: &UpdatesDecision) {
    tracing::info!("{}", decision.describe());
    manage(app, decision);
    if !decision.is_on() {
        return;
    }
    use tauri::Emitter;
    use tauri_plugin_updater::UpdaterExt;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut builder = app.updater_builder();
        if let Some(proxy) = policy::machine_policy().ok().and_then(|p| p.proxy_url()) {
            builder = builder.proxy(proxy);
        }
        match builder.build() {
            Ok(updater) => match updater.check().await {
                Ok(Some(update)) => {
                    tracing::info!(version = %update.version, "update available");
                    let found =
                        serde_json::json!({"version": update.version, "notes": update.body});
                    if let Some(state) = app.try_state::<UpdateState>() {
                        *state.found.lock().unwrap_or_else(|p| p.into_inner()) =
                            Some(found.clone());
                    }
                    let _ = app.emit("update-available", found);
                }
                Ok(None) => tracing::info!("no update available"),
                Err(e) => tracing::warn!(code = "update-check-failed", "update check failed: {e}"),
            },
            Err(e) => tracing::warn!(code = "update-check-failed", "updater not usable: {e}"),
        }
    });
}
