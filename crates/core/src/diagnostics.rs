//! The diagnostic summary an owner pastes into a ticket ("Copy diagnostic summary" in the
//! app, `ado-connect diagnostics`): version, OS, where the configuration came from, what
//! the organization fixed, whether updates run, and the last errors from the log with their
//! codes and correlation ids. Never a token: only chosen fields of the log are copied, and
//! anything that looks like a secret is redacted on the way.

use crate::config::{LoadedConfig, Origin};
use crate::error::Error;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How many log errors the summary keeps (the newest).
pub const RECENT_ERRORS: usize = 10;
/// How much of each log file's end is read: the newest lines are what matter.
const TAIL_BYTES: u64 = 512 * 1024;

/// The app's log directory, as Tauri's `app_log_dir` names it: `~/Library/Logs/<id>` on
/// macOS, `<local data dir>/<id>/logs` elsewhere (`~/.local/share/com.adoconnect.app/logs`,
/// `%LocalAppData%\com.adoconnect.app\logs`).
pub fn default_log_dir() -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        dirs::home_dir().map(|h| h.join("Library/Logs").join(crate::APP_IDENTIFIER))
    } else {
        dirs::data_local_dir().map(|d| d.join(crate::APP_IDENTIFIER).join("logs"))
    }
}

/// Write an error to the log in the shape [`collect`] reads back: the code, Microsoft's
/// correlation id and AADSTS code when there are any, then the message. Never a token.
pub fn log_error(context: &str, e: &Error) {
    let d = &e.details;
    tracing::error!(
        code = %e.code,
        correlation_id = d.correlation_id.as_deref().unwrap_or("-"),
        aadsts = d.aadsts.map(|a| a.to_string()).as_deref().unwrap_or("-"),
        "{context}: {}",
        e.message
    );
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEvent {
    pub time: String,
    pub level: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aadsts: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostics {
    pub version: String,
    pub os: String,
    /// Each configuration layer that was read, in order, e.g. `machine policy /etc/…`.
    pub config_sources: Vec<String>,
    /// The configuration error, when the configuration was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_error: Option<String>,
    /// Keys fixed by the organization.
    pub enforced: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates: Option<String>,
    pub log_dir: Option<PathBuf>,
    pub log_files: Vec<String>,
    pub recent_errors: Vec<LogEvent>,
}

/// What the summary is built from; the app and the CLI fill it.
pub struct Inputs<'a> {
    pub config: std::result::Result<&'a LoadedConfig, &'a Error>,
    pub log_dir: Option<&'a Path>,
    /// The updater decision, when this is the app (the CLI has no updater).
    pub updates: Option<String>,
}

/// Build the summary. Reading the log never fails the summary: what cannot be read is left out.
pub fn collect(inputs: Inputs<'_>) -> Diagnostics {
    let (config_sources, config_error, enforced) = match inputs.config {
        Ok(loaded) => {
            let mut layers: Vec<Origin> = vec![];
            for origin in loaded.origins.values() {
                if !matches!(origin, Origin::Default) && !layers.contains(origin) {
                    layers.push(origin.clone());
                }
            }
            // In reading order: machine, registry, user, environment, command line.
            layers.sort_by_key(|o| match o {
                Origin::Default => 0,
                Origin::Machine(_) => 1,
                Origin::Registry => 2,
                Origin::User(_) => 3,
                Origin::Env(_) => 4,
                Origin::Flag => 5,
            });
            let mut sources: Vec<String> = layers.iter().map(|o| o.to_string()).collect();
            // Files read but setting nothing still count as read.
            for f in &loaded.files {
                if !sources
                    .iter()
                    .any(|s| s.ends_with(&f.display().to_string()))
                {
                    sources.push(format!("{} (no settings)", f.display()));
                }
            }
            if sources.is_empty() {
                sources.push("built-in defaults only".into());
            }
            (sources, None, loaded.enforced.clone())
        }
        Err(e) => (
            vec![],
            Some(redact(&format!("{} [{}]", e.message, e.code))),
            vec![],
        ),
    };
    let (log_files, recent_errors) = match inputs.log_dir {
        Some(dir) => read_log_errors(dir, RECENT_ERRORS),
        None => (vec![], vec![]),
    };
    Diagnostics {
        version: crate::VERSION.into(),
        os: os_description(),
        config_sources,
        config_error,
        enforced,
        updates: inputs.updates,
        log_dir: inputs.log_dir.map(Path::to_path_buf),
        log_files,
        recent_errors,
    }
}

fn os_description() -> String {
    let mut s = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    if let Ok(text) = std::fs::read_to_string("/etc/os-release") {
        if let Some(name) = text
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"'))
        {
            s.push_str(&format!(" ({name})"));
        }
    }
    s
}

/// The log files (newest first) and the newest `max` errors in them, oldest first.
pub fn read_log_errors(dir: &Path, max: usize) -> (Vec<String>, Vec<LogEvent>) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ado-connect") && n.ends_with(".log"))
        })
        .collect();
    // Daily names (`ado-connect.2026-11-29.log`) sort by date.
    files.sort();
    files.reverse();
    let names = files
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let mut events: Vec<LogEvent> = vec![];
    for file in &files {
        if events.len() >= max {
            break;
        }
        let mut found: Vec<LogEvent> = tail(file).lines().filter_map(parse_log_line).collect();
        // Newest file first; within it, the newest lines last.
        let keep = max - events.len();
        let start = found.len().saturating_sub(keep);
        let mut newer = std::mem::take(&mut events);
        events = found.split_off(start);
        events.append(&mut newer);
    }
    (names, events)
}

