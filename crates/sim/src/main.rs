//! `ado-sim [--port 0] [--scenario FILE.toml] [--write-config PATH]`: serves the simulator on
//! 127.0.0.1, prints its base URL as the first line on stdout, logs requests to stderr and
//! stops on SIGINT or SIGTERM.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ado_sim::{Scenario, Sim, SimOptions};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "ado-sim",
    version,
    about = "Local simulator of the Microsoft identity platform, Azure DevOps and ARM"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Scenario file (TOML); the built-in demo scenario when left out.
    #[arg(long, value_name = "FILE.toml")]
    scenario: Option<PathBuf>,
    /// Write an ADO Connect config file that points every endpoint at the simulator.
    #[arg(long, value_name = "PATH")]
    write_config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let scenario = match &args.scenario {
        None => Scenario::default_demo(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Scenario::from_toml(&text))
        {
            Ok(scenario) => scenario,
            Err(error) => {
                eprintln!("ado-sim: cannot load scenario {}: {error}", path.display());
                return ExitCode::from(2);
            }
        },
    };
    let sim = match Sim::start_with_logging(
        SimOptions {
            port: args.port,
            scenario,
        },
        true,
    )
    .await
    {
        Ok(sim) => sim,
        Err(error) => {
            eprintln!("ado-sim: cannot listen on 127.0.0.1:{}: {error}", args.port);
            return ExitCode::from(1);
        }
    };
    if let Some(path) = &args.write_config {
        if let Err(error) = std::fs::write(path, sim.config_toml()) {
            eprintln!("ado-sim: cannot write {}: {error}", path.display());
            return ExitCode::from(1);
        }
        eprintln!("ado-sim: wrote config to {}", path.display());
    }
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{}", sim.base_url());
    let _ = stdout.flush();
    eprintln!("ado-sim: listening on {} (Ctrl+C to stop)", sim.base_url());

    wait_for_stop_signal().await;
    eprintln!("ado-sim: stopping");
    sim.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
