//! Microsoft identity platform errors (reference §1.3, §1.7): the `error` field decides
//! what the client does; `error_codes` (AADSTS) decide what we tell the person.

use crate::error::{Error, ErrorCode, ErrorDetails};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct IdentityErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
    #[serde(default)]
    pub error_codes: Vec<u32>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub trace_id: Option<String>,
    #[serde(default)]
    pub correlation_id: Option<String>,
}

impl IdentityErrorBody {
    pub fn parse(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(body)
            .ok()
            .filter(|b| !b.error.is_empty())
    }

    /// The AADSTS code: `error_codes[0]`, else the `AADSTSnnnn:` prefix of the description.
    pub fn aadsts(&self) -> Option<u32> {
        self.error_codes.first().copied().or_else(|| {
            let d = self.error_description.as_deref()?;
            let rest = d.strip_prefix("AADSTS")?;
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse().ok()
        })
    }

    fn details(&self, status: u16, endpoint: &str) -> ErrorDetails {
        ErrorDetails {
            aadsts: self.aadsts(),
            correlation_id: self.correlation_id.clone(),
            trace_id: self.trace_id.clone(),
            timestamp: self.timestamp.clone(),
            http_status: Some(status),
            endpoint: Some(endpoint.to_string()),
            attempts: None,
        }
    }

    /// A coded error for a person. AADSTS codes first (they are specific), then the
    /// protocol `error` name.
    pub fn to_error(&self, status: u16, endpoint: &str) -> Error {
        let details = self.details(status, endpoint);
        let by_code = self.aadsts().and_then(error_for_aadsts);
        let err = by_code.unwrap_or_else(|| match self.error.as_str() {
            // RFC 6749 §4.1.2.1: the service's own trouble, not the person's sign-in.
            _ if status == 429 => Error::new(
                ErrorCode::RateLimited,
                "The sign-in service is busy and asked ADO Connect to slow down.",
                "Wait a minute, then try again.",
            ),
            "server_error" | "temporarily_unavailable" => Error::new(
                ErrorCode::ServiceUnavailable,
                "The sign-in service is having trouble right now.",
                "Try again in a few minutes.",
            ),
            _ if status >= 500 => Error::new(
                ErrorCode::ServiceUnavailable,
                format!("The sign-in service is having trouble right now (HTTP {status})."),
                "Try again in a few minutes.",
            ),
            // Entra says `authorization_declined`; RFC 8628 says `access_denied`.
            "authorization_declined" | "access_denied" => Error::new(
                ErrorCode::SignInDeclined,
                "The sign-in was declined on the sign-in page.",
                "If that was not you, nothing happened. To continue, start the sign-in again and choose to approve it.",
            ),
            "expired_token" => Error::new(
                ErrorCode::SignInExpired,
                "The sign-in code expired before it was used.",
                "Start the sign-in again and enter the new code within 15 minutes.",
            ),
            "bad_verification_code" => Error::new(
                ErrorCode::SignInBadCode,
                "The sign-in service did not recognise the sign-in code.",
                "Start the sign-in again and type the new code exactly as shown.",
            ),
            "invalid_grant" | "interaction_required" => Error::new(
                ErrorCode::SessionExpired,
                "Your saved sign-in is no longer valid.",
                "Sign in again.",
            ),
            other => Error::new(
                ErrorCode::SignInFailed,
                format!("The sign-in service refused the sign-in ({other})."),
                "Try again. If it keeps failing, use Copy details and send them to your IT desk.",
            ),
        });
        err.with_details(details)
    }
}

