//! Carrying out a [`GcmPlan`]: check everything first, back up each file before its first
//! change, then change. Idempotent: what is already gone is reported as already clean, so the
//! same plan can be applied again (after a crash, on a fleet) and the second run changes nothing.
//!
//! A plan comes back from the UI, so it is checked again here: every organization is validated,
//! every key must be one of that organization's keys, and the files come from the options, not
//! from the plan.

use super::atomic_file::{self, TempName};
use super::backup::{copy_to_backup, save_backup};
use super::legacy_cache::{not_writable, LegacyCacheFile};
use super::modern_cache::{
    check_config_writable, parse_key, ModernAuthorityCache, ModernCacheEntry,
};
use super::plan::{
    describe, validated_orgs, write_problems, ChangeKind, GcmPlan, GcmProblem, PlannedChange,
    ProblemSource,
};
use super::saved_password::{reject_saved_password, saved_password_urls};
use super::GcmOptions;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// What became of one planned change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeStatus {
    /// The value was there and is gone.
    Done,
    /// It was already gone: nothing to do.
    AlreadyClean,
    /// Git's credential helpers were asked to forget a saved password. Git does not say
    /// whether one was saved, so this is neither "done" nor "already clean".
    Requested,
    /// It could not be done; see `problem`.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeResult {
    pub change: PlannedChange,
    pub status: ChangeStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<GcmProblem>,
}

/// A backup made before a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupRecord {
    /// The file saved.
    pub target: PathBuf,
    /// Its backup, which [`restore`](super::restore) puts back.
    pub backup: PathBuf,
}

/// What [`apply`] did, for the screen and the report. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GcmOutcome {
    pub orgs: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub backups: Vec<BackupRecord>,
    pub results: Vec<ChangeResult>,
}

impl GcmOutcome {
    fn count(&self, status: ChangeStatus) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }

    pub fn done_count(&self) -> usize {
        self.count(ChangeStatus::Done)
    }

    pub fn already_clean_count(&self) -> usize {
        self.count(ChangeStatus::AlreadyClean)
    }

    pub fn requested_count(&self) -> usize {
        self.count(ChangeStatus::Requested)
    }

    pub fn failed_count(&self) -> usize {
        self.count(ChangeStatus::Failed)
    }

    /// True when some file was changed or a credential helper was asked to forget something.
    pub fn changed_anything(&self) -> bool {
        self.done_count() + self.requested_count() > 0
    }
}

/// Applies `plan`. `Err` (with nothing changed) when the plan does not fit `options` or a
/// check fails before the first change: a read-only or linked file, a cache that cannot be
/// read, git missing. Once changes start, a failure is recorded in the outcome and the other
/// changes still run.
pub fn apply(plan: &GcmPlan, options: &GcmOptions) -> Result<GcmOutcome> {
    let started_at = Utc::now();
    check_plan(plan, options)?;
    let legacy: Vec<&PlannedChange> = plan.changes.iter().filter(|c| is_legacy(c.kind)).collect();
    let git_changes: Vec<&PlannedChange> = plan
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::UnsetGitConfig)
        .collect();
    let rejects: Vec<&PlannedChange> = plan
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::RejectSavedPassword)
        .collect();

    // Every check first, so a refusal leaves both caches as they were.
    let legacy_file = if legacy.is_empty() {
        None
    } else {
        preflight_legacy(&legacy, options)?
    };
    let modern = ModernAuthorityCache::new(options.git_command());
    let git_entries = if git_changes.is_empty() && rejects.is_empty() {
        Vec::new()
    } else {
        modern.git().version()?;
        let entries = modern.entries()?;
        for change in &git_changes {
            for entry in matching_entries(&entries, change) {
                check_config_writable(&entry.file)?;
            }
        }
        entries
    };

    let mut outcome = GcmOutcome {
        orgs: plan.orgs.clone(),
        started_at,
        finished_at: started_at,
        backups: Vec::new(),
        results: Vec::new(),
    };
    apply_legacy(&legacy, legacy_file, &mut outcome);
    apply_git(&git_changes, &git_entries, &modern, &mut outcome);
    for change in rejects {
        let key = change.key.as_deref().unwrap_or_default();
        let result = reject_saved_password(modern.git(), key);
        record(
            &mut outcome,
            change,
            result.map(|()| ChangeStatus::Requested),
            ProblemSource::SavedPassword,
        );
    }
    outcome.finished_at = Utc::now();
    tracing::info!(
        orgs = ?outcome.orgs,
        done = outcome.done_count(),
        already_clean = outcome.already_clean_count(),
        requested = outcome.requested_count(),
        failed = outcome.failed_count(),
        backups = outcome.backups.len(),
        "applied a Git Credential Manager cleanup"
    );
    Ok(outcome)
}

