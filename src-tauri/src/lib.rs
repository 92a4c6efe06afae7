//! The Tauri shell: builds the window, holds core's `AdoConnect`, and exposes thin commands.

mod commands;
mod updater;

use ado_connect_core::auth::store::KeyringStore;
use ado_connect_core::config::{ConfigLoader, LoadedConfig};
use ado_connect_core::{AdoConnect, Error, APP_IDENTIFIER};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use tauri::Manager;
use tokio_util::sync::CancellationToken;

pub struct AppState {
    /// Core and the configuration it was built from; replaced when a setting is saved.
    current: RwLock<Current>,
    data_dir: Option<PathBuf>,
    log_dir: PathBuf,
    sign_in: Mutex<Option<CancellationToken>>,
}

#[derive(Clone)]
pub struct Current {
    core: Result<Arc<AdoConnect>, Error>,
    loaded: Option<LoadedConfig>,
}

impl AppState {
    fn core(&self) -> Result<Arc<AdoConnect>, Error> {
        self.current().core
    }

    fn current(&self) -> Current {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Read the configuration again and build core from it; the sign-in is read back from
    /// the keychain by the new core. Operations already running finish on the old one.
    async fn reload(&self) -> Current {
        let next = load_current(self.data_dir.clone());
        if let Ok(core) = &next.core {
            core.session.restore().await;
        }
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = next.clone();
        next
    }
}

fn load_current(data_dir: Option<PathBuf>) -> Current {
    let loaded = ConfigLoader::standard().load();
    let core = loaded.as_ref().map(|l| {
        Arc::new(AdoConnect::new(
            l.config.clone(),
            Arc::new(KeyringStore::new(APP_IDENTIFIER)),
            data_dir,
        ))
    });
    if let Err(e) = &core {
        tracing::error!(code = %e.code, "configuration rejected: {}", e.message);
    }
    Current {
        core: core.map_err(|e| e.clone()),
        loaded: loaded.ok(),
    }
}

fn build_state(data_dir: Option<PathBuf>, log_dir: PathBuf) -> AppState {
    AppState {
        current: RwLock::new(load_current(data_dir.clone())),
        data_dir,
        log_dir,
        sign_in: Mutex::new(None),
    }
}

pub fn run() {
    let context = tauri::generate_context!();
    let updates = updater::decide(&context);
    // single-instance first, as its documentation asks.
    let builder =
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // A second launch focuses the window that is already open.
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }));
    updater::register(builder, &updates)
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            let log_dir = app
                .path()
                .app_log_dir()
                .unwrap_or_else(|_| std::env::temp_dir().join(APP_IDENTIFIER));
            if let Some(guard) = ado_connect_core::logging::init_file_logging(&log_dir, "info") {
                // The guard must live as long as the app: leak it on purpose.
                Box::leak(Box::new(guard));
            }
            tracing::info!(version = ado_connect_core::VERSION, "ADO Connect starting");
            updater::start(app.handle(), &updates);
            let data_dir = std::env::var_os("ADO_CONNECT_DATA_DIR")
                .map(PathBuf::from)
                .or_else(|| app.path().app_data_dir().ok());
            app.manage(build_state(data_dir, log_dir));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::session_status,
            commands::sign_in_start,
            commands::sign_in_cancel,
            commands::sign_in_browser,
            commands::sign_out,
            commands::list_organizations,
            commands::organization_details,
            commands::list_directories,
            commands::resolve_domain,
            commands::preflight,
            commands::connect_organization,
            commands::disconnect_organization,
            commands::list_members,
            commands::invite_user,
            commands::invitation_status,
            commands::open_link,
            commands::resume,
            commands::create_pat,
            commands::save_report,
            commands::gcm_plan,
            commands::gcm_apply,
            commands::gcm_restore,
            commands::open_logs_folder,
            commands::diagnostics_summary,
            commands::update_available,
            commands::save_proxy,
        ])
        .run(context)
        .expect("error while running ADO Connect");
}
