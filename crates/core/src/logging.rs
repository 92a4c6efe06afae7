//! Logs: daily files in the log directory, 14 kept, through tracing-appender. Secrets are
//! `Secret`s and print `[redacted]`; request URLs are logged without query strings.

use std::path::Path;

/// Install a subscriber writing to `dir/ado-connect.YYYY-MM-DD.log`. Keep the guard alive
/// for the life of the process, or buffered lines are lost.
pub fn init_file_logging(
    dir: &Path,
    filter: &str,
) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("ado-connect")
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir)
        .ok()?;
    // The default queue holds 128,000 lines, allocated and touched up front (4 MB resident in
    // an app that logs a few lines a minute: docs/benchmarks.md, figure 2). 1,024 lines is ample;
    // when full, the caller waits for the writer rather than losing a line.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(1024)
        .lossy(false)
        .finish(appender);
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ADO_CONNECT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter)),
        )
        .with_ansi(false)
        .with_writer(writer)
        .finish();
    tracing::subscriber::set_global_default(subscriber).ok()?;
    Some(guard)
}
