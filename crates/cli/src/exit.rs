//! Exit statuses for scripts. `login` and `gcm` have the sets their users asked for; the
//! other commands share one table. Documented in `--help` and the README.

use crate::Command;
use ado_connect_core::{Error, ErrorCode};

pub const PREFLIGHT_FAILED: i32 = 7;
pub const NOT_VERIFIED: i32 = 8;
pub const GCM_NOTHING: i32 = 10;
pub const GCM_PARTLY: i32 = 20;

pub const HELP: &str = "\
Exit status:
  login:  0 signed in, 2 declined, 3 code expired, 4 blocked by policy, 5 network or proxy failure, 1 anything else
  gcm:    0 cleaned, 10 nothing to clean, 20 partly done (what failed is listed), 1 error
  others: 0 done, 2 bad input or configuration, 3 not signed in or sign-in expired, 5 network or service
          unavailable, 6 refused by the service, 7 a pre-flight check failed, 8 not verified in time
          (connect, disconnect, invite --wait), 1 anything else";

#[derive(Clone, Copy)]
pub enum Family {
    Login,
    Gcm,
    Other,
}

impl Family {
    pub fn of(command: &Command) -> Family {
        match command {
            Command::Login { .. } => Family::Login,
            Command::Gcm { .. } => Family::Gcm,
            _ => Family::Other,
        }
    }

    pub fn exit_code(self, e: &Error) -> i32 {
        use ErrorCode::*;
        let network = matches!(
            e.code,
            NetworkUnreachable
                | Timeout
                | ServiceUnavailable
                | RateLimited
                | MalformedResponse
                | ProxyAuthRequired
                | CertificateUntrusted
        );
        match self {
            Family::Gcm => 1,
            Family::Login => match e.code {
                SignInDeclined => 2,
                SignInExpired => 3,
                SignInBlockedByPolicy => 4,
                _ if network => 5,
                _ => 1,
            },
            Family::Other => match e.code {
                _ if network => 5,
                ConfigInvalid | ConfigUnreadable | InvalidInput => 2,
                NotSignedIn | SessionExpired | KeychainUnavailable => 3,
                NotAuthorized | NotFound | TenantNotAllowed | NotActiveMember | ConnectFailed
                | PatPolicy | RequestFailed => 6,
                ConnectUnverified => NOT_VERIFIED,
                _ => 1,
            },
        }
    }
}
