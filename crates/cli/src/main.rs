//! `ado-connect`: the command line over ado-connect-core, for IT desks and scripts.
//! Every subcommand is a call into core plus presentation (text or `--json`).

use ado_connect_core::auth::device::PollProgress;
use ado_connect_core::auth::store::KeyringStore;
use ado_connect_core::config::{ConfigLoader, LoadedConfig};
use ado_connect_core::devops::InviteAccessLevel;
use ado_connect_core::service::GcmChoices;
use ado_connect_core::{AdoConnect, Error, ErrorCode, APP_IDENTIFIER};
use clap::{Parser, Subcommand};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    name = "ado-connect",
    version,
    about = "Connect an Azure DevOps organization to Microsoft Entra ID, and clean up after."
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
    SignIn {
        #[arg(long)]
        browser: bool,
    },
    /// Forget the saved sign-in.
    SignOut,
    /// Who is signed in.
    Status,
    /// Your Azure DevOps organizations and the directory each one uses.
    Orgs {
        #[arg(long)]
        refresh: bool,
    },
    /// Owner, directory, billing and user count of one organization.
    Org { org: String },
    /// The Microsoft Entra directories you belong to.
    Directories,
    /// Find a directory by one of its domains.
    ResolveDomain { domain: String },
    /// The checks to pass before connecting ORG to a directory.
    Preflight {
        org: String,
        #[arg(long, value_name = "TENANT-ID|DOMAIN")]
        directory: String,
    },
    /// Connect ORG to a directory (asks for confirmation unless --yes).
    Connect {
        org: String,
        #[arg(long, value_name = "TENANT-ID|DOMAIN")]
        directory: String,
        #[arg(long)]
        yes: bool,
    },
    /// Members of ORG, flagging those still on personal Microsoft accounts.
    Members { org: String },
    /// Invite a directory user to ORG.
    Invite {
        org: String,
        email: String,
        #[arg(long, value_enum, default_value = "stakeholder")]
        access: Access,
    },
    /// Whether an invited user has signed in yet.
    InvitationStatus { org: String, email: String },
    /// Git Credential Manager caches on this machine (for a fleet: run from a login script).
    /// Exit status: 0 cleaned, 10 nothing to clean, 20 partly done, 1 error.
    Gcm {
        #[command(subcommand)]
        action: GcmAction,
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

#[derive(Subcommand)]
enum ConfigAction {
    Show,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Access {
    Stakeholder,
    Basic,
}

impl From<Access> for InviteAccessLevel {
    fn from(a: Access) -> Self {
        match a {
            Access::Stakeholder => InviteAccessLevel::Stakeholder,
            Access::Basic => InviteAccessLevel::Basic,
        }
    }
}

fn main() {
    let cli = Cli::parse();
    let json = cli.json;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = match runtime.block_on(run(cli)) {
        Ok(()) => 0,
        Err(e) => {
            report_error(&e, json);
            e.code.exit_status()
        }
    };
    std::process::exit(code);
}

fn report_error(e: &Error, json: bool) {
    if json {
        eprintln!("{}", serde_json::to_string(e).unwrap_or_default());
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

fn load_config(cli: &Cli) -> Result<LoadedConfig, Error> {
    let mut loader = ConfigLoader::standard().with_overrides(cli.set.clone());
    if let Some(path) = &cli.config {
        loader.env = Some(path.clone());
    }
    loader.load()
}

fn data_dir() -> Option<PathBuf> {
    std::env::var_os("ADO_CONNECT_DATA_DIR")
        .map(PathBuf::from)
        .or_else(ado_connect_core::default_data_dir)
}

async fn run(cli: Cli) -> Result<(), Error> {
    let loaded = load_config(&cli)?;
    let json = cli.json;
    if let Command::Config {
        action: ConfigAction::Show,
    } = &cli.command
    {
        print(json, &loaded, || loaded.render_text());
        return Ok(());
    }
    let app = AdoConnect::new(
        loaded.config.clone(),
        Arc::new(KeyringStore::new(APP_IDENTIFIER)),
        data_dir(),
    );
    if let Command::Gcm { action } = &cli.command {
        // The caches are local files: no sign-in, no network.
        let code = match gcm_command(&app, action, json) {
            Ok(code) => code,
            Err(e) => {
                report_error(&e, json);
                1
            }
        };
        std::process::exit(code);
    }
    let status = app.session.restore().await;
    if let Some(w) = &status.keychain_warning {
        eprintln!("warning: {w}");
    }
    match cli.command {
        Command::Config { .. } | Command::Gcm { .. } => unreachable!("handled above"),
        Command::SignIn { browser } => {
            let cancel = CancellationToken::new();
            let c = cancel.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    c.cancel();
                }
            });
            let status = if browser {
                app.sign_in_with_browser(
                    |url| {
                        eprintln!("Open this address in your browser to sign in:\n  {url}");
                        Ok(())
                    },
                    &cancel,
                )
                .await?
            } else {
                let auth = app.start_sign_in().await?;
                eprintln!(
                    "To sign in, open {} and enter the code {}",
                    auth.verification_uri, auth.user_code
                );
                let mut progress = |p: PollProgress| {
                    if let PollProgress::SlowDown { interval } = p {
                        eprintln!(
                            "(the service asked to poll less often: every {} s)",
                            interval.as_secs()
                        );
                    }
                };
                app.finish_sign_in(&auth, &cancel, &mut progress).await?
            };
            if let Some(w) = &status.keychain_warning {
                eprintln!("warning: {w}");
            }
            print(json, &status, || {
                let u = status.user.clone().expect("signed in");
                format!("Signed in as {} <{}>\n", u.display_name, u.email)
            });
        }
        Command::SignOut => {
            app.session.sign_out().await?;
            print(json, &serde_json::json!({"signedIn": false}), || {
                "Signed out.\n".into()
            });
        }
        Command::Status => {
            print(json, &status, || match &status.user {
                Some(u) => format!("Signed in as {} <{}>\n", u.display_name, u.email),
                None => "Not signed in.\n".into(),
            });
        }
        Command::Orgs { refresh } => {
            let orgs = app.list_organizations(refresh).await?;
            print(json, &orgs, || {
                let mut out = String::new();
                for o in &orgs {
                    let dir = match (&o.directory.kind, &o.directory.tenant_id) {
                        (_, Some(t)) => format!("directory {t}"),
                        (ado_connect_core::devops::DirectoryKind::Personal, _) => {
                            "personal Microsoft accounts".into()
                        }
                        _ => "directory unknown".into(),
                    };
                    out.push_str(&format!(
                        "{}\t{}\t{}\n",
                        o.name,
                        if o.owned { "owner" } else { "member" },
                        dir
                    ));
                }
                out
            });
        }
        Command::Org { org } => {
            let d = app.organization_details(&org).await?;
            print(json, &d, || {
                format!(
                    "{}\nowner: {}\nusers: {}\nbilling: {}\n",
                    d.organization.name,
                    d.owner,
                    d.user_count,
                    if d.billing.linked {
                        "linked to an Azure subscription"
                    } else {
                        "not set up"
                    }
                )
            });
        }
        Command::Directories => {
            let dirs = app.list_directories().await?;
            print(json, &dirs, || {
                dirs.iter()
                    .map(|d| {
                        format!(
                            "{}\t{}\t{}\t{}\n",
                            d.tenant_id, d.display_name, d.default_domain, d.category
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
        Command::Preflight { org, directory } => {
            let tenant = tenant_of(&app, &directory).await?;
            let checks = app.preflight(&org, &tenant).await?;
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
        Command::Connect {
            org,
            directory,
            yes,
        } => {
            let tenant = tenant_of(&app, &directory).await?;
            if !yes && !confirm(&format!("Connect {org} to directory {tenant}? [y/N] "))? {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "Nothing was changed: the connection was not confirmed.",
                    "Run again and answer y, or pass --yes in scripts.",
                ));
            }
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
                        " (not yet visible; check again in a few minutes)"
                    }
                )
            });
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
        Command::Invite { org, email, access } => {
            let inv = app.invite_user(&org, &email, access.into()).await?;
            print(json, &inv, || {
                format!("Invited {} ({:?})\n", inv.email, inv.state)
            });
        }
        Command::InvitationStatus { org, email } => {
            let inv = app.invitation_status(&org, &email).await?;
            print(json, &inv, || format!("{}: {:?}\n", inv.email, inv.state));
        }
    }
    Ok(())
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
                return Ok(if plan.changes.is_empty() { 10 } else { 0 });
            }
            if plan.changes.is_empty() {
                print(json, &plan, || format!("{plan}Nothing to clean.\n"));
                return Ok(10);
            }
            let outcome = app.gcm_apply(&plan, choices)?;
            print(json, &outcome, || outcome.to_string());
            Ok(if outcome.failed_count() > 0 {
                20
            } else if outcome.changed_anything() {
                0
            } else {
                10
            })
        }
        GcmAction::Restore { backup } => {
            let outcome = app.gcm_restore(backup)?;
            print(json, &outcome, || outcome.to_string());
            Ok(0)
        }
    }
}

/// A tenant id as given, or the tenant of a domain.
async fn tenant_of(app: &AdoConnect, directory: &str) -> Result<String, Error> {
    if let Ok(id) = directory.parse::<uuid_like::Guid>() {
        return Ok(id.0);
    }
    Ok(app.resolve_domain(directory).await?.tenant_id)
}

mod uuid_like {
    /// A GUID as typed: 8-4-4-4-12 hex digits.
    pub struct Guid(pub String);
    impl std::str::FromStr for Guid {
        type Err = ();
        fn from_str(s: &str) -> Result<Self, ()> {
            let groups: Vec<&str> = s.split('-').collect();
            let lens = [8, 4, 4, 4, 12];
            if groups.len() == 5
                && groups
                    .iter()
                    .zip(lens)
                    .all(|(g, l)| g.len() == l && g.chars().all(|c| c.is_ascii_hexdigit()))
            {
                Ok(Guid(s.to_ascii_lowercase()))
            } else {
                Err(())
            }
        }
    }
}

fn confirm(question: &str) -> Result<bool, Error> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::internal(e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}
