//! The preview: every change a cleanup would make, found without changing anything.
//! The UI shows it, `--json` prints it, and [`apply`](super::apply) carries it out.

use super::git::GitCommand;
use super::legacy_cache::{LegacyCacheEntry, LegacyCacheFile};
use super::modern_cache::{
    check_config_writable, AzReposSetting, ModernAuthorityCache, ModernCacheEntry,
};
use super::org_name::{quoted, validate_org_name};
use super::saved_password::{saved_password_urls, uses_http_path};
use super::GcmOptions;
use crate::error::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What one change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Drop one `key=value` record from the legacy `tenant.cache`.
    RemoveLegacyEntry,
    /// Delete the whole legacy `tenant.cache` (after a backup); GCM for Windows recreates it.
    RemoveLegacyFile,
    /// `git config --unset-all` of a `credential.azrepos:org/<org>.*` key.
    UnsetGitConfig,
    /// `git credential reject` for the organization's address.
    RejectSavedPassword,
}

/// One change of a plan. Holds no secret: tenant ids and authority URLs are not secret
/// (reference §4a), and a saved password is never read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedChange {
    pub kind: ChangeKind,
    /// The organization it is for; `None` for the removal of the whole legacy file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// The file changed, or `git credential` for a saved password.
    pub target: String,
    /// The cache key, git config key or address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The value the change removes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<String>,
    /// Anything a person should know before saying yes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Where a problem was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemSource {
    LegacyCache,
    GitConfig,
    SavedPassword,
}

/// An [`Error`] kept inside a plan or an outcome, which both travel back from the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GcmProblem {
    pub source: ProblemSource,
    /// The [`ErrorCode`] in kebab-case, e.g. `gcm-cache-corrupt`.
    pub code: String,
    pub message: String,
    pub remedy: String,
}

impl GcmProblem {
    pub fn new(source: ProblemSource, error: &Error) -> Self {
        GcmProblem {
            source,
            code: error.code.as_str(),
            message: error.message.clone(),
            remedy: error.remedy.clone(),
        }
    }
}

/// What the legacy cache file looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegacyCacheStatus {
    /// No file: nothing to clean.
    Missing,
    /// A file of zero bytes: no entries.
    EmptyFile,
    /// Read and understood.
    Readable,
    /// There, but not usable (see `problem`).
    Unusable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyCacheReport {
    pub path: String,
    pub status: LegacyCacheStatus,
    /// Records in the file, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_count: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<GcmProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitConfigReport {
    /// The git program used.
    pub git: String,
    /// `credential.azrepos:org/` values found for the chosen organizations.
    pub entry_count: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<GcmProblem>,
}

/// The preview of a cleanup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GcmPlan {
    /// The organizations, validated, once each.
    pub orgs: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub legacy_cache: LegacyCacheReport,
    /// `None` when no organization was chosen (only the whole legacy file is removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_config: Option<GitConfigReport>,
    pub changes: Vec<PlannedChange>,
    /// What stops part of the cleanup; the rest can still be applied.
    pub problems: Vec<GcmProblem>,
}

impl GcmPlan {
    /// True when applying would change nothing and nothing stands in the way.
    pub fn is_nothing_to_do(&self) -> bool {
        self.changes.is_empty() && self.problems.is_empty()
    }
}

/// Validates and de-duplicates organization names (case-insensitively, keeping the first
/// spelling). Every name is checked before any of them reaches a key or a path.
pub(crate) fn validated_orgs(orgs: &[String]) -> Result<Vec<String>> {
    let mut unique: Vec<String> = Vec::new();
    for org in orgs {
        validate_org_name(org)?;
        if !unique.iter().any(|o| o.eq_ignore_ascii_case(org)) {
            unique.push(org.clone());
        }
    }
    Ok(unique)
}

/// Looks at both caches and lists every change a cleanup with `options` would make. Changes
/// nothing. Fails only on bad input; a cache that cannot be read becomes a problem of the plan,
/// so the other cache can still be cleaned.
pub fn plan(options: &GcmOptions) -> Result<GcmPlan> {
    let orgs = validated_orgs(&options.orgs)?;
    if orgs.is_empty() && !options.whole_legacy_file {
        return Err(Error::invalid_input(
            "cleanup request",
            "no organization was chosen",
        ));
    }
    if options.legacy_cache_path.as_os_str().is_empty() {
        return Err(Error::invalid_input(
            "legacy tenant cache path",
            "it is empty",
        ));
    }
    let mut plan = GcmPlan {
        orgs,
        created_at: Utc::now(),
        legacy_cache: LegacyCacheReport {
            path: options.legacy_cache_path.display().to_string(),
            status: LegacyCacheStatus::Missing,
            entry_count: None,
            problem: None,
        },
        git_config: None,
        changes: Vec::new(),
        problems: Vec::new(),
    };
    plan_legacy(options, &mut plan);
    if !plan.orgs.is_empty() {
        plan_git(options, &mut plan);
    }
    Ok(plan)
}

