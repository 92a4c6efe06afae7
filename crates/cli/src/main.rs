//! `ado-connect`: the command line over ado-connect-core, for IT desks and scripts.
//! Every subcommand is a call into core plus presentation (text or `--json`).

mod exit;

use ado_connect_core::auth::device::PollProgress;
use ado_connect_core::auth::store::{KeyringStore, MemoryStore, SecretStore};
use ado_connect_core::config::{ConfigLoader, LoadedConfig};
use ado_connect_core::devops::{DirectoryKind, InviteAccessLevel};
use ado_connect_core::report::Report;
use ado_connect_core::service::{CheckStatus, GcmChoices, InvitationState, PatScope};
use ado_connect_core::{AdoConnect, Error, ErrorCode, APP_IDENTIFIER};
use clap::{Parser, Subcommand};
use exit::Family;
use serde::Serialize;
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    name = "ado-connect",
    version,
    about = "Connect an Azure DevOps organization to Microsoft Entra ID, and clean up after.",
    after_help = exit::HELP
)]
struct Cli {
    /// A configuration file read after the machine and user files (same as ADO_CONNECT_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Override one setting, e.g. --set identity.tenant=organizations (repeatable).
    #[arg(long = "set", global = true, value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Print results and errors as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show the effective configuration and where each value came from.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Sign in with your personal Microsoft account (device code; --browser for the fallback).
    #[command(alias = "sign-in")]
    Login {
        #[arg(long)]
        browser: bool,
        /// Keep the sign-in in memory for this command only.
        #[arg(long)]
        no_keychain: bool,
        /// Sign in to this directory (tenant id or domain): the work account after connecting.
        #[arg(long, value_name = "TENANT-ID|DOMAIN")]
        tenant: Option<String>,
    },
    /// Forget the saved sign-in.
    #[command(alias = "sign-out")]
    Logout,
    /// Who is signed in.
    Whoami,
    /// Your Azure DevOps organizations and the directory each one uses.
    Orgs {
        #[arg(long)]
        refresh: bool,
    },
    /// Owner, directory, billing and user count of one organization.
    Status {
        #[arg(long, value_name = "NAME")]
        org: String,
    },
    /// The Microsoft Entra directories you belong to (filtered by the machine policy).
    #[command(alias = "directories")]
    Tenants,
    /// Find a directory by one of its domains.
    ResolveDomain { domain: String },
    /// The checks to pass before connecting an organization to a directory.
    Preflight {
        #[arg(long, value_name = "NAME")]
        org: String,
        #[arg(long, value_name = "TENANT-ID|DOMAIN")]
        tenant: String,
    },
    /// Connect an organization to a directory (asks unless --yes; refuses without a terminal).
    Connect {
        #[arg(long, value_name = "NAME")]
        org: String,
        #[arg(long, value_name = "TENANT-ID|DOMAIN")]
        tenant: String,
        #[arg(long)]
        yes: bool,
    },
    /// Disconnect an organization from its directory (asks unless --yes).
    Disconnect {
        #[arg(long, value_name = "NAME")]
        org: String,
        #[arg(long)]
        yes: bool,
    },
    /// Members of an organization, flagging those still on personal Microsoft accounts.
    Members {
        #[arg(long, value_name = "NAME")]
        org: String,
    },
    /// Invite a directory user; --wait watches until they first sign in.
    Invite {
        #[arg(long, value_name = "NAME")]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_enum, default_value = "stakeholder")]
        access: Access,
        /// Check every few seconds (bounded backoff) until the user has signed in.
        #[arg(long)]
        wait: bool,
        /// Give up waiting after this many seconds.
        #[arg(long, default_value_t = 3600)]
        timeout: u64,
    },
    /// Personal access tokens for tools that used alternate credentials.
    Pat {
        #[command(subcommand)]
        action: PatAction,
    },
    /// What ADO Connect did, when, to which organization; --save DIR writes JSON and text.
    Report {
        #[arg(long, value_name = "DIR")]
        save: Option<PathBuf>,
    },
    /// Git Credential Manager caches on this machine (for a fleet: run from a login script).
    /// Exit status: 0 cleaned, 10 nothing to clean, 20 partly done, 1 error.
    Gcm {
        #[command(subcommand)]
        action: GcmAction,
    },
    /// The app's log files (daily, 14 kept, no secrets).
    Logs {
        #[command(subcommand)]
        action: LogsAction,
    },
    /// A summary for support: version, OS, configuration sources, the last errors with their
    /// codes and correlation ids. Never a token. Works even when the configuration is refused.
    Diagnostics,
}

