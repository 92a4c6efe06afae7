//! The procedure as an explicit state machine. Its non-secret progress is saved in the app
//! data directory after every step, so a closed (or killed) window resumes where it stopped;
//! on resume the true state is re-read from the service before it is shown.

use crate::error::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    #[default]
    Welcome,
    SignIn,
    Organizations,
    Directory,
    /// The connect request was sent; its outcome is not known yet.
    Connecting,
    Connected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackedInvitation {
    pub org: String,
    pub email: String,
    pub invited_at: DateTime<Utc>,
    pub signed_in: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WizardProgress {
    pub step: Step,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_name: Option<String>,
    #[serde(default)]
    pub invitations: Vec<TrackedInvitation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WizardEvent {
    Start,
    SignedIn,
    OrganizationChosen {
        org: String,
    },
    DirectoryChosen {
        tenant_id: String,
        name: String,
    },
    ConnectRequested,
    /// Read back from the service: the organization shows `tenant_id`.
    ObservedTenant {
        tenant_id: Option<String>,
    },
    Invited {
        email: String,
    },
    InvitationSignedIn {
        email: String,
    },
    SignedOut,
    Restart,
}

const FILE: &str = "wizard.json";

impl WizardProgress {
    /// Move to the next state, or refuse a step out of order.
    pub fn apply(&mut self, event: WizardEvent) -> Result<()> {
        use Step::*;
        use WizardEvent::*;
        let out_of_order = |s: &Step, e: &WizardEvent| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("That step cannot be taken now ({e:?} while {s:?})."),
                "Go back to the previous step of the procedure.",
            )
        };
        match (&self.step, event) {
            (_, Restart) => *self = WizardProgress::default(),
            (_, SignedOut) => {
                // Keep the organization and invitations: signing in again resumes them.
                if self.step != Connected && self.step != Connecting {
                    self.step = SignIn;
                }
            }
            (Welcome, Start) => self.step = SignIn,
            (Welcome | SignIn, SignedIn) => self.step = Organizations,
            (Organizations | Directory, OrganizationChosen { org }) => {
                self.org = Some(org);
                self.tenant_id = None;
                self.directory_name = None;
                self.step = Directory;
            }
            (Directory, DirectoryChosen { tenant_id, name }) => {
                self.tenant_id = Some(tenant_id);
                self.directory_name = Some(name);
            }
            (Directory, ConnectRequested) if self.org.is_some() && self.tenant_id.is_some() => {
                self.step = Connecting
            }
            (Connecting | Connected, ObservedTenant { tenant_id }) => {
                self.step = if tenant_id.is_some() && tenant_id == self.tenant_id {
                    Connected
                } else {
                    Directory
                };
            }
            (Connected, Invited { email }) => {
                let org = self.org.clone().unwrap_or_default();
                if !self
                    .invitations
                    .iter()
                    .any(|i| i.email.eq_ignore_ascii_case(&email) && i.org == org)
                {
                    self.invitations.push(TrackedInvitation {
                        org,
                        email,
                        invited_at: Utc::now(),
                        signed_in: false,
                    });
                }
            }
            (_, InvitationSignedIn { email }) => {
                for i in &mut self.invitations {
                    if i.email.eq_ignore_ascii_case(&email) {
                        i.signed_in = true;
                    }
                }
            }
            (s, e) => return Err(out_of_order(s, &e)),
        }
        Ok(())
    }

    pub fn load(dir: &Path) -> Result<WizardProgress> {
        match std::fs::read(dir.join(FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::new(
                    ErrorCode::StateUnreadable,
                    format!("The saved progress cannot be read ({e})."),
                    "ADO Connect starts from the beginning; nothing on the service is changed by that.",
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(WizardProgress::default()),
            Err(e) => Err(Error::new(
                ErrorCode::StateUnreadable,
                format!("The saved progress cannot be read: {e}."),
                "Check the permissions of the app's data folder.",
            )),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        crate::report::write_atomic(
            &dir.join(FILE),
            &serde_json::to_vec_pretty(self).unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use WizardEvent::*;

    fn at_directory() -> WizardProgress {
        let mut w = WizardProgress::default();
        w.apply(Start).unwrap();
        w.apply(SignedIn).unwrap();
        w.apply(OrganizationChosen {
            org: "fabrikam".into(),
        })
        .unwrap();
        w.apply(DirectoryChosen {
            tenant_id: "t1".into(),
            name: "Contoso".into(),
        })
        .unwrap();
        w
    }

    #[test]
    fn happy_path_and_save_resume() {
        let mut w = at_directory();
        w.apply(ConnectRequested).unwrap();
        assert_eq!(w.step, Step::Connecting);
        let dir = tempfile::tempdir().unwrap();
        w.save(dir.path()).unwrap();
        let mut resumed = WizardProgress::load(dir.path()).unwrap();
        assert_eq!(resumed, w);
        resumed
            .apply(ObservedTenant {
                tenant_id: Some("t1".into()),
            })
            .unwrap();
        assert_eq!(resumed.step, Step::Connected);
        resumed
            .apply(Invited {
                email: "ana@contoso.com".into(),
            })
            .unwrap();
        resumed
            .apply(Invited {
                email: "ANA@contoso.com".into(),
            })
            .unwrap();
        assert_eq!(resumed.invitations.len(), 1);
    }

    #[test]
    fn a_connect_that_did_not_happen_returns_to_the_directory_step() {
        let mut w = at_directory();
        w.apply(ConnectRequested).unwrap();
        w.apply(ObservedTenant { tenant_id: None }).unwrap();
        assert_eq!(w.step, Step::Directory);
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        let mut w = WizardProgress::default();
        assert!(w.apply(ConnectRequested).is_err());
        assert!(w.apply(OrganizationChosen { org: "x".into() }).is_err());
        let mut w = WizardProgress::default();
        w.apply(Start).unwrap();
        w.apply(SignedIn).unwrap();
        w.apply(OrganizationChosen { org: "x".into() }).unwrap();
        assert!(
            w.apply(ConnectRequested).is_err(),
            "no directory chosen yet"
        );
    }

    #[test]
    fn corrupt_progress_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), b"[").unwrap();
        assert_eq!(
            WizardProgress::load(dir.path()).unwrap_err().code,
            ErrorCode::StateUnreadable
        );
    }
}
