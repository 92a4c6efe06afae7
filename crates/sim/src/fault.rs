//! Faults that tests switch on per endpoint, and the endpoint keys they are keyed by.

use serde::{Deserialize, Serialize};

/// Every endpoint key the simulator counts requests for and accepts faults on.
pub const ENDPOINT_KEYS: &[&str] = &[
    "devicecode",
    "token",
    "authorize",
    "openid",
    "devicelogin",
    "profile",
    "accounts",
    "probe",
    "settings",
    "organization",
    "userentitlements",
    "pats",
    "tenants",
    "subscriptions",
    "resources",
];

/// What the simulator does instead of (or before) answering a request.
///
/// `times: Some(n)` applies the fault to the next `n` requests of the endpoint only;
/// `None` keeps it until cleared. Serialized with a `kind` tag in snake_case, e.g.
/// `{"kind":"status","code":503,"times":1}` or `{"kind":"hang"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Wait `ms` milliseconds, then answer normally.
    #[serde(alias = "Latency")]
    Latency { ms: u64, times: Option<u32> },
    /// Never answer.
    #[serde(alias = "Hang")]
    Hang { times: Option<u32> },
    /// Close the connection (TCP reset) without a response.
    #[serde(alias = "Reset")]
    Reset { times: Option<u32> },
    /// Answer with this status and the error body the endpoint's service uses.
    #[serde(alias = "Status")]
    Status { code: u16, times: Option<u32> },
    /// 429 with `Retry-After`.
    #[serde(alias = "TooManyRequests")]
    TooManyRequests {
        retry_after_secs: u64,
        times: Option<u32>,
    },
    /// 200, `application/json`, a body that is not JSON.
    #[serde(alias = "MalformedJson")]
    MalformedJson { times: Option<u32> },
    /// 200 with a `text/plain` body.
    #[serde(alias = "WrongContentType")]
    WrongContentType { times: Option<u32> },
    /// 203 with an HTML sign-in page: Azure DevOps' answer to a bad token.
    #[serde(alias = "Html203")]
    Html203 { times: Option<u32> },
    /// 401 with the TF400813 envelope.
    #[serde(alias = "Unauthorized401")]
    Unauthorized401 { times: Option<u32> },
}

impl Fault {
    pub fn latency(ms: u64) -> Fault {
        Fault::Latency { ms, times: None }
    }
    pub fn hang() -> Fault {
        Fault::Hang { times: None }
    }
    pub fn reset() -> Fault {
        Fault::Reset { times: None }
    }
    pub fn status(code: u16) -> Fault {
        Fault::Status { code, times: None }
    }
    pub fn too_many_requests(retry_after_secs: u64) -> Fault {
        Fault::TooManyRequests {
            retry_after_secs,
            times: None,
        }
    }
    pub fn malformed_json() -> Fault {
        Fault::MalformedJson { times: None }
    }
    pub fn wrong_content_type() -> Fault {
        Fault::WrongContentType { times: None }
    }
    pub fn html_203() -> Fault {
        Fault::Html203 { times: None }
    }
    pub fn unauthorized_401() -> Fault {
        Fault::Unauthorized401 { times: None }
    }

    /// The same fault, for the next `n` requests only.
    pub fn times(mut self, n: u32) -> Fault {
        *self.times_mut() = Some(n);
        self
    }

    pub fn remaining(&self) -> Option<u32> {
        match self {
            Fault::Latency { times, .. }
            | Fault::Hang { times }
            | Fault::Reset { times }
            | Fault::Status { times, .. }
            | Fault::TooManyRequests { times, .. }
            | Fault::MalformedJson { times }
            | Fault::WrongContentType { times }
            | Fault::Html203 { times }
            | Fault::Unauthorized401 { times } => *times,
        }
    }

    fn times_mut(&mut self) -> &mut Option<u32> {
        match self {
            Fault::Latency { times, .. }
            | Fault::Hang { times }
            | Fault::Reset { times }
            | Fault::Status { times, .. }
            | Fault::TooManyRequests { times, .. }
            | Fault::MalformedJson { times }
            | Fault::WrongContentType { times }
            | Fault::Html203 { times }
            | Fault::Unauthorized401 { times } => times,
        }
    }