#[derive(Subcommand)]
enum LogsAction {
    /// Print the folder the app writes its logs to.
    Path,
}

#[derive(Subcommand)]
enum PatAction {
    /// Create a token; it is printed once and kept nowhere.
    Create {
        #[arg(long, value_name = "NAME")]
        org: String,
        #[arg(long)]
        name: String,
        /// Permissions (comma-separated or repeated); the default is code-read.
        #[arg(long = "scopes", alias = "scope", value_enum, value_delimiter = ',')]
        scopes: Vec<Scope>,
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
}

#[derive(Subcommand)]
enum ConfigAction {
    Show,
    /// Set a setting in your user file (comments kept, the old file kept as .bak). Settable:
    /// network.proxy.
    Set {
        key: String,
        value: String,
    },
    /// Remove a setting from your user file (the default, or the machine policy, applies).
    Unset {
        key: String,
    },
}

#[derive(Subcommand)]
enum GcmAction {
    /// List what both caches hold (all organizations, or those named).
    Scan {
        #[arg(long = "org", value_name = "NAME")]
        orgs: Vec<String>,
    },
    /// Forget the cached directory of organizations, after a backup.
    Clean {
        #[arg(
            long = "org",
            value_name = "NAME",
            required_unless_present = "all_orgs"
        )]
        orgs: Vec<String>,
        /// Every organization found in the caches.
        #[arg(long, conflicts_with = "orgs")]
        all_orgs: bool,
        /// Show what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Remove the whole legacy tenant.cache file (after a backup).
        #[arg(long)]
        whole_file: bool,
        /// Also remove the user name bound to the organization.
        #[arg(long)]
        unbind_username: bool,
        /// Also ask Git's credential helpers to forget the saved password.
        #[arg(long)]
        forget_password: bool,
    },
    /// Put a backup made by `clean` back.
    Restore { backup: PathBuf },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Access {
    Stakeholder,
    Basic,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Scope {
    CodeRead,
    CodeWrite,
    PackagingRead,
    WorkItemsRead,
    BuildRead,
}

impl From<Scope> for PatScope {
    fn from(s: Scope) -> Self {
        match s {
            Scope::CodeRead => PatScope::CodeRead,
            Scope::CodeWrite => PatScope::CodeWrite,
            Scope::PackagingRead => PatScope::PackagingRead,
            Scope::WorkItemsRead => PatScope::WorkItemsRead,
            Scope::BuildRead => PatScope::BuildRead,
        }
    }
}

fn main() {
    let cli = Cli::parse();
    let json = cli.json;
    let family = Family::of(&cli.command);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            report_error(&e, json);
            family.exit_code(&e)
        }
    };
    std::process::exit(code);
}

fn report_error(e: &Error, json: bool) {
    if json {
        let mut v = serde_json::to_value(e).unwrap_or_default();
        v["event"] = json!("error");
        eprintln!("{v}");
    } else {
        eprintln!(
            "error[{}]: {}\n  what to do: {}",
            e.code, e.message, e.remedy
        );
        if let Some(c) = &e.details.correlation_id {
            eprintln!("  correlation id: {c}");
        }
    }
}

fn print<T: Serialize>(json: bool, value: &T, text: impl FnOnce() -> String) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    } else {
        print!("{}", text());
    }
}

