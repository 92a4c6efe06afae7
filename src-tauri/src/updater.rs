//! Updates: tauri-plugin-updater, compiled in only with the `updater` feature and registered
//! only when the build carries an update key and endpoint (the `plugins.updater` section
//! merged into the configuration at build time by `scripts/bundle.sh`, which also turns the
//! feature on) and the machine policy allows updates. The decision is core's
//! (`ado_connect_core::policy::decide_updates`); this module only applies it.

use ado_connect_core::policy::{self, UpdaterBuild, UpdatesDecision};
use tauri::{Context, Manager, Runtime};
use tokio::sync::watch;

/// What the window can ask about updates: the decision, and the answer of the check made at
/// start. The window asks with a command that waits for the answer, not with an event: an event
/// needs a listener registered by script evaluation, and the first evaluation starts a
/// JavaScript engine in the app process (about 3 MiB; docs/benchmarks.md, figure 2).
pub struct UpdateState {
    pub decision: UpdatesDecision,
    /// `None` while the check runs; then what it found (`Some(None)`: nothing, or no check).
    answer: watch::Sender<Option<Option<serde_json::Value>>>,
}

impl UpdateState {
    fn new(decision: &UpdatesDecision, checking: bool) -> Self {
        UpdateState {
            decision: decision.clone(),
            answer: watch::Sender::new(if checking { None } else { Some(None) }),
        }
    }

    /// The check is over: `found` is the newer version (`{version, notes}`), if any.
    #[cfg_attr(not(feature = "updater"), allow(dead_code))]
    fn finish(&self, found: Option<serde_json::Value>) {
        self.answer.send_replace(Some(found));
    }

    /// The check's answer, once it has one.
    pub async fn answer(&self) -> Option<serde_json::Value> {
        let mut rx = self.answer.subscribe();
        let answer = rx.wait_for(Option::is_some).await;
        answer.ok().and_then(|a| a.clone()).flatten()
    }
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
    app.manage(UpdateState::new(decision, false));
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
/// update is logged and kept as the answer `update_available` gives the window.
#[cfg(feature = "updater")]
pub fn start<R: Runtime>(app: &tauri::AppHandle<R>, decision: &UpdatesDecision) {
    tracing::info!("{}", decision.describe());
    app.manage(UpdateState::new(decision, decision.is_on()));
    if !decision.is_on() {
        return;
    }
    use tauri_plugin_updater::UpdaterExt;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut builder = app.updater_builder();
        if let Some(proxy) = policy::machine_policy().ok().and_then(|p| p.proxy_url()) {
            builder = builder.proxy(proxy);
        }
        let found = match builder.build() {
            Ok(updater) => match updater.check().await {
                Ok(Some(update)) => {
                    tracing::info!(version = %update.version, "update available");
                    Some(serde_json::json!({"version": update.version, "notes": update.body}))
                }
                Ok(None) => {
                    tracing::info!("no update available");
                    None
                }
                Err(e) => {
                    tracing::warn!(code = "update-check-failed", "update check failed: {e}");
                    None
                }
            },
            Err(e) => {
                tracing::warn!(code = "update-check-failed", "updater not usable: {e}");
                None
            }
        };
        app.state::<UpdateState>().finish(found);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn decision() -> UpdatesDecision {
        let policy = ado_connect_core::config::Config::default().policy;
        policy::decide_updates(Ok(&policy), &UpdaterBuild::default())
    }

    #[tokio::test]
    async fn without_a_check_the_answer_is_nothing_at_once() {
        let state = UpdateState::new(&decision(), false);
        assert_eq!(state.answer().await, None);
    }

    #[tokio::test]
    async fn the_answer_waits_for_the_check_then_gives_what_it_found() {
        let state = std::sync::Arc::new(UpdateState::new(&decision(), true));
        let asking = tokio::spawn({
            let state = state.clone();
            async move { state.answer().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!asking.is_finished(), "answered before the check was over");
        let found = serde_json::json!({"version": "0.2.0", "notes": null});
        state.finish(Some(found.clone()));
        assert_eq!(asking.await.unwrap(), Some(found.clone()));
        // Asked again later: the same answer, at once.
        assert_eq!(state.answer().await, Some(found));
    }
}
