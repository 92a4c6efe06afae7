//! What both caches hold on this machine, for `ado-connect gcm scan` and the "found on this
//! machine" list; read only.

use super::legacy_cache::{LegacyCacheEntry, LegacyCacheFile};
use super::modern_cache::{ModernAuthorityCache, ModernCacheEntry};
use super::org_name::quoted;
use super::plan::{
    validated_orgs, write_problems, GcmProblem, GitConfigReport, LegacyCacheReport,
    LegacyCacheStatus, ProblemSource,
};
use super::GcmOptions;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GcmScan {
    pub legacy_cache: LegacyCacheReport,
    pub legacy_entries: Vec<LegacyCacheEntry>,
    pub git_config: GitConfigReport,
    pub git_entries: Vec<ModernCacheEntry>,
    /// Organizations found in either cache (lowercased, sorted), e.g. for `--all-orgs`. Names
    /// that are not valid Azure DevOps names are left out: they could not be cleaned anyway.
    pub organizations: Vec<String>,
    pub problems: Vec<GcmProblem>,
}

/// Lists the entries of both caches; only those of `options.orgs` when it names any.
pub fn scan(options: &GcmOptions) -> Result<GcmScan> {
    let only = validated_orgs(&options.orgs)?;
    let wanted = |org: Option<&str>| {
        only.is_empty() || org.is_some_and(|o| only.iter().any(|w| w.eq_ignore_ascii_case(o)))
    };
    let mut problems = Vec::new();

    let mut legacy_cache = LegacyCacheReport {
        path: options.legacy_cache_path.display().to_string(),
        status: LegacyCacheStatus::Missing,
        entry_count: None,
        problem: None,
    };
    let mut legacy_entries = Vec::new();
    match LegacyCacheFile::open(&options.legacy_cache_path) {
        Ok(None) => {}
        Ok(Some(file)) => match file.contents {
            Ok((_, cache)) => {
                legacy_cache.status = if file.len == 0 {
                    LegacyCacheStatus::EmptyFile
                } else {
                    LegacyCacheStatus::Readable
                };
                legacy_cache.entry_count = Some(cache.len());
                legacy_entries = cache
                    .entries()
                    .iter()
                    .filter(|e| wanted(e.organization()))
                    .cloned()
                    .collect();
            }
            Err(e) => {
                legacy_cache.status = LegacyCacheStatus::Unusable;
                legacy_cache.problem = Some(GcmProblem::new(ProblemSource::LegacyCache, &e));
                problems.push(GcmProblem::new(ProblemSource::LegacyCache, &e));
            }
        },
        Err(e) => {
            legacy_cache.status = LegacyCacheStatus::Unusable;
            legacy_cache.problem = Some(GcmProblem::new(ProblemSource::LegacyCache, &e));
            problems.push(GcmProblem::new(ProblemSource::LegacyCache, &e));
        }
    }

    let mut git_config = GitConfigReport {
        git: options.git.display().to_string(),
        entry_count: 0,
        problem: None,
    };
    let git_entries = match ModernAuthorityCache::new(options.git_command()).entries() {
        Ok(mut entries) => {
            entries.retain(|e| wanted(Some(&e.org)));
            git_config.entry_count = entries.len();
            entries
        }
        Err(e) => {
            git_config.problem = Some(GcmProblem::new(ProblemSource::GitConfig, &e));
            problems.push(GcmProblem::new(ProblemSource::GitConfig, &e));
            Vec::new()
        }
    };

    let mut organizations: Vec<String> = legacy_entries
        .iter()
        .filter_map(|e| e.organization())
        .chain(git_entries.iter().map(|e| e.org.as_str()))
        .filter(|org| super::validate_org_name(org).is_ok())
        .map(str::to_ascii_lowercase)
        .collect();
    organizations.sort();
    organizations.dedup();

    Ok(GcmScan {
        legacy_cache,
        legacy_entries,
        git_config,
        git_entries,
        organizations,
        problems,
    })
}

impl fmt::Display for GcmScan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let legacy = &self.legacy_cache;
        match legacy.status {
            LegacyCacheStatus::Missing => {
                writeln!(f, "Legacy tenant cache {}: not found", legacy.path)?
            }
            LegacyCacheStatus::Unusable => {
                writeln!(f, "Legacy tenant cache {}: cannot be used", legacy.path)?
            }
            _ => writeln!(
                f,
                "Legacy tenant cache {}: {} of {} entries shown",
                legacy.path,
                self.legacy_entries.len(),
                legacy.entry_count.unwrap_or(0)
            )?,
        }
        for e in &self.legacy_entries {
            writeln!(f, "  {} = {}", quoted(&e.key), quoted(&e.tenant_id))?;
        }
        writeln!(
            f,
            "Global git config (through {}): {} value(s)",
            self.git_config.git,
            self.git_entries.len()
        )?;
        for e in &self.git_entries {
            let value = e
                .value
                .as_deref()
                .map(quoted)
                .unwrap_or_else(|| "(no value)".into());
            writeln!(
                f,
                "  {} = {} in {}",
                quoted(&e.key),
                value,
                e.file.display()
            )?;
        }
        if self.organizations.is_empty() {
            writeln!(f, "Organizations: none")?;
        } else {
            writeln!(f, "Organizations: {}", self.organizations.join(", "))?;
        }
        write_problems(f, &self.problems)
    }
}