/// `config set` / `config unset`: the user's file, checked against the machine policy.
fn config_set(key: &str, value: &str, json: bool) -> Result<i32, Error> {
    let path = ado_connect_core::config::save_user_setting(key, value)?;
    let set = !value.trim().is_empty();
    print(json, &json!({"file": path, "key": key, "set": set}), || {
        if set {
            format!("Set {key} in {}\n", path.display())
        } else {
            format!("Removed {key} from {}\n", path.display())
        }
    });
    Ok(0)
}

fn load_config(cli: &Cli) -> Result<LoadedConfig, Error> {
    let mut loader = ConfigLoader::standard().with_overrides(cli.set.clone());
    if let Some(path) = &cli.config {
        loader.env = Some(path.clone());
    }
    loader.load()
}

/// The keychain service name: the app identifier, shared with the desktop app. A separate
/// name (ADO_CONNECT_KEYCHAIN_SERVICE) keeps a second profile, or a test, apart.
fn keychain_service() -> String {
    std::env::var("ADO_CONNECT_KEYCHAIN_SERVICE")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| APP_IDENTIFIER.to_string())
}

fn data_dir() -> Option<PathBuf> {
    std::env::var_os("ADO_CONNECT_DATA_DIR")
        .map(PathBuf::from)
        .or_else(ado_connect_core::default_data_dir)
}

