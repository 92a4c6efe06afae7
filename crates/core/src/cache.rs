//! Answers kept for the length of a sign-in, so that one wizard run asks the service each
//! question once (docs/benchmarks.md, figure 5): the organization listing, the directories,
//! each organization's user entitlements and billing. The directory each organization is
//! connected to is not here: `AdoConnect` keeps the probes apart, because a connect changes
//! them.
//!
//! Every entry belongs to the signed-in user it was fetched for: asked for another user (a
//! sign-out and a sign-in as someone else), the cache is empty. `clear` is the user's Refresh
//! and sign-out. What must be current is never read from here: the members view and the
//! invitation watch always ask the service, and store what they got for the next reader.

use crate::arm::{Billing, Directory};
use crate::devops::EntitlementPage;
use crate::service::Organization;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub(crate) struct SessionCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    user_id: Option<String>,
    /// The accounts listing; directories are not kept here (they are probed).
    organizations: Option<Vec<Organization>>,
    directories: Option<Vec<Directory>>,
    entitlements: HashMap<String, EntitlementPage>,
    billing: HashMap<String, Billing>,
}

impl SessionCache {
    /// The entries of `user_id`; any other user's are dropped first.
    fn of<T>(&self, user_id: &str, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.user_id.as_deref() != Some(user_id) {
            *inner = Inner {
                user_id: Some(user_id.to_string()),
                ..Inner::default()
            };
        }
        f(&mut inner)
    }

    pub fn clear(&self) {
        *self.inner.lock().unwrap_or_else(|p| p.into_inner()) = Inner::default();
    }

    pub fn organizations(&self, user_id: &str) -> Option<Vec<Organization>> {
        self.of(user_id, |c| c.organizations.clone())
    }

    pub fn set_organizations(&self, user_id: &str, v: Vec<Organization>) {
        self.of(user_id, |c| c.organizations = Some(v));
    }

    pub fn directories(&self, user_id: &str) -> Option<Vec<Directory>> {
        self.of(user_id, |c| c.directories.clone())
    }

    pub fn set_directories(&self, user_id: &str, v: Vec<Directory>) {
        self.of(user_id, |c| c.directories = Some(v));
    }

    pub fn entitlements(&self, user_id: &str, org: &str) -> Option<EntitlementPage> {
        self.of(user_id, |c| c.entitlements.get(&key(org)).cloned())
    }

    pub fn set_entitlements(&self, user_id: &str, org: &str, v: EntitlementPage) {
        self.of(user_id, |c| c.entitlements.insert(key(org), v));
    }

    pub fn billing(&self, user_id: &str, org: &str) -> Option<Billing> {
        self.of(user_id, |c| c.billing.get(&key(org)).cloned())
    }

    pub fn set_billing(&self, user_id: &str, org: &str, v: Billing) {
        self.of(user_id, |c| c.billing.insert(key(org), v));
    }
}

/// Organization names are case-insensitive in Azure DevOps.
fn key(org: &str) -> String {
    org.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(name: &str) -> Organization {
        Organization {
            name: name.into(),
            id: format!("id-{name}"),
            owned: true,
            directory: crate::devops::DirectoryLink::unknown(),
        }
    }

    #[test]
    fn entries_belong_to_the_user_they_were_fetched_for() {
        let cache = SessionCache::default();
        cache.set_organizations("morgan", vec![listed("fabrikam-fiber")]);
        assert_eq!(
            cache.organizations("morgan"),
            Some(vec![listed("fabrikam-fiber")])
        );
        // Someone else signs in: nothing of Morgan's is shown to them...
        assert_eq!(cache.organizations("ana"), None);
        // ...and Morgan's answers are gone for good, not kept aside.
        assert_eq!(cache.organizations("morgan"), None);
    }

    #[test]
    fn organization_keys_ignore_case_and_clear_empties_everything() {
        let cache = SessionCache::default();
        let page = EntitlementPage {
            items: vec![],
            continuation_token: None,
            total_count: Some(4),
        };
        cache.set_entitlements("morgan", "Fabrikam-Fiber", page);
        assert_eq!(
            cache
                .entitlements("morgan", "fabrikam-fiber")
                .and_then(|p| p.total_count),
            Some(4)
        );
        cache.set_directories("morgan", vec![]);
        cache.clear();
        assert!(cache.entitlements("morgan", "fabrikam-fiber").is_none());
        assert!(cache.directories("morgan").is_none());
    }
}