fn plan_legacy(options: &GcmOptions, plan: &mut GcmPlan) {
    let target = plan.legacy_cache.path.clone();
    let file = match LegacyCacheFile::open(&options.legacy_cache_path) {
        Ok(None) => return,
        Ok(Some(file)) => file,
        Err(e) => {
            let problem = GcmProblem::new(ProblemSource::LegacyCache, &e);
            plan.legacy_cache.status = LegacyCacheStatus::Unusable;
            plan.legacy_cache.problem = Some(problem.clone());
            plan.problems.push(problem);
            return;
        }
    };
    let report = &mut plan.legacy_cache;
    match &file.contents {
        Ok((_, cache)) => {
            report.entry_count = Some(cache.len());
            report.status = if file.len == 0 {
                LegacyCacheStatus::EmptyFile
            } else {
                LegacyCacheStatus::Readable
            };
        }
        Err(e) => {
            report.status = LegacyCacheStatus::Unusable;
            report.problem = Some(GcmProblem::new(ProblemSource::LegacyCache, e));
        }
    }

    let mut changes = Vec::new();
    if options.whole_legacy_file {
        // Removing the file is what Microsoft's FAQ prescribes (reference §4a), so it is allowed
        // even for a file we cannot parse; the backup keeps its bytes. Not for one we cannot
        // read: we could not back it up.
        let note = match &file.contents {
            Ok((_, cache)) if cache.is_empty() => "the file holds no entries".to_owned(),
            Ok((_, cache)) => format!(
                "all {} entries, of every organization: {}",
                cache.len(),
                cache.organizations().join(", ")
            ),
            Err(e) if e.code == ErrorCode::GcmCacheUnreadable => {
                plan.problems
                    .push(GcmProblem::new(ProblemSource::LegacyCache, e));
                return;
            }
            Err(e) => format!(
                "the file cannot be understood ({}); it is removed as it is",
                e.code
            ),
        };
        changes.push(PlannedChange {
            kind: ChangeKind::RemoveLegacyFile,
            org: None,
            target: target.clone(),
            key: None,
            old_value: None,
            note: Some(note),
        });
    } else {
        match &file.contents {
            Ok((_, cache)) => {
                for org in &plan.orgs {
                    changes.extend(
                        cache
                            .entries_of(org)
                            .map(|entry| legacy_change(org, &target, entry)),
                    );
                }
            }
            Err(e) => plan
                .problems
                .push(GcmProblem::new(ProblemSource::LegacyCache, e)),
        }
    }
    if !changes.is_empty() && file.read_only {
        let e = super::legacy_cache::not_writable(&file.path, "the file is read-only");
        plan.problems
            .push(GcmProblem::new(ProblemSource::LegacyCache, &e));
    }
    plan.changes.extend(changes);
}

fn legacy_change(org: &str, target: &str, entry: &LegacyCacheEntry) -> PlannedChange {
    PlannedChange {
        kind: ChangeKind::RemoveLegacyEntry,
        org: Some(org.to_owned()),
        target: target.to_owned(),
        key: Some(entry.key.clone()),
        old_value: Some(entry.tenant_id.clone()),
        note: entry
            .is_personal_account()
            .then(|| "the empty tenant: a personal Microsoft account".to_owned()),
    }
}

fn plan_git(options: &GcmOptions, plan: &mut GcmPlan) {
    let git = options.git_command();
    let cache = ModernAuthorityCache::new(git.clone());
    let mut report = GitConfigReport {
        git: options.git.display().to_string(),
        entry_count: 0,
        problem: None,
    };
    let entries = match cache.entries() {
        Ok(entries) => entries,
        Err(e) => {
            // Without a working git there is no git config to clean and no credential helper
            // to ask; the legacy cache can still be cleaned.
            let problem = GcmProblem::new(ProblemSource::GitConfig, &e);
            report.problem = Some(problem.clone());
            plan.problems.push(problem);
            plan.git_config = Some(report);
            return;
        }
    };
    let mut blocked_files = Vec::new();
    for org in &plan.orgs {
        for entry in entries.iter().filter(|e| e.belongs_to(org)) {
            report.entry_count += 1;
            let wanted = match entry.setting {
                AzReposSetting::AzureAuthority => true,
                AzReposSetting::Username => options.unbind_username,
            };
            if !wanted {
                continue;
            }
            if let Err(e) = check_config_writable(&entry.file) {
                if !blocked_files.contains(&entry.file) {
                    blocked_files.push(entry.file.clone());
                    plan.problems
                        .push(GcmProblem::new(ProblemSource::GitConfig, &e));
                }
            }
            plan.changes.push(git_change(org, entry));
        }
    }
    plan.git_config = Some(report);
    if options.reject_saved_password {
        plan_saved_passwords(&git, plan);
    }
}