async fn run(cli: Cli) -> Result<i32, Error> {
    if matches!(cli.command, Command::Logs { .. } | Command::Diagnostics) {
        return support_command(&cli);
    }
    let json = cli.json;
    if let Command::Config { action } = &cli.command {
        let change = match action {
            ConfigAction::Set { key, value } => Some((key, value.as_str())),
            ConfigAction::Unset { key } => Some((key, "")),
            ConfigAction::Show => None,
        };
        if let Some((key, value)) = change {
            return config_set(key, value, json);
        }
    }
    let loaded = load_config(&cli)?;
    if let Command::Config {
        action: ConfigAction::Show,
    } = &cli.command
    {
        print(json, &loaded, || loaded.render_text());
        return Ok(0);
    }
    let no_keychain = matches!(
        cli.command,
        Command::Login {
            no_keychain: true,
            ..
        }
    );
    let store: Arc<dyn SecretStore> = if no_keychain {
        Arc::new(MemoryStore::default())
    } else {
        Arc::new(KeyringStore::new(keychain_service()))
    };
    let app = AdoConnect::new(
        loaded.config.clone(),
        store,
        data_dir().filter(|_| !no_keychain),
    );
    if let Command::Gcm { action } = &cli.command {
        // The caches are local files: no sign-in, no network.
        return gcm_command(&app, action, json);
    }
    if let Command::Report { save } = &cli.command {
        let report = data_dir()
            .map(|d| Report::load(&d))
            .transpose()?
            .unwrap_or_default();
        match save {
            Some(dir) => {
                let (j, t) = report.save(dir)?;
                print(json, &json!({"json": j, "text": t}), || {
                    format!("Saved {} and {}\n", j.display(), t.display())
                });
            }
            None => print(json, &report, || report.render_text()),
        }
        return Ok(0);
    }
    let status = app.session.restore().await;
    if let Some(w) = &status.keychain_warning {
        eprintln!("warning: {w}");
    }
    match cli.command {
        Command::Config { .. }
        | Command::Gcm { .. }
        | Command::Report { .. }
        | Command::Logs { .. }
        | Command::Diagnostics => {
            unreachable!("handled above")
        }
        Command::Login {
            browser, tenant, ..
        } => login(&app, browser, tenant, json).await?,
        Command::Logout => {
            app.sign_out().await?;
            print(json, &json!({"signedIn": false}), || "Signed out.\n".into());
        }
        Command::Whoami => {
            print(json, &status, || match &status.user {
                Some(u) => format!("{} <{}>\n", u.display_name, u.email),
                None => "Not signed in.\n".into(),
            });
            if !status.signed_in {
                return Ok(1);
            }
        }
        Command::Orgs { refresh } => {
            let orgs = app.list_organizations(refresh).await?;
            print(json, &orgs, || {
                orgs.iter()
                    .map(|o| {
                        let dir = match (&o.directory.kind, &o.directory.tenant_id) {
                            (_, Some(t)) => format!("directory {t}"),
                            (DirectoryKind::Personal, _) => "personal Microsoft accounts".into(),
                            _ => "directory unknown".into(),
                        };
                        format!(
                            "{}\t{}\t{}\n",
                            o.name,
                            if o.owned { "owner" } else { "member" },
                            dir
                        )
                    })
                    .collect()
            });
        }
        Command::Status { org } => {
            let d = app.organization_details(&org).await?;
            print(json, &d, || {
                format!(
                    "{}\nowner: {}\ndirectory: {}\nusers: {}\nbilling: {}\n",
                    d.organization.name,
                    d.owner,
                    d.organization
                        .directory
                        .tenant_id
                        .as_deref()
                        .unwrap_or("personal Microsoft accounts"),
                    d.user_count,
                    if d.billing.linked {
                        "linked to an Azure subscription"
                    } else {
                        "not set up"
                    }
                )
            });
        }
        Command::Tenants => {
            let dirs = app.list_directories().await?;
            print(json, &dirs, || {
                dirs.iter()
                    .map(|d| {
                        format!(
                            "{}\t{}\t{}\n",
                            d.tenant_id, d.display_name, d.default_domain
                        )
                    })
                    .collect()
            });
        }
        Command::ResolveDomain { domain } => {
            let d = app.resolve_domain(&domain).await?;
            print(json, &d, || {
                format!("{}\t{}\n", d.tenant_id, d.default_domain)
            });
        }
        Command::Preflight { org, tenant } => {
            let tenant = app.resolve_directory(&tenant).await?;
            let checks = app.preflight(&org, &tenant).await?;
            print_checks(json, &checks);
            if checks.iter().any(|c| c.status == CheckStatus::Fail) {
                return Ok(exit::PREFLIGHT_FAILED);
            }
        }
        Command::Connect { org, tenant, yes } => {
            let tenant = app.resolve_directory(&tenant).await?;
            let checks = app.preflight(&org, &tenant).await?;
            if checks.iter().any(|c| c.status == CheckStatus::Fail) {
                print_checks(json, &checks);
                eprintln!("Not connecting: a pre-flight check failed. Nothing was changed.");
                return Ok(exit::PREFLIGHT_FAILED);
            }
            confirm_or_refuse(yes, &format!("Connect {org} to directory {tenant}? [y/N] "))?;
            let mut progress = |step: &str| eprintln!("{step}…");
            let outcome = app.connect(&org, &tenant, &mut progress).await?;
            print(json, &outcome, || {
                format!(
                    "{} is now connected to directory {}{}\n",
                    outcome.org,
                    outcome.tenant_id,
                    if outcome.verified {
                        " (verified)"
                    } else {
                        " (not yet visible: Microsoft can take a while; check with `ado-connect status`)"
                    }
                )
            });
            if !outcome.verified {
                return Ok(exit::NOT_VERIFIED);
            }
        }
        Command::Disconnect { org, yes } => {
            confirm_or_refuse(yes, &format!("Disconnect {org} from its directory? [y/N] "))?;
            let mut progress = |step: &str| eprintln!("{step}…");
            let outcome = app.disconnect(&org, &mut progress).await?;
            print(json, &outcome, || {
                format!("{} is disconnected from its directory\n", outcome.org)
            });
            if !outcome.verified {
                return Ok(exit::NOT_VERIFIED);
            }
        }
        Command::Members { org } => {
            let members = app.list_members(&org).await?;
            print(json, &members, || {
                members
                    .iter()
                    .map(|m| {
                        format!(
                            "{}\t{}\t{}{}\n",
                            m.display_name,
                            m.email,
                            m.origin,
                            if m.disconnected { "\tdisconnected" } else { "" }
                        )
                    })
                    .collect()
            });
        }
        Command::Invite {
            org,
            email,
            access,
            wait,
            timeout,
        } => {
            let level = match access {
                Access::Stakeholder => InviteAccessLevel::Stakeholder,
                Access::Basic => InviteAccessLevel::Basic,
            };
            let mut inv = app.invite_user(&org, &email, level).await?;
            if wait {
                inv = app
                    .watch_invitation(&org, &email, Duration::from_secs(timeout), &mut |i| {
                        eprintln!("{}: {:?}", i.email, i.state)
                    })
                    .await?;
            }
            print(json, &inv, || format!("{}: {:?}\n", inv.email, inv.state));
            if wait && inv.state != InvitationState::SignedIn {
                return Ok(exit::NOT_VERIFIED);
            }
        }
        Command::Pat {
            action:
                PatAction::Create {
                    org,
                    name,
                    scopes,
                    days,
                },
        } => {
            let scopes: Vec<PatScope> = scopes.into_iter().map(Into::into).collect();
            let created = app.create_pat(&org, &name, &scopes, days).await?;
            // The token goes to stdout once and nowhere else.
            print(
                json,
                &json!({"name": created.name, "validTo": created.valid_to, "token": created.token.expose()}),
                || {
                    format!(
                        "{}\n\nToken \"{}\", valid to {}. Copy it now: it is not shown again.\n",
                        created.token.expose(),
                        created.name,
                        created.valid_to
                    )
                },
            );
        }
    }
    Ok(0)
}