    /// Takes one use of an armed fault. Returns the fault to apply now and whether it
    /// is used up (so the caller removes it).
    pub(crate) fn take_one(&mut self) -> (Fault, bool) {
        let applied = self.clone();
        let times = self.times_mut();
        match times {
            None => (applied, false),
            Some(n) => {
                *n = n.saturating_sub(1);
                (applied, *n == 0)
            }
        }
    }
}

/// The endpoint key of a request, from its (lower-cased) path and method.
pub(crate) fn endpoint_key(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["login", "devicelogin"] => Some("devicelogin"),
        ["login", _, "oauth2", "v2.0", "devicecode"] => Some("devicecode"),
        ["login", _, "oauth2", "v2.0", "token"] => Some("token"),
        ["login", _, "oauth2", "v2.0", "authorize"] => Some("authorize"),
        ["login", _, "v2.0", ".well-known", "openid-configuration"] => Some("openid"),
        ["login", _, "discovery", "v2.0", "keys"] => Some("openid"),
        ["app.vssps", "_apis", "profile", "profiles", _] => Some("profile"),
        ["app.vssps", "_apis", "accounts"] => Some("accounts"),
        ["dev", org] if !org.is_empty() && !org.starts_with('_') => Some("probe"),
        ["dev", _, "_settings", ..] => Some("settings"),
        ["vssps", _, "_apis", "organization", "organizations", _] => Some("organization"),
        ["vssps", _, "_apis", "tokens", "pats"] => Some("pats"),
        ["vsaex", _, "_apis", "userentitlements", ..] => Some("userentitlements"),
        ["arm", "tenants"] => Some("tenants"),
        ["arm", "subscriptions"] => Some("subscriptions"),
        ["arm", "subscriptions", _, "resources"] => Some("resources"),
        _ => None,
    }
}

/// The service family an endpoint belongs to, which decides the shape of error bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Identity,
    DevOps,
    Arm,
}

pub(crate) fn service_of(key: &str) -> Service {
    match key {
        "devicecode" | "token" | "authorize" | "openid" | "devicelogin" => Service::Identity,
        "tenants" | "subscriptions" | "resources" => Service::Arm,
        _ => Service::DevOps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_deserialize_from_tagged_json() {
        let fault: Fault =
            serde_json::from_str(r#"{"kind":"status","code":503,"times":2}"#).unwrap();
        assert_eq!(fault, Fault::status(503).times(2));
        let fault: Fault = serde_json::from_str(r#"{"kind":"hang"}"#).unwrap();
        assert_eq!(fault, Fault::hang());
        let fault: Fault =
            serde_json::from_str(r#"{"kind":"too_many_requests","retry_after_secs":3}"#).unwrap();
        assert_eq!(fault, Fault::too_many_requests(3));
        let fault: Fault = serde_json::from_str(r#"{"kind":"Html203"}"#).unwrap();
        assert_eq!(fault, Fault::html_203());
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"nope"}"#).is_err());
    }

    #[test]
    fn take_one_counts_down() {
        let mut fault = Fault::reset().times(2);
        assert!(!fault.take_one().1);
        assert!(fault.take_one().1);
        let mut forever = Fault::reset();
        assert!(!forever.take_one().1);
        assert_eq!(forever.remaining(), None);
    }

    #[test]
    fn paths_map_to_endpoint_keys() {
        assert_eq!(
            endpoint_key("/login/organizations/oauth2/v2.0/token"),
            Some("token")
        );
        assert_eq!(endpoint_key("/dev/fabrikam-fiber"), Some("probe"));
        assert_eq!(
            endpoint_key("/dev/fabrikam-fiber/_settings/organizationaad"),
            Some("settings")
        );
        assert_eq!(
            endpoint_key("/vssps/x/_apis/organization/organizations/me"),
            Some("organization")
        );
        assert_eq!(
            endpoint_key("/vsaex/x/_apis/userentitlements/abc"),
            Some("userentitlements")
        );
        assert_eq!(
            endpoint_key("/arm/subscriptions/s/resources"),
            Some("resources")
        );
        assert_eq!(endpoint_key("/_sim/state"), None);
    }
}
