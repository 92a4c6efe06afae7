//! What was done, when, to which organization: kept as JSON in the data directory as it
//! happens, and saved on request as JSON and readable text. Never a token: a PAT appears
//! by name only.

use crate::error::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportEntry {
    pub time: DateTime<Utc>,
    /// `sign-in`, `preflight`, `connect`, `verify`, `invite`, `invitation-signed-in`,
    /// `gcm-clean`, `pat-created`, `sign-out`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub summary: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub entries: Vec<ReportEntry>,
}

const FILE: &str = "report.json";

impl Report {
    pub fn load(dir: &Path) -> Result<Report> {
        match std::fs::read(dir.join(FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::new(
                    ErrorCode::StateUnreadable,
                    format!(
                        "The activity record in {} cannot be read ({e}).",
                        dir.display()
                    ),
                    "Move the file report.json aside; ADO Connect starts a new record.",
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Report::default()),
            Err(e) => Err(Error::new(
                ErrorCode::StateUnreadable,
                format!("The activity record cannot be read: {e}."),
                "Check the permissions of the app's data folder.",
            )),
        }
    }

    /// Append one entry and write the record (temporary file, then rename).
    pub fn record(
        dir: &Path,
        action: &str,
        org: Option<&str>,
        summary: impl Into<String>,
    ) -> Result<()> {
        let mut report = Report::load(dir).unwrap_or_default();
        report.entries.push(ReportEntry {
            time: Utc::now(),
            action: action.into(),
            org: org.map(str::to_owned),
            summary: summary.into(),
        });
        write_atomic(
            &dir.join(FILE),
            &serde_json::to_vec_pretty(&report).unwrap_or_default(),
        )
    }

    pub fn render_text(&self) -> String {
        let mut out = String::from("ADO Connect: what was done\n==========================\n\n");
        if self.entries.is_empty() {
            out.push_str("Nothing yet.\n");
        }
        for e in &self.entries {
            out.push_str(&format!(
                "{}  {:<22} {}{}\n",
                e.time.format("%Y-%m-%d %H:%M:%S UTC"),
                e.action,
                e.org
                    .as_deref()
                    .map(|o| format!("[{o}] "))
                    .unwrap_or_default(),
                e.summary
            ));
        }
        out
    }

    /// Save `ado-connect-report-<time>.json` and `.txt` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(PathBuf, PathBuf)> {
        let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
        let json = dir.join(format!("ado-connect-report-{stamp}.json"));
        let text = dir.join(format!("ado-connect-report-{stamp}.txt"));
        write_atomic(&json, &serde_json::to_vec_pretty(self).unwrap_or_default())?;
        write_atomic(&text, self.render_text().as_bytes())?;
        Ok((json, text))
    }
}

pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::new(
            ErrorCode::StateUnreadable,
            format!("ADO Connect could not write {}: {e}.", path.display()),
            "Check the permissions and free space of the app's data folder.",
        )
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_accumulate_and_render() {
        let dir = tempfile::tempdir().unwrap();
        Report::record(
            dir.path(),
            "connect",
            Some("fabrikam"),
            "Connected to Contoso",
        )
        .unwrap();
        Report::record(
            dir.path(),
            "pat-created",
            Some("fabrikam"),
            "Token \"build\" (30 days)",
        )
        .unwrap();
        let r = Report::load(dir.path()).unwrap();
        assert_eq!(r.entries.len(), 2);
        let text = r.render_text();
        assert!(text.contains("[fabrikam] Connected to Contoso"));
        let (j, t) = r.save(dir.path()).unwrap();
        assert!(j.exists() && t.exists());
        let back: Report = serde_json::from_slice(&std::fs::read(j).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn corrupt_record_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), b"{not json").unwrap();
        assert_eq!(
            Report::load(dir.path()).unwrap_err().code,
            ErrorCode::StateUnreadable
        );
    }
}