/// Plain-English meaning of the AADSTS codes a user of this wizard can meet (reference §1.7).
pub fn error_for_aadsts(code: u32) -> Option<Error> {
    let (c, message, remedy) = match code {
        53003 => (
            ErrorCode::SignInBlockedByPolicy,
            "Your organization's Conditional Access policy blocks this way of signing in (sign-in with a code).",
            "Choose \"Sign in with the browser instead\", or ask your IT desk to allow device code sign-in for you.",
        ),
        50020 | 16000 => (
            ErrorCode::SignInAccountNotInDirectory,
            "This account is not a member or guest of the directory you signed in to.",
            "Ask the directory's administrator to add your account as a member, then sign in again.",
        ),
        9002332 => (
            ErrorCode::SignInWrongEndpoint,
            "The sign-in was sent to the personal-accounts endpoint (/consumers), which Azure DevOps cannot use.",
            "Set identity.tenant to \"organizations\" in the configuration (the default).",
        ),
        700016 => (
            ErrorCode::SignInAppNotFound,
            "The sign-in service does not know the app ID ADO Connect used, or the directory is wrong.",
            "Check identity.client_id and identity.tenant in the configuration, or ask your IT desk.",
        ),
        50076 | 50079 => (
            ErrorCode::SignInMfaRequired,
            "Your organization requires multi-factor authentication for this sign-in.",
            "Sign in again and complete the extra verification step (for example the Authenticator app).",
        ),
        65001 => (
            ErrorCode::SignInConsentRequired,
            "Permission to use Azure DevOps on your behalf has not been granted.",
            "Sign in again and accept the permission request, or ask an administrator to grant consent.",
        ),
        700082 | 50173 => (
            ErrorCode::SessionExpired,
            "Your saved sign-in has expired or was revoked.",
            "Sign in again.",
        ),
        _ => return None,
    };
    Some(Error::new(c, message, remedy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(error: &str, codes: &[u32]) -> IdentityErrorBody {
        IdentityErrorBody {
            error: error.into(),
            error_description: codes
                .first()
                .map(|c| format!("AADSTS{c}: text\r\nTrace ID: t")),
            error_codes: codes.to_vec(),
            correlation_id: Some("corr-1".into()),
            ..Default::default()
        }
    }

    #[test]
    fn aadsts_codes_map_to_coded_errors() {
        let table = [
            (53003, ErrorCode::SignInBlockedByPolicy),
            (50020, ErrorCode::SignInAccountNotInDirectory),
            (9002332, ErrorCode::SignInWrongEndpoint),
            (700016, ErrorCode::SignInAppNotFound),
            (50076, ErrorCode::SignInMfaRequired),
            (50079, ErrorCode::SignInMfaRequired),
            (65001, ErrorCode::SignInConsentRequired),
            (700082, ErrorCode::SessionExpired),
            (50173, ErrorCode::SessionExpired),
        ];
        for (code, expected) in table {
            let e = body("invalid_grant", &[code]).to_error(400, "token");
            assert_eq!(e.code, expected, "AADSTS{code}");
            assert_eq!(e.details.aadsts, Some(code));
            assert_eq!(e.details.correlation_id.as_deref(), Some("corr-1"));
            assert!(!e.remedy.is_empty());
        }
    }

    #[test]
    fn protocol_errors_map_when_no_known_code() {
        assert_eq!(
            body("authorization_declined", &[]).to_error(400, "t").code,
            ErrorCode::SignInDeclined
        );
        assert_eq!(
            body("access_denied", &[]).to_error(400, "t").code,
            ErrorCode::SignInDeclined
        );
        assert_eq!(
            body("expired_token", &[70019]).to_error(400, "t").code,
            ErrorCode::SignInExpired
        );
        assert_eq!(
            body("bad_verification_code", &[70018])
                .to_error(400, "t")
                .code,
            ErrorCode::SignInBadCode
        );
        assert_eq!(
            body("invalid_client", &[]).to_error(400, "t").code,
            ErrorCode::SignInFailed
        );
    }

    #[test]
    fn the_services_own_trouble_is_not_a_failed_sign_in() {
        assert_eq!(
            body("server_error", &[50000]).to_error(500, "t").code,
            ErrorCode::ServiceUnavailable
        );
        assert_eq!(
            body("temporarily_unavailable", &[90033])
                .to_error(503, "t")
                .code,
            ErrorCode::ServiceUnavailable
        );
        assert_eq!(
            body("temporarily_unavailable", &[90055])
                .to_error(429, "t")
                .code,
            ErrorCode::RateLimited
        );
        assert_eq!(
            body("invalid_request", &[]).to_error(502, "t").code,
            ErrorCode::ServiceUnavailable
        );
    }

    #[test]
    fn code_read_from_description_when_list_missing() {
        let b = IdentityErrorBody {
            error: "invalid_grant".into(),
            error_description: Some("AADSTS53003: Access has been blocked".into()),
            ..Default::default()
        };
        assert_eq!(b.aadsts(), Some(53003));
    }

    proptest::proptest! {
        #[test]
        fn identity_error_parser_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            if let Some(b) = IdentityErrorBody::parse(&bytes) { let _ = b.to_error(400, "x"); }
        }
    }
}