fn is_legacy(kind: ChangeKind) -> bool {
    matches!(
        kind,
        ChangeKind::RemoveLegacyEntry | ChangeKind::RemoveLegacyFile
    )
}

/// The plan must be one that [`plan`](super::plan) could have made for these options.
fn check_plan(plan: &GcmPlan, options: &GcmOptions) -> Result<()> {
    let orgs = validated_orgs(&plan.orgs)?;
    let bad = |why: String| Err(Error::invalid_input("cleanup plan", why));
    for change in &plan.changes {
        let org = match (&change.org, change.kind) {
            (None, ChangeKind::RemoveLegacyFile) => None,
            (Some(org), kind) if kind != ChangeKind::RemoveLegacyFile => {
                super::validate_org_name(org)?;
                if !orgs.iter().any(|o| o.eq_ignore_ascii_case(org)) {
                    return bad(format!(
                        "a change is for {}, which the plan does not name",
                        super::org_name::quoted(org)
                    ));
                }
                Some(org.as_str())
            }
            _ => {
                return bad("a change names an organization where it must not, or lacks one".into())
            }
        };
        if is_legacy(change.kind)
            && change.target != options.legacy_cache_path.display().to_string()
        {
            return bad("it was made for another legacy tenant cache file".into());
        }
        let key = change.key.as_deref();
        let key_fits = match (change.kind, org, key) {
            (ChangeKind::RemoveLegacyFile, None, None) => true,
            (ChangeKind::RemoveLegacyEntry, Some(org), Some(key)) => {
                super::legacy_cache::organization_of_key(key)
                    .is_some_and(|o| o.eq_ignore_ascii_case(org))
                    && !key.contains(['=', '\0'])
            }
            (ChangeKind::UnsetGitConfig, Some(org), Some(key)) => {
                parse_key(key).is_some_and(|(o, _)| o.eq_ignore_ascii_case(org))
            }
            (ChangeKind::RejectSavedPassword, Some(org), Some(key)) => {
                saved_password_urls(org).iter().any(|url| url == key)
            }
            _ => false,
        };
        if !key_fits {
            return bad(format!(
                "a {:?} change has a key that is not its organization's",
                change.kind
            ));
        }
    }
    Ok(())
}

/// Checks the legacy file before anything changes. `Ok(None)`: no file (all already clean).
fn preflight_legacy(
    changes: &[&PlannedChange],
    options: &GcmOptions,
) -> Result<Option<LegacyCacheFile>> {
    let path = &options.legacy_cache_path;
    let Some(file) = LegacyCacheFile::open(path)? else {
        return Ok(None);
    };
    if file.read_only {
        return Err(not_writable(path, "the file is read-only"));
    }
    let whole_file = changes
        .iter()
        .any(|c| c.kind == ChangeKind::RemoveLegacyFile);
    match &file.contents {
        Ok(_) => {}
        // The whole file may go even when we cannot parse it (it is copied to the backup as
        // it is), but not when it cannot be read at all.
        Err(e) if whole_file && e.code != crate::ErrorCode::GcmCacheUnreadable => {}
        Err(e) => return Err(e.clone()),
    }
    Ok(Some(file))
}

