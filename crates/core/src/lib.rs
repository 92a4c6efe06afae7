//! ado-connect-core: every rule of ADO Connect. No GUI and no Tauri: the desktop app
//! (`src-tauri`) and the command line (`crates/cli`) are thin shells over this crate.

pub mod arm;
pub mod auth;
mod cache;
pub mod config;
pub mod devops;
pub mod diagnostics;
pub mod error;
pub mod gcm;
pub mod http;
pub mod links;
pub mod logging;
pub mod policy;
pub mod report;
pub mod secret;
pub mod service;
pub mod session;
pub mod wizard;

pub use error::{Error, ErrorCode, Result};
pub use secret::Secret;
pub use service::AdoConnect;

/// The app identifier: the keychain service name and the data directory name.
pub const APP_IDENTIFIER: &str = "com.adoconnect.app";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The app's data directory (`~/.local/share/com.adoconnect.app` on Linux), as Tauri's
/// `app_data_dir` names it.
pub fn default_data_dir() -> Option<std::path::PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER))
}