fn tail(path: &Path) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else {
        return String::new();
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len > TAIL_BYTES && f.seek(SeekFrom::Start(len - TAIL_BYTES)).is_err() {
        return String::new();
    }
    let mut bytes = vec![];
    let _ = f.take(TAIL_BYTES).read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if len > TAIL_BYTES {
        // The first line is cut: drop it.
        text.split_once('\n')
            .map(|(_, rest)| rest.to_owned())
            .unwrap_or_default()
    } else {
        text
    }
}

/// One line of the log (tracing's format: `TIME LEVEL spans: target: message key=value…`)
/// as an event, when it is an error, or a warning with an error code.
pub fn parse_log_line(line: &str) -> Option<LogEvent> {
    let mut parts = line.trim_end().splitn(3, char::is_whitespace);
    let time = parts.next()?;
    if !time.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let rest = parts.next().map(|level| (level, parts.next()))?;
    let (level, body) = match rest {
        ("", Some(body)) => {
            // Levels are padded to five characters: ` INFO`, ` WARN`.
            let body = body.trim_start();
            let (level, body) = body.split_once(char::is_whitespace)?;
            (level, body)
        }
        (level, Some(body)) => (level, body),
        (_, None) => return None,
    };
    if level != "ERROR" && level != "WARN" {
        return None;
    }
    let (fields, message) = take_fields(body);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty() && v != "-")
    };
    let code = field("code");
    if level == "WARN" && code.is_none() {
        return None;
    }
    // Drop the span and target prefix (`span{…}: module::path: `): the message follows.
    let message = strip_prefixes(&message);
    Some(LogEvent {
        time: time.to_owned(),
        level: level.to_owned(),
        code: code.map(|c| redact(&c)),
        correlation_id: field("correlation_id").map(|c| redact(&c)),
        aadsts: field("aadsts").map(|c| redact(&c)),
        message: truncate(&redact(message.trim()), 300),
    })
}

/// Split `key=value` fields (value bare, or a quoted string with escapes) off the text,
/// returning them and the rest.
fn take_fields(body: &str) -> (Vec<(String, String)>, String) {
    let mut fields = vec![];
    let mut rest = String::new();
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // A field starts at a word boundary with `name=`.
        let at_boundary = i == 0 || chars[i - 1].is_whitespace();
        if at_boundary {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if j > i && j < chars.len() && chars[j] == '=' {
                let name: String = chars[i..j].iter().collect();
                let mut k = j + 1;
                let mut value = String::new();
                if k < chars.len() && chars[k] == '"' {
                    k += 1;
                    while k < chars.len() && chars[k] != '"' {
                        if chars[k] == '\\' && k + 1 < chars.len() {
                            k += 1;
                        }
                        value.push(chars[k]);
                        k += 1;
                    }
                    k += 1;
                } else {
                    while k < chars.len() && !chars[k].is_whitespace() {
                        value.push(chars[k]);
                        k += 1;
                    }
                }
                fields.push((name, value));
                i = k;
                continue;
            }
        }
        rest.push(chars[i]);
        i += 1;
    }
    (
        fields,
        rest.split_whitespace().collect::<Vec<_>>().join(" "),
    )
}