fn apply_legacy(
    changes: &[&PlannedChange],
    file: Option<LegacyCacheFile>,
    outcome: &mut GcmOutcome,
) {
    let Some(file) = file else {
        for change in changes {
            record(
                outcome,
                change,
                Ok(ChangeStatus::AlreadyClean),
                ProblemSource::LegacyCache,
            );
        }
        return;
    };
    if changes
        .iter()
        .any(|c| c.kind == ChangeKind::RemoveLegacyFile)
    {
        let result = copy_to_backup(&file.path).and_then(|backup| {
            outcome.backups.push(BackupRecord {
                target: file.path.clone(),
                backup,
            });
            atomic_file::remove_file(&file.path)
        });
        let status = result.map(|removed| {
            if removed {
                ChangeStatus::Done
            } else {
                ChangeStatus::AlreadyClean
            }
        });
        for change in changes {
            // An entry change beside the whole-file removal goes with the file.
            record(outcome, change, status.clone(), ProblemSource::LegacyCache);
        }
        return;
    }
    let Ok((bytes, mut cache)) = file.contents else {
        unreachable!("preflight_legacy refuses an unreadable cache for entry changes");
    };
    let statuses: Vec<ChangeStatus> = changes
        .iter()
        .map(|change| {
            let removed = cache.remove_key(change.key.as_deref().unwrap_or_default());
            if removed.is_empty() {
                ChangeStatus::AlreadyClean
            } else {
                ChangeStatus::Done
            }
        })
        .collect();
    let mut written: Result<()> = Ok(());
    if statuses.contains(&ChangeStatus::Done) {
        written = save_backup(&file.path, &bytes).and_then(|backup| {
            outcome.backups.push(BackupRecord {
                target: file.path.clone(),
                backup,
            });
            atomic_file::replace_file(&file.path, &cache.serialize(), TempName::Unique)
        });
    }
    for (change, status) in changes.iter().zip(statuses) {
        let result = match (&written, status) {
            (Err(e), ChangeStatus::Done) => Err(e.clone()),
            _ => Ok(status),
        };
        record(outcome, change, result, ProblemSource::LegacyCache);
    }
}

/// The current values a planned git change refers to: the same key, in any global file.
fn matching_entries<'a>(
    entries: &'a [ModernCacheEntry],
    change: &PlannedChange,
) -> Vec<&'a ModernCacheEntry> {
    let Some((org, setting)) = change.key.as_deref().and_then(parse_key) else {
        return Vec::new();
    };
    entries
        .iter()
        // The organization part of a git key is case-sensitive, so it must match exactly.
        .filter(|e| e.org == org && e.setting == setting)
        .collect()
}

fn apply_git(
    changes: &[&PlannedChange],
    entries: &[ModernCacheEntry],
    modern: &ModernAuthorityCache,
    outcome: &mut GcmOutcome,
) {
    let mut backed_up: Vec<(PathBuf, Result<()>)> = Vec::new();
    for change in changes {
        let mut status = Ok(ChangeStatus::AlreadyClean);
        for entry in matching_entries(entries, change) {
            let backup = match backed_up.iter().find(|(f, _)| *f == entry.file) {
                Some((_, result)) => result.clone(),
                None => {
                    let result = std::fs::read(&entry.file)
                        .map_err(|e| not_writable(&entry.file, &e.to_string()))
                        .and_then(|bytes| save_backup(&entry.file, &bytes))
                        .map(|backup| {
                            outcome.backups.push(BackupRecord {
                                target: entry.file.clone(),
                                backup,
                            });
                        });
                    backed_up.push((entry.file.clone(), result.clone()));
                    result
                }
            };
            status = match backup.and_then(|()| modern.unset(entry)) {
                Ok(true) => Ok(ChangeStatus::Done),
                Ok(false) => status,
                Err(e) => {
                    status = Err(e);
                    break;
                }
            };
        }
        record(outcome, change, status, ProblemSource::GitConfig);
    }
}

fn record(
    outcome: &mut GcmOutcome,
    change: &PlannedChange,
    result: Result<ChangeStatus>,
    source: ProblemSource,
) {
    let (status, problem) = match result {
        Ok(status) => (status, None),
        Err(e) => (ChangeStatus::Failed, Some(GcmProblem::new(source, &e))),
    };
    outcome.results.push(ChangeResult {
        change: change.clone(),
        status,
        problem,
    });
}

impl fmt::Display for GcmOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.results.is_empty() {
            return writeln!(f, "Nothing to clean.");
        }
        for result in &self.results {
            let mark = match result.status {
                ChangeStatus::Done => "done",
                ChangeStatus::AlreadyClean => "already clean",
                ChangeStatus::Requested => "requested",
                ChangeStatus::Failed => "FAILED",
            };
            writeln!(f, "  [{mark}] {}", describe(&result.change))?;
        }
        writeln!(
            f,
            "{} done, {} already clean, {} requested, {} failed.",
            self.done_count(),
            self.already_clean_count(),
            self.requested_count(),
            self.failed_count()
        )?;
        for b in &self.backups {
            writeln!(
                f,
                "Backup of {}: {}",
                b.target.display(),
                b.backup.display()
            )?;
        }
        let problems: Vec<GcmProblem> = self
            .results
            .iter()
            .filter_map(|r| r.problem.clone())
            .collect();
        write_problems(f, &problems)
    }
}
