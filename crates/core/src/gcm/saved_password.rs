//! The password or token git saved for an organization, forgotten through git's own credential
//! protocol (`git credential reject`), so whichever helper the user configured (GCM, the OS
//! keychain, `store`) erases it. Offered, never automatic.

use super::git::GitCommand;
use crate::error::Result;

/// The two addresses an organization is reached at; a remote may use either (reference §4a).
pub(crate) fn saved_password_urls(org: &str) -> [String; 2] {
    [
        format!("https://dev.azure.com/{org}"),
        format!("https://{org}.visualstudio.com/"),
    ]
}

/// The `git credential` request for one of [`saved_password_urls`]. `org` was validated, so
/// it holds no line break or NUL that could add an attribute of its own.
pub(crate) fn credential_request(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut request = format!("protocol=https\nhost={host}\n");
    if !path.is_empty() {
        request.push_str(&format!("path={path}\n"));
    }
    request.push('\n');
    Some(request)
}

/// Asks git's credential helpers to forget what they saved for `url`.
pub(crate) fn reject_saved_password(git: &GitCommand, url: &str) -> Result<()> {
    let request = credential_request(url)
        .ok_or_else(|| crate::Error::internal(format!("unexpected credential URL {url}")))?;
    let out = git.run(&["credential", "reject"], Some(request.as_bytes()))?;
    if out.succeeded() {
        Ok(())
    } else {
        Err(git.failed("credential reject", &out))
    }
}

/// Whether git tells credentials apart by path for `url` (`credential.useHttpPath`, which GCM
/// sets for dev.azure.com). Without it git drops the path, and one saved password serves every
/// organization on the host: forgetting it then signs all of them out.
pub(crate) fn uses_http_path(git: &GitCommand, url: &str) -> Result<bool> {
    let args = [
        "config",
        "--type=bool",
        "--get-urlmatch",
        "credential.useHttpPath",
        url,
    ];
    let out = git.run(&args, None)?;
    match out.code {
        Some(0) => Ok(String::from_utf8_lossy(&out.stdout).trim() == "true"),
        Some(1) => Ok(false),
        _ => Err(git.failed("config --get-urlmatch", &out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_credential_protocol_request() {
        let [dev, vs] = saved_password_urls("contoso");
        assert_eq!(
            credential_request(&dev).unwrap(),
            "protocol=https\nhost=dev.azure.com\npath=contoso\n\n"
        );
        assert_eq!(
            credential_request(&vs).unwrap(),
            "protocol=https\nhost=contoso.visualstudio.com\n\n"
        );
    }
}