fn strip_prefixes(message: &str) -> String {
    // `sign_in_start: ado_connect_core::auth::device: the message` → `the message`
    let mut m = message;
    while let Some((head, tail)) = m.split_once(": ") {
        let looks_like_prefix = !head.is_empty()
            && !head.contains(' ')
            && (head.contains("::")
                || head.contains('{')
                || head.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !looks_like_prefix {
            break;
        }
        m = tail;
    }
    m.to_owned()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Redact what could be a secret: JWTs, `Bearer …`, `token=`/`password=`-style values, and
/// any long run of token characters that is not a GUID (a PAT, a refresh token, a code).
pub fn redact(text: &str) -> String {
    const SECRET_KEYS: &[&str] = &[
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "password",
        "secret",
        "client_secret",
        "code",
        "device_code",
        "authorization",
        "pat",
    ];
    let is_secret_key = |k: &str| {
        let key = k.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
        SECRET_KEYS.iter().any(|s| key.eq_ignore_ascii_case(s))
    };
    let mut out: Vec<String> = vec![];
    let mut bearer = false;
    let mut secret_key = false;
    for word in text.split(' ') {
        if bearer || (secret_key && looks_secret(word)) {
            bearer = false;
            secret_key = false;
            out.push("[redacted]".into());
            continue;
        }
        bearer = word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("basic");
        // `key: value` over two words, `key=value` / `key:value` in one.
        secret_key = (word.ends_with(':') || word.ends_with('=')) && is_secret_key(word);
        if let Some((k, v)) = word.split_once('=').or_else(|| word.split_once(':')) {
            if is_secret_key(k) && looks_secret(v) {
                out.push(format!("{k}=[redacted]"));
                continue;
            }
        }
        out.push(redact_long_runs(word));
    }
    out.join(" ")
}

fn looks_secret(v: &str) -> bool {
    // A short word such as `code: sign-in-declined` is a code, not a secret.
    let v = v.trim_matches(|c: char| c == '"' || c == '\'' || c == ',');
    v.len() >= 16 && !is_guid(v) && !v.contains("-in-") && v.chars().any(|c| c.is_ascii_digit())
}

fn is_guid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

fn redact_long_runs(word: &str) -> String {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || "-_.~+/=".contains(c);
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let jwt = run.starts_with("eyJ") && run.matches('.').count() >= 1;
        let long =
            run.len() >= 32 && !is_guid(run) && !run.contains("::") && !looks_like_url_part(run);
        if jwt || long {
            out.push_str("[redacted]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in word.chars() {
        if is_token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn looks_like_url_part(run: &str) -> bool {
    // Host names and paths (`login.microsoftonline.com/organizations/oauth2/v2.0/token`) are
    // words with dots or slashes between short, mostly alphabetic pieces.
    let pieces: Vec<&str> = run.split(['.', '/']).collect();
    pieces.len() >= 3
        && pieces
            .iter()
            .all(|p| p.len() <= 24 && p.chars().filter(|c| c.is_ascii_digit()).count() <= 4)
}

impl Diagnostics {
    /// The text behind "Copy diagnostic summary".
    pub fn render_text(&self) -> String {
        let mut out = format!("ADO Connect {}\nOS: {}\n", self.version, self.os);
        out.push_str("Configuration:\n");
        if let Some(e) = &self.config_error {
            out.push_str(&format!("  refused: {e}\n"));
        }
        for s in &self.config_sources {
            out.push_str(&format!("  {s}\n"));
        }
        if !self.enforced.is_empty() {
            out.push_str(&format!(
                "Set by the organization: {}\n",
                self.enforced.join(", ")
            ));
        }
        if let Some(u) = &self.updates {
            out.push_str(&format!("Updates: {u}\n"));
        }
        match &self.log_dir {
            Some(d) => out.push_str(&format!(
                "Logs: {} ({} file{})\n",
                d.display(),
                self.log_files.len(),
                if self.log_files.len() == 1 { "" } else { "s" }
            )),
            None => out.push_str("Logs: no log directory\n"),
        }
        if self.recent_errors.is_empty() {
            out.push_str("Recent errors: none\n");
        } else {
            out.push_str("Recent errors (newest last):\n");
            for e in &self.recent_errors {
                out.push_str(&format!("  {} {}", e.time, e.level));
                if let Some(c) = &e.code {
                    out.push_str(&format!(" [{c}]"));
                }
                out.push_str(&format!(" {}", e.message));
                if let Some(a) = &e.aadsts {
                    out.push_str(&format!(" (AADSTS{a})"));
                }
                if let Some(c) = &e.correlation_id {
                    out.push_str(&format!(" correlation id {c}"));
                }
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigLoader;

    const JWT: &str =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl";

    #[test]
    fn parses_tracing_lines_and_keeps_codes_and_correlation_ids() {
        let line =
            "2026-11-29T10:00:00.123456Z ERROR sign_in_start: ado_connect_core::diagnostics: \
                    sign-in: Your company blocks this. code=sign-in-blocked-by-policy \
                    correlation_id=\"0b3c5d1e-aaaa-bbbb-cccc-123456789012\" aadsts=\"53003\"";
        let e = parse_log_line(line).unwrap();
        assert_eq!(e.level, "ERROR");
        assert_eq!(e.code.as_deref(), Some("sign-in-blocked-by-policy"));
        assert_eq!(
            e.correlation_id.as_deref(),
            Some("0b3c5d1e-aaaa-bbbb-cccc-123456789012")
        );
        assert_eq!(e.aadsts.as_deref(), Some("53003"));
        assert_eq!(e.message, "sign-in: Your company blocks this.");
        // Padded levels, warnings with and without a code, info lines.
        let warn = "2026-11-29T10:00:01Z  WARN ado_connect_core::service: probe failed org=fabrikam code=not-found";
        let e = parse_log_line(warn).unwrap();
        assert_eq!(e.level, "WARN");
        assert_eq!(e.code.as_deref(), Some("not-found"));
        assert_eq!(e.message, "probe failed");
        assert!(parse_log_line("2026-11-29T10:00:01Z  WARN x: no code here").is_none());
        assert!(parse_log_line("2026-11-29T10:00:01Z  INFO x: code=fine").is_none());
        assert!(parse_log_line("   at some continuation line").is_none());
        assert!(parse_log_line("").is_none());
        // `-` means "none" (log_error writes it for absent details).
        let e = parse_log_line(
            "2026-11-29T10:00:02Z ERROR x: failed code=internal correlation_id=- aadsts=-",
        )
        .unwrap();
        assert_eq!(e.correlation_id, None);
        assert_eq!(e.aadsts, None);
    }

    #[test]
    fn secrets_never_reach_the_summary() {
        let pat = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst";
        for text in [
            format!("token {JWT} leaked"),
            format!("Authorization: Bearer {JWT}"),
            format!("refresh_token={pat}"),
            format!("the PAT is {pat}"),
            "password: hunter2hunter2hunter2x1".to_string(),
        ] {
            let out = redact(&text);
            assert!(!out.contains(JWT), "{out}");
            assert!(!out.contains(pat), "{out}");
            assert!(!out.contains("hunter2"), "{out}");
            assert!(out.contains("[redacted]"), "{out}");
        }
        // What support needs stays.
        let kept = "code: sign-in-declined correlation 0b3c5d1e-aaaa-bbbb-cccc-123456789012 at https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode";
        assert_eq!(redact(kept), kept);
        let line = format!(
            "2026-11-29T10:00:00Z ERROR x: refresh failed with {JWT} code=session-expired correlation_id={pat}"
        );
        let e = parse_log_line(&line).unwrap();
        let all = serde_json::to_string(&e).unwrap();
        assert!(!all.contains(JWT) && !all.contains(pat), "{all}");
        assert_eq!(e.code.as_deref(), Some("session-expired"));
    }

    #[test]
    fn reads_the_newest_errors_across_daily_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut older = String::new();
        for i in 0..8 {
            older.push_str(&format!(
                "2026-11-28T10:00:0{i}Z ERROR x: old {i} code=timeout\n"
            ));
        }
        std::fs::write(dir.path().join("ado-connect.2026-11-28.log"), older).unwrap();
        std::fs::write(
            dir.path().join("ado-connect.2026-11-29.log"),
            "2026-11-29T09:00:00Z  INFO x: started\n\
             2026-11-29T09:00:01Z ERROR x: new 1 code=connect-failed correlation_id=c1\n\
             2026-11-29T09:00:02Z ERROR x: new 2 code=not-authorized correlation_id=c2\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("unrelated.txt"), "ERROR").unwrap();
        let (files, events) = read_log_errors(dir.path(), 5);
        assert_eq!(
            files,
            vec!["ado-connect.2026-11-29.log", "ado-connect.2026-11-28.log"]
        );
        let messages: Vec<&str> = events.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, vec!["old 5", "old 6", "old 7", "new 1", "new 2"]);
        assert_eq!(events[4].correlation_id.as_deref(), Some("c2"));
        // A missing directory is simply empty.
        let (files, events) = read_log_errors(&dir.path().join("absent"), 5);
        assert!(files.is_empty() && events.is_empty());
    }

    #[test]
    fn summary_names_version_os_sources_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let machine = dir.path().join("machine.toml");
        std::fs::write(&machine, "[policy]\nupdates = false\n").unwrap();
        let loaded = ConfigLoader {
            machine: Some(machine.clone()),
            overrides: vec!["gcm.git=/usr/bin/git".into()],
            ..Default::default()
        }
        .load()
        .unwrap();
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::write(
            logs.join("ado-connect.2026-11-29.log"),
            format!(
                "2026-11-29T09:00:01Z ERROR x: boom {JWT} code=connect-failed correlation_id=c1\n"
            ),
        )
        .unwrap();
        let d = collect(Inputs {
            config: Ok(&loaded),
            log_dir: Some(&logs),
            updates: Some("updates off: turned off by machine policy".into()),
        });
        let text = d.render_text();
        assert!(
            text.starts_with(&format!("ADO Connect {}\n", crate::VERSION)),
            "{text}"
        );
        assert!(text.contains(std::env::consts::OS), "{text}");
        assert!(
            text.contains(&format!("machine policy {}", machine.display())),
            "{text}"
        );
        assert!(text.contains("command line"), "{text}");
        assert!(
            text.contains("Set by the organization: policy.updates"),
            "{text}"
        );
        assert!(
            text.contains("[connect-failed] boom [redacted] correlation id c1"),
            "{text}"
        );
        assert!(!text.contains(JWT));
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.contains(JWT));
        // A refused configuration is reported, not fatal.
        let err = Error::new(crate::ErrorCode::ConfigInvalid, "bad file", "fix it");
        let d = collect(Inputs {
            config: Err(&err),
            log_dir: None,
            updates: None,
        });
        assert!(d
            .render_text()
            .contains("refused: bad file [config-invalid]"));
        assert!(d.render_text().contains("Recent errors: none"));
    }

    #[test]
    fn log_error_writes_what_the_parser_reads() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let writer = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let mut e = Error::new(
            crate::ErrorCode::SignInBlockedByPolicy,
            "Blocked by policy.",
            "x",
        );
        e.details.correlation_id = Some("0b3c5d1e-aaaa-bbbb-cccc-123456789012".into());
        e.details.aadsts = Some(53003);
        tracing::subscriber::with_default(subscriber, || log_error("sign-in", &e));
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let event = parse_log_line(text.lines().next().unwrap()).unwrap();
        assert_eq!(event.code.as_deref(), Some("sign-in-blocked-by-policy"));
        assert_eq!(
            event.correlation_id.as_deref(),
            Some("0b3c5d1e-aaaa-bbbb-cccc-123456789012")
        );
        assert_eq!(event.aadsts.as_deref(), Some("53003"));
        assert_eq!(event.message, "sign-in: Blocked by policy.");
    }
}