async fn login(
    app: &AdoConnect,
    browser: bool,
    tenant: Option<String>,
    json: bool,
) -> Result<(), Error> {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            c.cancel();
        }
    });
    let tenant_id = match &tenant {
        Some(t) => Some(app.resolve_directory(t).await?),
        None => None,
    };
    let status = if browser {
        app.sign_in_with_browser(
            |url| {
                if json {
                    println!("{}", json!({"event": "browser", "url": url}));
                } else {
                    eprintln!("Open this address in your browser to sign in:\n  {url}");
                }
                Ok(())
            },
            &cancel,
            tenant_id.as_deref(),
        )
        .await?
    } else {
        let auth = match &tenant_id {
            Some(t) => app.start_sign_in_to(t).await?,
            None => app.start_sign_in().await?,
        };
        let expires_at =
            chrono::Utc::now() + chrono::Duration::from_std(auth.expires_in).unwrap_or_default();
        if json {
            println!(
                "{}",
                json!({"event": "device_code", "user_code": auth.user_code, "verification_uri": auth.verification_uri,
                       "expires_at": expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)})
            );
        } else {
            eprintln!(
                "To sign in, open {} and enter the code {}",
                auth.verification_uri, auth.user_code
            );
        }
        let mut progress = |p: PollProgress| {
            if let PollProgress::SlowDown { interval } = p {
                eprintln!(
                    "(the service asked to check less often: every {} s)",
                    interval.as_secs()
                );
            }
        };
        app.finish_sign_in(&auth, &cancel, &mut progress).await?
    };
    if let Some(w) = &status.keychain_warning {
        eprintln!("warning: {w}");
    }
    let user = status.user.clone().expect("signed in");
    if json {
        println!(
            "{}",
            json!({"event": "signed_in", "display_name": user.display_name, "email": user.email, "remembered": status.remembered})
        );
    } else {
        println!("Signed in as {} <{}>", user.display_name, user.email);
    }
    Ok(())
}

fn print_checks(json: bool, checks: &[ado_connect_core::service::Check]) {
    print(json, &checks, || {
        checks
            .iter()
            .map(|c| {
                let mut s = format!("[{}] {}: {}\n", c.status, c.title, c.detail);
                for a in &c.affected {
                    s.push_str(&format!("    - {a}\n"));
                }
                s
            })
            .collect()
    });
}

