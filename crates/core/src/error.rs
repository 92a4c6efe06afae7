//! One error shape for people. Every failure a user can meet carries a stable [`ErrorCode`],
//! a plain-English `message`, a `remedy` (what to do next) and, where Microsoft gave them,
//! the AADSTS code, correlation id and timestamp for "Copy details". This is what crosses
//! IPC to the UI and what the CLI prints. It never holds a token.

use serde::Serialize;
use std::fmt;

/// Stable codes. The UI and scripts branch on these, so a code is never renamed.
/// Serialized in kebab-case, e.g. `sign-in-declined`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorCode {
    // configuration and input
    ConfigInvalid,
    ConfigUnreadable,
    InvalidInput,
    // transport and service health
    NetworkUnreachable,
    Timeout,
    ServiceUnavailable,
    RateLimited,
    MalformedResponse,
    ProxyAuthRequired,
    /// The service's TLS certificate is not trusted by this computer's root certificates.
    CertificateUntrusted,
    // sign-in (device code, browser, refresh)
    SignInDeclined,
    SignInExpired,
    SignInBadCode,
    SignInCancelled,
    SignInBlockedByPolicy,
    SignInAccountNotInDirectory,
    SignInWrongEndpoint,
    SignInAppNotFound,
    SignInMfaRequired,
    SignInConsentRequired,
    SignInFailed,
    SessionExpired,
    NotSignedIn,
    KeychainUnavailable,
    // Azure DevOps and ARM
    NotAuthorized,
    NotFound,
    TenantNotAllowed,
    NotActiveMember,
    ConnectFailed,
    ConnectUnverified,
    PatPolicy,
    RequestFailed,
    // Git Credential Manager caches
    GcmCacheCorrupt,
    GcmCacheTooLarge,
    GcmCacheUnreadable,
    GcmCacheNotWritable,
    GcmCacheSymlink,
    GitNotFound,
    GitFailed,
    BackupFailed,
    BackupNotFound,
    // local state
    StateUnreadable,
    Internal,
}

impl ErrorCode {
    /// The code as scripts see it (`sign-in-declined`).
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "internal".into())
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// What Microsoft told us, kept for "Copy details". Never a token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aadsts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Requests made for this operation (retries included), for the tests and the log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub remedy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_url: Option<String>,
    /// Boxed: most errors carry few details, and a small `Error` keeps every `Result` small.
    pub details: Box<ErrorDetails>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>, remedy: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            remedy: remedy.into(),
            help_url: None,
            details: Box::default(),
        }
    }

    pub fn with_help(mut self, url: impl Into<String>) -> Self {
        self.help_url = Some(url.into());
        self
    }

    pub fn with_details(mut self, details: impl Into<Box<ErrorDetails>>) -> Self {
        self.details = details.into();
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.details.http_status = Some(status);
        self
    }

    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.details.endpoint = Some(endpoint.into());
        self
    }

    pub fn invalid_input(what: &str, why: impl Into<String>) -> Self {
        Error::new(
            ErrorCode::InvalidInput,
            format!("The {what} is not valid: {}.", why.into()),
            format!("Check the {what} and try again."),
        )
    }

    pub fn internal(why: impl Into<String>) -> Self {
        Error::new(
            ErrorCode::Internal,
            format!("Something went wrong inside ADO Connect: {}.", why.into()),
            "Try again. If it happens again, send the log file to your IT desk.",
        )
    }

    /// The text behind "Copy details": code, time, correlation id. Never a token.
    pub fn copy_details(&self) -> String {
        let mut out = format!("Error: {}\nCode: {}\n", self.message, self.code);
        let d = &self.details;
        if let Some(a) = d.aadsts {
            out.push_str(&format!("AADSTS: {a}\n"));
        }
        if let Some(s) = d.http_status {
            out.push_str(&format!("HTTP status: {s}\n"));
        }
        if let Some(e) = &d.endpoint {
            out.push_str(&format!("Endpoint: {e}\n"));
        }
        if let Some(c) = &d.correlation_id {
            out.push_str(&format!("Correlation ID: {c}\n"));
        }
        if let Some(t) = &d.trace_id {
            out.push_str(&format!("Trace ID: {t}\n"));
        }
        let ts = d
            .timestamp
            .clone()
            .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string());
        out.push_str(&format!("Time: {ts}\n"));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_kebab_case_and_stable() {
        assert_eq!(ErrorCode::SignInDeclined.as_str(), "sign-in-declined");
        assert_eq!(ErrorCode::GcmCacheCorrupt.as_str(), "gcm-cache-corrupt");
    }

    #[test]
    fn serializes_for_ipc_in_camel_case() {
        let mut e = Error::new(
            ErrorCode::SignInBlockedByPolicy,
            "Blocked.",
            "Use the browser.",
        );
        e.details.aadsts = Some(53003);
        e.details.correlation_id = Some("c0ffee".into());
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["code"], "sign-in-blocked-by-policy");
        assert_eq!(v["remedy"], "Use the browser.");
        assert_eq!(v["details"]["aadsts"], 53003);
        assert_eq!(v["details"]["correlationId"], "c0ffee");
        assert!(e.copy_details().contains("Correlation ID: c0ffee"));
    }
}