fn git_change(org: &str, entry: &ModernCacheEntry) -> PlannedChange {
    PlannedChange {
        kind: ChangeKind::UnsetGitConfig,
        org: Some(org.to_owned()),
        target: entry.file.display().to_string(),
        key: Some(entry.key.clone()),
        old_value: entry.value.clone(),
        note: match entry.setting {
            AzReposSetting::AzureAuthority => None,
            AzReposSetting::Username => Some(
                "the account bound to this organization; Git will ask which account to use".into(),
            ),
        },
    }
}

fn plan_saved_passwords(git: &GitCommand, plan: &mut GcmPlan) {
    const UNKNOWN: &str = "if one is saved; git cannot say beforehand";
    for org in plan.orgs.clone() {
        for url in saved_password_urls(&org) {
            // dev.azure.com is shared by every organization: without useHttpPath git keeps one
            // password for the whole host, and forgetting it signs all of them out.
            let shared_host = url.starts_with("https://dev.azure.com/");
            let note = match shared_host.then(|| uses_http_path(git, &url)) {
                None | Some(Ok(true)) => UNKNOWN.to_owned(),
                Some(Ok(false)) => format!(
                    "{UNKNOWN}. Git keeps one password for all of dev.azure.com here \
                     (credential.useHttpPath is off), so every organization there is signed out"
                ),
                Some(Err(e)) => {
                    plan.problems
                        .push(GcmProblem::new(ProblemSource::SavedPassword, &e));
                    continue;
                }
            };
            plan.changes.push(PlannedChange {
                kind: ChangeKind::RejectSavedPassword,
                org: Some(org.clone()),
                target: "git credential".into(),
                key: Some(url),
                old_value: None,
                note: Some(note),
            });
        }
    }
}

impl fmt::Display for GcmPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.orgs.is_empty() {
            writeln!(f, "Git Credential Manager cleanup plan")?;
        } else {
            writeln!(
                f,
                "Git Credential Manager cleanup plan for {}",
                self.orgs.join(", ")
            )?;
        }
        let legacy = &self.legacy_cache;
        let state = match legacy.status {
            LegacyCacheStatus::Missing => "not found (nothing to clean)".to_owned(),
            LegacyCacheStatus::EmptyFile => "empty file".to_owned(),
            LegacyCacheStatus::Readable => {
                let n = legacy.entry_count.unwrap_or(0);
                format!("{n} {}", if n == 1 { "entry" } else { "entries" })
            }
            LegacyCacheStatus::Unusable => "cannot be used".to_owned(),
        };
        writeln!(f, "Legacy tenant cache {}: {state}", legacy.path)?;
        if let Some(git) = &self.git_config {
            writeln!(
                f,
                "Global git config (through {}): {} value(s) for these organizations",
                git.git, git.entry_count
            )?;
        }
        if self.changes.is_empty() {
            writeln!(f, "Changes: none")?;
        } else {
            writeln!(f, "Changes ({}):", self.changes.len())?;
            for change in &self.changes {
                writeln!(f, "  - {}", describe(change))?;
            }
        }
        write_problems(f, &self.problems)?;
        if self.is_nothing_to_do() {
            writeln!(f, "Nothing to clean.")?;
        }
        Ok(())
    }
}

pub(crate) fn write_problems(f: &mut fmt::Formatter<'_>, problems: &[GcmProblem]) -> fmt::Result {
    if problems.is_empty() {
        return Ok(());
    }
    writeln!(f, "Problems ({}):", problems.len())?;
    for p in problems {
        writeln!(f, "  ! [{}] {}", p.code, p.message)?;
        writeln!(f, "    {}", p.remedy)?;
    }
    Ok(())
}

/// One line for a change. Keys and values come from files and are escaped, so a control
/// character in someone's config cannot reach the terminal.
pub(crate) fn describe(change: &PlannedChange) -> String {
    let key = change.key.as_deref().map(quoted).unwrap_or_default();
    let old = change
        .old_value
        .as_deref()
        .map(|v| format!(" (was {})", quoted(v)))
        .unwrap_or_default();
    let mut line = match change.kind {
        ChangeKind::RemoveLegacyEntry => {
            format!("remove {key}{old} from the legacy tenant cache")
        }
        ChangeKind::RemoveLegacyFile => {
            format!("remove the legacy tenant cache file {}", change.target)
        }
        ChangeKind::UnsetGitConfig => {
            format!("unset {key}{old} in {}", change.target)
        }
        ChangeKind::RejectSavedPassword => {
            format!("ask git to forget the saved password for {key}")
        }
    };
    if let Some(note) = &change.note {
        line.push_str(&format!(": {note}"));
    }
    line
}