/// `--yes`, or a "y" typed at a terminal. Without a terminal and without `--yes`: refuse.
fn confirm_or_refuse(yes: bool, question: &str) -> Result<(), Error> {
    if yes {
        return Ok(());
    }
    let refused = || {
        Error::new(
            ErrorCode::InvalidInput,
            "Nothing was changed: the change was not confirmed.",
            "Answer y at the prompt, or pass --yes in scripts.",
        )
    };
    if !std::io::stdin().is_terminal() {
        return Err(refused());
    }
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::internal(e.to_string()))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
        Ok(())
    } else {
        Err(refused())
    }
}

/// `logs path` and `diagnostics`: no sign-in, no network, and no need for a valid configuration.
fn support_command(cli: &Cli) -> Result<i32, Error> {
    use ado_connect_core::diagnostics;
    let log_dir = diagnostics::default_log_dir();
    match cli.command {
        Command::Logs {
            action: LogsAction::Path,
        } => {
            let dir =
                log_dir.ok_or_else(|| Error::internal("no home directory to find the logs in"))?;
            print(cli.json, &json!({"path": dir}), || {
                format!("{}\n", dir.display())
            });
        }
        _ => {
            let loaded = load_config(cli);
            let summary = diagnostics::collect(diagnostics::Inputs {
                config: loaded.as_ref(),
                log_dir: log_dir.as_deref(),
                updates: None,
            });
            print(cli.json, &summary, || summary.render_text());
        }
    }
    Ok(0)
}

/// `gcm scan|clean|restore`; returns the exit status (0 cleaned, 10 nothing, 20 partly).
fn gcm_command(app: &AdoConnect, action: &GcmAction, json: bool) -> Result<i32, Error> {
    match action {
        GcmAction::Scan { orgs } => {
            let options = app.gcm_options(orgs.clone(), GcmChoices::default())?;
            let mut scan = ado_connect_core::gcm::scan(&options)?;
            if !orgs.is_empty() {
                scan.legacy_entries
                    .retain(|e| orgs.iter().any(|o| e.belongs_to(o)));
                scan.git_entries
                    .retain(|e| orgs.iter().any(|o| e.belongs_to(o)));
                scan.organizations
                    .retain(|n| orgs.iter().any(|o| o.eq_ignore_ascii_case(n)));
            }
            print(json, &scan, || scan.to_string());
            Ok(0)
        }
        GcmAction::Clean {
            orgs,
            all_orgs,
            dry_run,
            whole_file,
            unbind_username,
            forget_password,
        } => {
            let choices = GcmChoices {
                whole_legacy_file: *whole_file,
                unbind_username: *unbind_username,
                reject_saved_password: *forget_password,
            };
            let orgs = if *all_orgs {
                let options = app.gcm_options(vec![], choices)?;
                ado_connect_core::gcm::scan(&options)?.organizations
            } else {
                orgs.clone()
            };
            let plan = app.gcm_plan(orgs, choices)?;
            if *dry_run {
                print(json, &plan, || plan.to_string());
                return Ok(if plan.changes.is_empty() {
                    exit::GCM_NOTHING
                } else {
                    0
                });
            }
            if plan.changes.is_empty() {
                print(json, &plan, || format!("{plan}Nothing to clean.\n"));
                return Ok(exit::GCM_NOTHING);
            }
            let outcome = app.gcm_apply(&plan, choices)?;
            print(json, &outcome, || outcome.to_string());
            Ok(if outcome.failed_count() > 0 {
                exit::GCM_PARTLY
            } else if outcome.changed_anything() {
                0
            } else {
                exit::GCM_NOTHING
            })
        }
        GcmAction::Restore { backup } => {
            let outcome = app.gcm_restore(backup)?;
            print(json, &outcome, || outcome.to_string());
            Ok(0)
        }
    }
}
