//! Which links the app may open in the browser: https on Microsoft's sites the procedure
//! points to, plus the configured service hosts (so the simulator's pages open in a demo).

use crate::config::Config;
use crate::error::{Error, Result};

/// Hosts (and their subdomains) the procedure links to.
pub const ALLOWED_HOSTS: &[&str] = &[
    "dev.azure.com",
    "visualstudio.com",
    "microsoft.com",
    "learn.microsoft.com",
    "portal.azure.com",
    "login.microsoftonline.com",
    "aex.dev.azure.com",
];

/// Check a link before it is handed to the system browser.
pub fn check_link(link: &str, config: &Config) -> Result<url::Url> {
    let url = url::Url::parse(link)
        .map_err(|_| Error::invalid_input("link", "it is not a web address"))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let listed = url.scheme() == "https"
        && ALLOWED_HOSTS
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")));
    let configured = [
        &config.identity.authority_host,
        &config.devops.org_base,
        &config.devops.profile_base,
        &config.devops.vssps_base,
        &config.devops.vsaex_base,
        &config.arm.base,
    ]
    .iter()
    .filter_map(|b| url::Url::parse(b).ok())
    .any(|b| b.origin() == url.origin());
    if listed || configured {
        Ok(url)
    } else {
        Err(Error::invalid_input(
            "link",
            format!("ADO Connect opens only Microsoft and Azure DevOps pages, not {host}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist() {
        let c = Config::default();
        assert!(check_link("https://dev.azure.com/fabrikam/_settings/users", &c).is_ok());
        assert!(check_link("https://learn.microsoft.com/azure/devops", &c).is_ok());
        assert!(check_link("https://fabrikam.visualstudio.com/", &c).is_ok());
        assert!(check_link("http://dev.azure.com/", &c).is_err());
        assert!(check_link("https://dev.azure.com.evil.example/", &c).is_err());
        assert!(check_link("https://evil.example/?https://dev.azure.com", &c).is_err());
        assert!(check_link("file:///etc/passwd", &c).is_err());
        assert!(check_link("javascript:alert(1)", &c).is_err());
        let mut sim = Config::default();
        sim.devops.org_base = "http://127.0.0.1:4010/dev".into();
        assert!(check_link("http://127.0.0.1:4010/dev/fabrikam", &sim).is_ok());
        assert!(check_link("http://127.0.0.1:4011/dev/fabrikam", &sim).is_err());
    }
}
