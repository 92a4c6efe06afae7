//! Running the real `git`: an argument vector, never a shell, with a deadline, so a name can
//! never be read as a command and a hung credential helper cannot hang the app.

use crate::error::{Error, ErrorCode, Result};
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long one git run may take. `git config` answers in milliseconds; the limit is for a
/// credential helper that waits on something it should not (a dialog, a locked keyring).
const GIT_TIMEOUT: Duration = Duration::from_secs(60);

/// The git program that owns the global config, and the environment it runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitCommand {
    program: PathBuf,
    env: BTreeMap<String, OsString>,
    timeout: Duration,
}

/// What one git run returned.
#[derive(Debug)]
pub(crate) struct GitOutput {
    /// `None` when git was ended by a signal.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl GitOutput {
    pub fn succeeded(&self) -> bool {
        self.code == Some(0)
    }
}

impl GitCommand {
    /// `program` is the `gcm.git` setting: `git` (looked up on PATH) or a full path.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        GitCommand {
            program: program.into(),
            env: BTreeMap::new(),
            timeout: GIT_TIMEOUT,
        }
    }

    /// Adds variables on top of this process's environment for every git run. Empty in the
    /// app, so the user's own `GIT_CONFIG_GLOBAL` and `HOME` apply; tests point them at a
    /// temporary folder without touching this process's environment.
    pub fn with_env(mut self, env: &BTreeMap<String, OsString>) -> Self {
        self.env
            .extend(env.iter().map(|(k, v)| (k.clone(), v.clone())));
        self
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// `git --version`: proves the configured git can be started.
    pub fn version(&self) -> Result<String> {
        let out = self.run(&["--version"], None)?;
        if !out.succeeded() {
            return Err(self.failed("--version", &out));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Runs git with `args`, feeding `stdin` when given. A non-zero exit is not an error here:
    /// `git config` uses exit codes 1 and 5 to say "no such key", which callers decide about.
    pub(crate) fn run<S: AsRef<OsStr>>(
        &self,
        args: &[S],
        stdin: Option<&[u8]>,
    ) -> Result<GitOutput> {
        let mut command = Command::new(&self.program);
        command
            .args(args)
            .envs(&self.env)
            // Never prompt: this runs without a terminal, and a prompt would only hang.
            .env("GIT_TERMINAL_PROMPT", "0")
            // Outside any repository, so a repository's local config (a local credential
            // helper, a local include) cannot change what a machine-wide cleanup does.
            .current_dir(std::env::temp_dir())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());

        let mut child = command.spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                self.not_found()
            } else {
                Error::new(
                    ErrorCode::GitFailed,
                    format!(
                        "Git could not be started ({}): {e}.",
                        self.program.display()
                    ),
                    "Check the gcm.git setting and that the git program can be run.",
                )
            }
        })?;

        // Feed stdin and drain both pipes on their own threads: a child that fills one pipe
        // while we wait on another would otherwise deadlock.
        let writer = match (child.stdin.take(), stdin) {
            (Some(mut pipe), Some(bytes)) => {
                let bytes = bytes.to_vec();
                Some(thread::spawn(move || {
                    let _ = pipe.write_all(&bytes);
                }))
            }
            _ => None,
        };
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());

        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(Error::new(
                        ErrorCode::GitFailed,
                        format!(
                            "Git did not finish within {} seconds and was stopped.",
                            self.timeout.as_secs()
                        ),
                        "A credential helper may be waiting for input. Close any Git or \
                         credential dialogs and try again.",
                    ));
                }
                Err(e) => {
                    let _ = child.kill();
                    return Err(Error::new(
                        ErrorCode::GitFailed,
                        format!("Waiting for git failed: {e}."),
                        "Try again.",
                    ));
                }
            }
        };
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        Ok(GitOutput {
            code: status.code(),
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        })
    }

    pub(crate) fn not_found(&self) -> Error {
        Error::new(
            ErrorCode::GitNotFound,
            format!("Git was not found (looked for {}).", self.program.display()),
            "Install Git, or set gcm.git in the settings to the full path of the git program.",
        )
    }

    /// A git run that failed for a reason the caller did not expect. Git's own words are
    /// kept (trimmed): they name the file or key it could not change.
    pub(crate) fn failed(&self, what: &str, out: &GitOutput) -> Error {
        let said = String::from_utf8_lossy(&out.stderr);
        let said: String = said.trim().chars().take(400).collect();
        let code = out
            .code
            .map_or_else(|| "a signal".to_owned(), |c| format!("exit code {c}"));
        Error::new(
            ErrorCode::GitFailed,
            if said.is_empty() {
                format!("git {what} failed ({code}).")
            } else {
                format!("git {what} failed ({code}): {said}")
            },
            "Check that the global git config file can be read and written, then try again.",
        )
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buffer = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buffer);
        }
        buffer
    })
}
