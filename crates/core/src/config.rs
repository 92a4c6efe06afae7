//! Configuration: one TOML format read in layers, later wins: built-in defaults, the machine
//! policy file, the Windows policy registry key, the user's file, the file named by
//! `ADO_CONNECT_CONFIG`, command-line flags. Every value remembers which layer set it
//! (`ado-connect config show`), and every layer is validated as it is read, so an error names
//! the key and the file.
//!
//! `[policy]` is the organization's: only the machine file and the registry may set it, and
//! what it fixes wins over every later layer. `policy.client_id` and `policy.tenant`, when
//! set, replace `identity.client_id` and `identity.tenant` whatever the user's file, the
//! environment or the command line say (those values are listed as ignored).

use crate::error::{Error, ErrorCode, Result};
use crate::policy::{RawRegistryValue, REGISTRY_KEY_DISPLAY};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

pub const ENV_CONFIG: &str = "ADO_CONNECT_CONFIG";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub identity: IdentityConfig,
    pub devops: DevopsConfig,
    pub arm: ArmConfig,
    pub gcm: GcmConfig,
    pub network: NetworkConfig,
    pub policy: PolicyConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    pub authority_host: String,
    pub tenant: String,
    pub client_id: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevopsConfig {
    pub profile_base: String,
    pub org_base: String,
    pub vssps_base: String,
    pub vsaex_base: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmConfig {
    pub base: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcmConfig {
    pub legacy_cache_path: String,
    pub git: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Empty (the environment's `HTTPS_PROXY`/`NO_PROXY`, else a direct connection), or the
    /// proxy for every request. The user's to set (Settings, `config set`); `policy.proxy`
    /// replaces it.
    pub proxy: String,
}

impl Config {
    /// The proxy every request goes through when one is set here (by the user, or by the
    /// organization's `policy.proxy`, which replaces the user's); `None`: the environment's.
    pub fn proxy_url(&self) -> Option<url::Url> {
        if self.network.proxy.is_empty() {
            None
        } else {
            url::Url::parse(&self.network.proxy).ok()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    pub allowed_tenants: Vec<String>,
    pub demo: bool,
    pub updates: bool,
    /// Empty, or the application (client) id every sign-in must use: for organizations that
    /// register their own app. Replaces `identity.client_id`.
    pub client_id: String,
    /// Empty, or the authority segment every sign-in must use. Replaces `identity.tenant`.
    pub tenant: String,
    /// Empty, or the proxy for every request (`http://host:port`, `https://…`, `socks5://…`).
    pub proxy: String,
}

impl PolicyConfig {
    /// The proxy the organization set, if any (validated at load).
    pub fn proxy_url(&self) -> Option<url::Url> {
        if self.proxy.is_empty() {
            None
        } else {
            url::Url::parse(&self.proxy).ok()
        }
    }
}

/// The Azure DevOps resource; `.default` asks for every permission already consented.
pub const DEVOPS_SCOPE: &str = "499b84ac-1321-427f-aa17-267ca6975798/.default";
pub const ARM_SCOPE: &str = "https://management.azure.com/.default";

impl Default for Config {
    fn default() -> Self {
        Config {
            identity: IdentityConfig {
                authority_host: "https://login.microsoftonline.com".into(),
                // MSA pass-through needs `organizations`, not `common` (reference §1.1).
                tenant: "organizations".into(),
                client_id: "872cd9fa-d31f-45e0-9eab-6e460a02d1f1".into(),
                scopes: vec![
                    DEVOPS_SCOPE.into(),
                    "offline_access".into(),
                    "openid".into(),
                    "profile".into(),
                ],
            },
            devops: DevopsConfig {
                profile_base: "https://app.vssps.visualstudio.com".into(),
                org_base: "https://dev.azure.com".into(),
                vssps_base: "https://vssps.dev.azure.com".into(),
                vsaex_base: "https://vsaex.dev.azure.com".into(),
            },
            arm: ArmConfig {
                base: "https://management.azure.com".into(),
            },
            gcm: GcmConfig {
                legacy_cache_path: String::new(),
                git: "git".into(),
            },
            network: NetworkConfig {
                proxy: String::new(),
            },
            policy: PolicyConfig {
                allowed_tenants: vec![],
                demo: true,
                updates: true,
                client_id: String::new(),
                tenant: String::new(),
                proxy: String::new(),
            },
        }
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "layer", content = "path", rename_all = "kebab-case")]
pub enum Origin {
    Default,
    Machine(PathBuf),
    /// The Windows policy key `HKLM\SOFTWARE\Policies\ADO Connect`.
    Registry,
    User(PathBuf),
    Env(PathBuf),
    Flag,
}

impl Origin {
    /// Set by the organization: the machine file or the registry.
    pub fn is_policy(&self) -> bool {
        matches!(self, Origin::Machine(_) | Origin::Registry)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::Machine(p) => write!(f, "machine policy {}", p.display()),
            Origin::Registry => write!(f, "machine policy {REGISTRY_KEY_DISPLAY}"),
            Origin::User(p) => write!(f, "user file {}", p.display()),
            Origin::Env(p) => write!(f, "{ENV_CONFIG} {}", p.display()),
            Origin::Flag => f.write_str("command line"),
        }
    }
}

/// The effective configuration and the origin of each `section.key`.
#[derive(Debug, Clone, Serialize)]
pub struct LoadedConfig {
    pub config: Config,
    pub origins: BTreeMap<String, Origin>,
    /// The files that were read, in order.
    pub files: Vec<PathBuf>,
    /// The keys the organization fixed (policy values, and the identity values they
    /// replace): the user cannot change these, and Settings shows them as set by the
    /// organization.
    pub enforced: Vec<String>,
    /// Values from the user's layers that policy replaced.
    pub ignored: Vec<IgnoredSetting>,
}

/// A value the user set that the machine policy overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredSetting {
    pub key: String,
    pub origin: Origin,
    /// The policy key that fixes it.
    pub policy_key: String,
}

/// The registry layer: the values read from `HKLM\SOFTWARE\Policies\ADO Connect`, or the
/// error reading them (which fails the load: policy that cannot be read is not skipped).
pub type RegistryLayer = std::result::Result<Vec<RawRegistryValue>, Error>;

/// `policy.*` keys that replace another key when set (non-empty).
const FIXING_KEYS: &[(&str, &str, &str)] = &[
    ("client_id", "identity", "client_id"),
    ("tenant", "identity", "tenant"),
    ("proxy", "network", "proxy"),
];

/// Which files to read. [`ConfigLoader::standard`] fills it for this OS; tests name their own.
#[derive(Debug, Clone, Default)]
pub struct ConfigLoader {
    pub machine: Option<PathBuf>,
    /// Windows only: the policy registry key's values (`None`: no key, or not Windows).
    pub registry: Option<RegistryLayer>,
    pub user: Option<PathBuf>,
    pub env: Option<PathBuf>,
    /// `section.key=value` pairs from the command line; the value is TOML, or a bare string.
    pub overrides: Vec<String>,
}

impl ConfigLoader {
    pub fn standard() -> Self {
        ConfigLoader {
            machine: Some(machine_config_path()),
            registry: crate::policy::read_registry_values().transpose(),
            user: user_config_path(),
            env: std::env::var_os(ENV_CONFIG)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            overrides: vec![],
        }
    }

    /// The machine layers alone (defaults, the machine file, the Windows registry): what the
    /// organization decided, whatever the user's files say.
    pub fn machine_only() -> Self {
        ConfigLoader {
            machine: Some(machine_config_path()),
            registry: crate::policy::read_registry_values().transpose(),
            ..Default::default()
        }
    }

    pub fn with_overrides(mut self, overrides: Vec<String>) -> Self {
        self.overrides = overrides;
        self
    }

    pub fn load(&self) -> Result<LoadedConfig> {
        self.load_layers(None)
    }

    /// As [`ConfigLoader::load`], with `text` as the content of the `ADO_CONNECT_CONFIG`
    /// layer and no file read at all: for property tests and fuzzing, which feed arbitrary
    /// text and `--set` strings.
    pub fn load_text(text: &str, overrides: Vec<String>) -> Result<LoadedConfig> {
        ConfigLoader {
            env: Some(PathBuf::from("(text)")),
            overrides,
            ..Default::default()
        }
        .load_layers(Some(text))
    }

    fn load_layers(&self, env_text: Option<&str>) -> Result<LoadedConfig> {
        let defaults = toml::Table::try_from(Config::default())
            .map_err(|e| Error::internal(format!("default config: {e}")))?;
        let mut merged = defaults.clone();
        let mut origins = BTreeMap::new();
        for (section, table) in &defaults {
            if let Some(t) = table.as_table() {
                for key in t.keys() {
                    origins.insert(format!("{section}.{key}"), Origin::Default);
                }
            }
        }
        let mut files = vec![];
        let layers = [
            (
                self.machine.as_ref(),
                Origin::Machine as fn(PathBuf) -> Origin,
                false,
            ),
            (
                self.user.as_ref(),
                Origin::User as fn(PathBuf) -> Origin,
                false,
            ),
            // The file named by the environment must exist: a typo should not silently
            // fall back to the real Microsoft endpoints.
            (
                self.env.as_ref(),
                Origin::Env as fn(PathBuf) -> Origin,
                true,
            ),
        ];
        for (index, (path, origin, required)) in layers.into_iter().enumerate() {
            if index == 1 {
                // After the machine file: the Windows policy key.
                match &self.registry {
                    Some(Ok(values)) => {
                        let table = crate::policy::registry_policy_layer(values)?;
                        merge_layer(
                            &defaults,
                            &mut merged,
                            &mut origins,
                            table,
                            &Origin::Registry,
                            Path::new(REGISTRY_KEY_DISPLAY),
                        )?;
                    }
                    Some(Err(e)) => return Err(e.clone()),
                    None => {}
                }
            }
            let Some(path) = path else { continue };
            let read = match (required, env_text) {
                (true, Some(text)) => Ok(text.to_string()),
                _ => std::fs::read_to_string(path),
            };
            let text = match read {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => continue,
                Err(e) => {
                    return Err(Error::new(
                        ErrorCode::ConfigUnreadable,
                        format!(
                            "The configuration file {} cannot be read: {e}.",
                            path.display()
                        ),
                        "Check that the file exists and that you may read it.",
                    ))
                }
            };
            let origin = origin(path.clone());
            let table: toml::Table = toml::from_str(&text).map_err(|e| {
                config_error(
                    path,
                    &format!("it is not valid TOML: {}", e.message().trim()),
                )
            })?;
            merge_layer(&defaults, &mut merged, &mut origins, table, &origin, path)?;
            files.push(path.clone());
        }
        for pair in &self.overrides {
            let (key, value) = pair.split_once('=').ok_or_else(|| {
                Error::new(
                    ErrorCode::ConfigInvalid,
                    format!(
                        "The setting `{}` on the command line has no `=`.",
                        pair.escape_debug()
                    ),
                    "Write settings as section.key=value, for example identity.tenant=organizations.",
                )
            })?;
            let (section, name) = key.trim().split_once('.').ok_or_else(|| {
                Error::new(
                    ErrorCode::ConfigInvalid,
                    format!(
                        "The setting `{}` on the command line does not name a section.",
                        key.escape_debug()
                    ),
                    "Write settings as section.key=value, for example identity.tenant=organizations.",
                )
            })?;
            let value = parse_flag_value(value.trim());
            let mut table = toml::Table::new();
            let mut inner = toml::Table::new();
            inner.insert(name.to_string(), value);
            table.insert(section.to_string(), toml::Value::Table(inner));
            merge_layer(
                &defaults,
                &mut merged,
                &mut origins,
                table,
                &Origin::Flag,
                Path::new("the command line"),
            )?;
        }
        let (enforced, ignored) = enforce_policy(&mut merged, &mut origins);
        let config: Config = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| Error::internal(format!("merged config: {e}")))?;
        let loaded = LoadedConfig {
            config,
            origins,
            files,
            enforced,
            ignored,
        };
        loaded.validate()?;
        Ok(loaded)
    }
}

/// What policy fixes beats every later layer: `policy.client_id` and `policy.tenant`, when
/// set, replace the identity values (whoever set those). Returns the enforced keys and the
/// user's values that were replaced.
fn enforce_policy(
    merged: &mut toml::Table,
    origins: &mut BTreeMap<String, Origin>,
) -> (Vec<String>, Vec<IgnoredSetting>) {
    let mut enforced: Vec<String> = origins
        .iter()
        .filter(|(k, o)| k.starts_with("policy.") && o.is_policy())
        .map(|(k, _)| k.clone())
        .collect();
    let mut ignored = vec![];
    for (policy_key, section, key) in FIXING_KEYS {
        let fixed = merged
            .get("policy")
            .and_then(|p| p.get(*policy_key))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        if fixed.is_empty() {
            continue;
        }
        let policy_name = format!("policy.{policy_key}");
        let name = format!("{section}.{key}");
        let target = merged
            .get_mut(*section)
            .and_then(|s| s.as_table_mut())
            .expect("section exists in defaults");
        let origin = origins.get(&name).cloned().unwrap_or(Origin::Default);
        if matches!(origin, Origin::User(_) | Origin::Env(_) | Origin::Flag)
            && target.get(*key).and_then(|v| v.as_str()) != Some(fixed.as_str())
        {
            ignored.push(IgnoredSetting {
                key: name.clone(),
                origin,
                policy_key: policy_name.clone(),
            });
        }
        target.insert(key.to_string(), toml::Value::String(fixed));
        let policy_origin = origins
            .get(&policy_name)
            .cloned()
            .unwrap_or(Origin::Default);
        origins.insert(name.clone(), policy_origin);
        enforced.push(name);
    }
    enforced.sort();
    (enforced, ignored)
}

fn parse_flag_value(raw: &str) -> toml::Value {
    // `key=[...]`, `key=true`, `key="x"` parse as TOML; anything else is a bare string.
    // Exactly one value: `"x"\n[arm]\nbase = …` is one odd string, not a second setting.
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .filter(|t| t.len() == 1)
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

fn config_error(path: &Path, why: &str) -> Error {
    Error::new(
        ErrorCode::ConfigInvalid,
        format!(
            "The configuration in {} is not valid: {why}.",
            path.display()
        ),
        "Correct the file (see README, Configuration) or remove the setting to use the default.",
    )
}

fn merge_layer(
    defaults: &toml::Table,
    merged: &mut toml::Table,
    origins: &mut BTreeMap<String, Origin>,
    layer: toml::Table,
    origin: &Origin,
    path: &Path,
) -> Result<()> {
    for (section, value) in layer {
        let Some(default_section) = defaults.get(&section).and_then(|v| v.as_table()) else {
            return Err(config_error(
                path,
                &format!("unknown section `[{}]`", section.escape_debug()),
            ));
        };
        let toml::Value::Table(values) = value else {
            return Err(config_error(
                path,
                &format!("`{section}` must be a [section]"),
            ));
        };
        // Policy is the IT desk's: only the machine file (or the registry) may set it.
        if section == "policy" && !origin.is_policy() {
            return Err(config_error(
                path,
                "`[policy]` can only be set in the machine policy file",
            ));
        }
        for (key, value) in values {
            let name = format!("{section}.{key}");
            let Some(default) = default_section.get(&key) else {
                return Err(config_error(
                    path,
                    &format!("unknown key `{}`", name.escape_debug()),
                ));
            };
            if !same_shape(default, &value) {
                return Err(config_error(
                    path,
                    &format!("`{name}` must be {}", shape_name(default)),
                ));
            }
            merged
                .get_mut(&section)
                .and_then(|s| s.as_table_mut())
                .expect("section exists in defaults")
                .insert(key, value);
            origins.insert(name, origin.clone());
        }
    }
    Ok(())
}

fn same_shape(a: &toml::Value, b: &toml::Value) -> bool {
    match (a, b) {
        (toml::Value::Array(_), toml::Value::Array(items)) => items.iter().all(|i| i.is_str()),
        _ => a.type_str() == b.type_str(),
    }
}

fn shape_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "a string",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Array(_) => "a list of strings",
        _ => "a value of another type",
    }
}

impl LoadedConfig {
    fn origin_of(&self, key: &str) -> String {
        self.origins
            .get(key)
            .map(|o| o.to_string())
            .unwrap_or_else(|| "default".into())
    }

    fn invalid(&self, key: &str, why: String) -> Error {
        Error::new(
            ErrorCode::ConfigInvalid,
            format!(
                "The setting `{key}` (from {}) is not valid: {why}.",
                self.origin_of(key)
            ),
            "Correct the setting or remove it to use the default.",
        )
    }

    fn validate(&self) -> Result<()> {
        let c = &self.config;
        // A line break or another control character has no business in any setting, and in
        // `config show`, a log line or an error message it could pass for another line.
        let table = toml::Table::try_from(c).unwrap_or_default();
        for (section, values) in &table {
            for (key, value) in values.as_table().into_iter().flatten() {
                let strings: Vec<&str> = match value {
                    toml::Value::String(s) => vec![s.as_str()],
                    toml::Value::Array(items) => items.iter().filter_map(|i| i.as_str()).collect(),
                    _ => vec![],
                };
                if strings.iter().any(|s| s.chars().any(char::is_control)) {
                    // A value policy put in place is reported under the policy's name.
                    let name = FIXING_KEYS
                        .iter()
                        .find(|(_, s, k)| s == section && k == key)
                        .filter(|_| self.is_enforced(&format!("{section}.{key}")))
                        .map(|(p, _, _)| format!("policy.{p}"))
                        .unwrap_or_else(|| format!("{section}.{key}"));
                    return Err(self.invalid(
                        &name,
                        "it contains a line break or another control character".into(),
                    ));
                }
            }
        }
        // Policy first: the identity values it fixes are checked under the policy's name.
        if !c.policy.client_id.is_empty() && uuid::Uuid::parse_str(&c.policy.client_id).is_err() {
            return Err(self.invalid(
                "policy.client_id",
                format!("`{}` is not a GUID", c.policy.client_id),
            ));
        }
        if !c.policy.tenant.is_empty() {
            validate_tenant_segment(&c.policy.tenant)
                .map_err(|why| self.invalid("policy.tenant", why))?;
        }
        if !c.policy.proxy.is_empty() {
            validate_proxy_url(&c.policy.proxy).map_err(|why| self.invalid("policy.proxy", why))?;
        }
        if !c.network.proxy.is_empty() {
            validate_proxy_url(&c.network.proxy)
                .map_err(|why| self.invalid("network.proxy", why))?;
        }
        let urls = [
            ("identity.authority_host", &c.identity.authority_host),
            ("devops.profile_base", &c.devops.profile_base),
            ("devops.org_base", &c.devops.org_base),
            ("devops.vssps_base", &c.devops.vssps_base),
            ("devops.vsaex_base", &c.devops.vsaex_base),
            ("arm.base", &c.arm.base),
        ];
        for (key, value) in urls {
            validate_endpoint_url(value).map_err(|why| self.invalid(key, why))?;
        }
        validate_tenant_segment(&c.identity.tenant)
            .map_err(|why| self.invalid("identity.tenant", why))?;
        if uuid::Uuid::parse_str(&c.identity.client_id).is_err() {
            return Err(self.invalid(
                "identity.client_id",
                format!("`{}` is not a GUID", c.identity.client_id),
            ));
        }
        if c.identity.scopes.is_empty() {
            return Err(self.invalid("identity.scopes", "the list is empty".into()));
        }
        for t in &c.policy.allowed_tenants {
            validate_tenant_segment(t)
                .map_err(|why| self.invalid("policy.allowed_tenants", why))?;
        }

        if c.gcm.git.trim().is_empty() {
            return Err(self.invalid("gcm.git", "it is empty".into()));
        }
        Ok(())
    }

    /// True when the organization fixed `key` (`section.key`): the user cannot change it.
    pub fn is_enforced(&self, key: &str) -> bool {
        self.enforced.iter().any(|k| k == key)
    }

    /// The proxy as Settings shows it: the user's own value, or empty when the machine policy
    /// sets it (then `policy.proxy` is in effect and the field is not the user's to edit).
    pub fn user_proxy(&self) -> String {
        if self.is_enforced("network.proxy") {
            String::new()
        } else {
            self.config.network.proxy.clone()
        }
    }

    /// `config show`: every key, its value and where it came from.
    pub fn render_text(&self) -> String {
        let table = toml::Table::try_from(&self.config).unwrap_or_default();
        let mut out = String::new();
        for (section, values) in &table {
            out.push_str(&format!("[{section}]\n"));
            if let Some(values) = values.as_table() {
                for (key, value) in values {
                    let name = format!("{section}.{key}");
                    out.push_str(&format!(
                        "{key} = {value}    # {}{}\n",
                        self.origin_of(&name),
                        if self.is_enforced(&name) {
                            " (set by your organization)"
                        } else {
                            ""
                        }
                    ));
                }
            }
            out.push('\n');
        }
        for i in &self.ignored {
            out.push_str(&format!(
                "# ignored: {} from {} (fixed by {})\n",
                i.key, i.origin, i.policy_key
            ));
        }
        out
    }
}

/// A proxy: `http`, `https`, `socks5` or `socks5h`, a host, an optional port, nothing else.
/// No user name or password: they would show in `config show` and the diagnostic summary.
pub fn validate_proxy_url(value: &str) -> std::result::Result<url::Url, String> {
    // Messages quote the value without a user name or password: they reach logs and screens.
    let shown = without_userinfo(value);
    if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!(
            "`{}` contains a space, a line break or another control character",
            shown.escape_debug()
        ));
    }
    let url = url::Url::parse(value).map_err(|e| {
        format!("`{shown}` is not a URL such as http://proxy.contoso.com:8080 ({e})")
    })?;
    if !["http", "https", "socks5", "socks5h"].contains(&url.scheme()) {
        return Err(format!(
            "`{shown}` uses `{}:`; use http://, https:// or socks5://",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{shown}` has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "`{shown}` must not contain a user name or password"
        ));
    }
    if url.path() != "/" && !url.path().is_empty()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(format!("`{shown}` must be only scheme, host and port"));
    }
    Ok(url)
}

/// `scheme://user:password@host…` as `scheme://…@host…`, whether or not it parses.
fn without_userinfo(value: &str) -> String {
    let Some((scheme, rest)) = value.split_once("://") else {
        return value.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://…{}", &rest[at..]),
        None => value.to_string(),
    }
}

/// An endpoint must be https, or http on a loopback host (the simulator, a test server).
pub fn validate_endpoint_url(value: &str) -> std::result::Result<url::Url, String> {
    // The URL parser drops tabs and line breaks silently; a setting must mean what it shows.
    if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!(
            "`{}` contains a space, a line break or another control character",
            value.escape_debug()
        ));
    }
    let url = url::Url::parse(value).map_err(|e| format!("`{value}` is not a URL ({e})"))?;
    let host = url
        .host_str()
        .ok_or_else(|| format!("`{value}` has no host"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "`{value}` must not contain a user name or password"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("`{value}` must not have a query or fragment"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback_host(host) => Ok(url),
        "http" => Err(format!(
            "`{value}` uses http:// on a host that is not this machine; use https://"
        )),
        other => Err(format!("`{value}` uses `{other}:`; use https://")),
    }
}

/// True when `value` is an http(s) URL on this machine (the simulator: demo mode).
pub fn is_loopback_url(value: &str) -> bool {
    url::Url::parse(value)
        .ok()
        .and_then(|u| u.host_str().map(is_loopback_host))
        .unwrap_or(false)
}

pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// A tenant segment: `organizations`, `common`, `consumers`, a GUID, or a DNS domain.
pub fn validate_tenant_segment(value: &str) -> std::result::Result<(), String> {
    if ["organizations", "common", "consumers"].contains(&value)
        || uuid::Uuid::parse_str(value).is_ok()
    {
        return Ok(());
    }
    validate_domain(value)
}

/// A directory domain such as `contoso.com` or `contoso.onmicrosoft.com`.
pub fn validate_domain(value: &str) -> std::result::Result<(), String> {
    if value.is_empty() || value.len() > 253 {
        return Err("a domain must be 1 to 253 characters".into());
    }
    if !value.contains('.') {
        return Err(format!(
            "`{}` is not a domain such as contoso.com",
            value.escape_debug()
        ));
    }
    for label in value.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!(
                "`{}` is not a domain: use letters, digits, hyphens and dots only",
                value.escape_debug()
            ));
        }
    }
    Ok(())
}

pub fn machine_config_path() -> PathBuf {
    if cfg!(windows) {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| "C:\\ProgramData".into());
        PathBuf::from(base).join("ADO Connect").join("config.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/ADO Connect/config.toml")
    } else {
        PathBuf::from("/etc/ado-connect/config.toml")
    }
}

/// The settings a user may change from the app (Settings) or `ado-connect config set`.
pub const USER_SETTABLE: &[&str] = &["network.proxy"];

/// Set `key` to `value` in the user's configuration file at `path`, or remove it when
/// `value` is empty, keeping the file's comments and other settings. The value is checked
/// first; the new file is checked as a whole before it replaces the old one, which is kept
/// as `<file>.bak`. Refused when the machine policy fixes the key (`enforced`).
pub fn set_user_setting(path: &Path, key: &str, value: &str, enforced: &[String]) -> Result<()> {
    let value = value.trim();
    if !USER_SETTABLE.contains(&key) {
        return Err(Error::invalid_input(
            "setting",
            format!(
                "`{}` cannot be changed here; these can: {}",
                key.escape_debug(),
                USER_SETTABLE.join(", ")
            ),
        ));
    }
    if enforced.iter().any(|k| k == key) {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!("{key} is set by your organization's IT desk on this computer."),
            "Ask your IT desk to change it in the machine policy.",
        ));
    }
    if key == "network.proxy" && !value.is_empty() {
        validate_proxy_url(value).map_err(|why| Error::invalid_input("proxy", why))?;
    }
    let cannot_write = |e: std::io::Error| {
        Error::new(
            ErrorCode::ConfigUnreadable,
            format!(
                "Your settings file {} cannot be written: {e}.",
                path.display()
            ),
            "Check that you may write to that folder, or change the file by hand.",
        )
    };
    let old = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(Error::new(
                ErrorCode::ConfigUnreadable,
                format!("Your settings file {} cannot be read: {e}.", path.display()),
                "Check that the file exists and that you may read it.",
            ))
        }
    };
    let mut doc: toml_edit::Document =
        old.as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|e: toml_edit::TomlError| {
                config_error(
                    path,
                    &format!("it is not valid TOML: {}", e.to_string().trim()),
                )
            })?;
    let (section, name) = key.split_once('.').expect("settable keys are section.key");
    if value.is_empty() {
        if let Some(table) = doc.get_mut(section).and_then(|t| t.as_table_like_mut()) {
            table.remove(name);
        }
    } else {
        if !doc.contains_key(section) {
            doc.insert(section, toml_edit::table());
        }
        let table = doc[section]
            .as_table_like_mut()
            .ok_or_else(|| config_error(path, &format!("`{section}` must be a [section]")))?;
        table.insert(name, toml_edit::value(value));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(cannot_write)?;
    }
    // The whole new file must load on its own before it replaces the old one.
    let tmp = path.with_extension("toml.new");
    std::fs::write(&tmp, doc.to_string()).map_err(cannot_write)?;
    let checked = ConfigLoader {
        user: Some(tmp.clone()),
        ..Default::default()
    }
    .load();
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if old.is_some() {
        std::fs::copy(path, path.with_extension("toml.bak")).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::new(
                ErrorCode::BackupFailed,
                format!("A backup of {} could not be made: {e}.", path.display()),
                "Nothing was changed. Check that you may write to that folder.",
            )
        })?;
    }
    std::fs::rename(&tmp, path).map_err(cannot_write)?;
    tracing::info!(key, set = !value.is_empty(), "user setting changed");
    Ok(())
}

/// [`set_user_setting`] on this user's file, checked against this machine's policy: what the
/// Settings screen and `ado-connect config set|unset` do. Returns the file's path.
pub fn save_user_setting(key: &str, value: &str) -> Result<PathBuf> {
    let path = user_config_path()
        .ok_or_else(|| Error::internal("this system has no configuration folder"))?;
    let enforced = ConfigLoader::machine_only().load()?.enforced;
    set_user_setting(&path, key, value, &enforced)?;
    Ok(path)
}

/// The app config directory's file: the same place Tauri's `app_config_dir` names.
pub fn user_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join(crate::APP_IDENTIFIER).join("config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        p
    }

    #[test]
    fn defaults_alone_are_valid_and_marked_default() {
        let loaded = ConfigLoader::default().load().unwrap();
        assert_eq!(loaded.config, Config::default());
        assert_eq!(loaded.origins["identity.tenant"], Origin::Default);
        assert!(loaded
            .render_text()
            .contains("tenant = \"organizations\"    # default"));
    }

    #[test]
    fn layers_apply_in_order_and_record_origin() {
        let dir = tempfile::tempdir().unwrap();
        let machine = file(
            &dir,
            "machine.toml",
            "[policy]\nallowed_tenants = [\"contoso.com\"]\n[arm]\nbase = \"https://arm.machine\"\n",
        );
        let user = file(
            &dir,
            "user.toml",
            "[arm]\nbase = \"https://arm.user\"\n[gcm]\ngit = \"/usr/bin/git\"\n",
        );
        let env = file(
            &dir,
            "env.toml",
            "[arm]\nbase = \"http://127.0.0.1:9/arm\"\n",
        );
        let loaded = ConfigLoader {
            machine: Some(machine.clone()),
            user: Some(user.clone()),
            env: Some(env.clone()),
            overrides: vec!["identity.tenant=contoso.com".into()],
            ..Default::default()
        }
        .load()
        .unwrap();
        let c = &loaded.config;
        assert_eq!(c.arm.base, "http://127.0.0.1:9/arm");
        assert_eq!(c.gcm.git, "/usr/bin/git");
        assert_eq!(c.policy.allowed_tenants, vec!["contoso.com"]);
        assert_eq!(c.identity.tenant, "contoso.com");
        assert_eq!(loaded.origins["arm.base"], Origin::Env(env));
        assert_eq!(loaded.origins["gcm.git"], Origin::User(user));
        assert_eq!(
            loaded.origins["policy.allowed_tenants"],
            Origin::Machine(machine)
        );
        assert_eq!(loaded.origins["identity.tenant"], Origin::Flag);
        assert_eq!(loaded.files.len(), 3);
    }

    #[test]
    fn missing_optional_files_are_skipped_but_env_file_is_required() {
        let dir = tempfile::tempdir().unwrap();
        let absent = dir.path().join("absent.toml");
        let ok = ConfigLoader {
            machine: Some(absent.clone()),
            user: Some(absent.clone()),
            ..Default::default()
        }
        .load();
        assert!(ok.is_ok());
        let err = ConfigLoader {
            env: Some(absent),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigUnreadable);
        assert!(err.message.contains("absent.toml"));
    }

    #[test]
    fn unknown_key_names_key_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(&dir, "user.toml", "[identity]\nclient = \"x\"\n");
        let err = ConfigLoader {
            user: Some(p),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigInvalid);
        assert!(err.message.contains("identity.client"), "{}", err.message);
        assert!(err.message.contains("user.toml"), "{}", err.message);
    }

    #[test]
    fn unknown_section_and_wrong_type_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(&dir, "a.toml", "[extras]\nx = 1\n");
        let err = ConfigLoader {
            env: Some(p),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert!(err.message.contains("[extras]"), "{}", err.message);
        let p = file(&dir, "b.toml", "[identity]\nscopes = \"one\"\n");
        let err = ConfigLoader {
            env: Some(p),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert!(err.message.contains("list of strings"), "{}", err.message);
    }

    #[test]
    fn malformed_url_is_an_error_naming_key_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(&dir, "env.toml", "[devops]\norg_base = \"not a url\"\n");
        let err = ConfigLoader {
            env: Some(p),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert!(err.message.contains("devops.org_base"), "{}", err.message);
        assert!(err.message.contains("env.toml"), "{}", err.message);
    }

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(validate_endpoint_url("http://127.0.0.1:8080/login").is_ok());
        assert!(validate_endpoint_url("http://127.8.9.1/x").is_ok());
        assert!(validate_endpoint_url("http://localhost:1/x").is_ok());
        assert!(validate_endpoint_url("http://[::1]:1/x").is_ok());
        assert!(validate_endpoint_url("https://dev.azure.com").is_ok());
        let err = validate_endpoint_url("http://dev.azure.com").unwrap_err();
        assert!(err.contains("not this machine"));
        assert!(validate_endpoint_url("http://127.0.0.1.evil.com/").is_err());
        assert!(validate_endpoint_url("ftp://127.0.0.1/").is_err());
        assert!(validate_endpoint_url("https://user:pw@dev.azure.com").is_err());
        let dir = tempfile::tempdir().unwrap();
        let p = file(&dir, "env.toml", "[arm]\nbase = \"http://10.0.0.5/arm\"\n");
        let err = ConfigLoader {
            env: Some(p),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert!(err.message.contains("arm.base"), "{}", err.message);
    }

    #[test]
    fn policy_only_from_machine_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(&dir, "user.toml", "[policy]\nallowed_tenants = []\n");
        let err = ConfigLoader {
            user: Some(p),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert!(err.message.contains("machine policy"), "{}", err.message);
    }

    #[test]
    fn flags_parse_values_and_reject_garbage() {
        let loaded = ConfigLoader::default()
            .with_overrides(vec![
                "identity.scopes=[\"a\", \"b\"]".into(),
                "gcm.legacy_cache_path=/tmp/x y".into(),
            ])
            .load()
            .unwrap();
        assert_eq!(loaded.config.identity.scopes, vec!["a", "b"]);
        assert_eq!(loaded.config.gcm.legacy_cache_path, "/tmp/x y");
        let err = ConfigLoader::default()
            .with_overrides(vec!["tenant".into()])
            .load()
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigInvalid);
        let err = ConfigLoader::default()
            .with_overrides(vec!["identity.client_id=nope".into()])
            .load()
            .unwrap_err();
        assert!(err.message.contains("identity.client_id"));
        assert!(err.message.contains("command line"));
    }

    #[test]
    fn a_policy_value_beats_the_users_file_the_environment_and_flags() {
        let dir = tempfile::tempdir().unwrap();
        let fixed_id = "11111111-2222-3333-4444-555555555555";
        let machine = file(
            &dir,
            "machine.toml",
            &format!(
                "[policy]\nclient_id = \"{fixed_id}\"\ntenant = \"contoso.com\"\nupdates = false\n"
            ),
        );
        let user = file(
            &dir,
            "user.toml",
            "[identity]\nclient_id = \"22222222-2222-3333-4444-555555555555\"\n",
        );
        let env = file(
            &dir,
            "env.toml",
            "[identity]\ntenant = \"fabrikam.com\"\nclient_id = \"33333333-2222-3333-4444-555555555555\"\n",
        );
        let loaded = ConfigLoader {
            machine: Some(machine.clone()),
            user: Some(user.clone()),
            env: Some(env.clone()),
            overrides: vec!["identity.tenant=adatum.com".into()],
            ..Default::default()
        }
        .load()
        .unwrap();
        let c = &loaded.config;
        assert_eq!(c.identity.client_id, fixed_id);
        assert_eq!(c.identity.tenant, "contoso.com");
        assert!(!c.policy.updates);
        assert_eq!(
            loaded.origins["identity.client_id"],
            Origin::Machine(machine.clone())
        );
        assert_eq!(
            loaded.origins["identity.tenant"],
            Origin::Machine(machine.clone())
        );
        for key in [
            "identity.client_id",
            "identity.tenant",
            "policy.client_id",
            "policy.tenant",
            "policy.updates",
        ] {
            assert!(loaded.is_enforced(key), "{key} enforced");
        }
        assert!(!loaded.is_enforced("arm.base"));
        assert!(!loaded.is_enforced("policy.demo"), "left at its default");
        let ignored: Vec<(&str, &Origin)> = loaded
            .ignored
            .iter()
            .map(|i| (i.key.as_str(), &i.origin))
            .collect();
        assert_eq!(
            ignored,
            vec![
                ("identity.client_id", &Origin::Env(env.clone())),
                ("identity.tenant", &Origin::Flag),
            ]
        );
        let text = loaded.render_text();
        assert!(text.contains("(set by your organization)"), "{text}");
        assert!(
            text.contains("# ignored: identity.tenant from command line"),
            "{text}"
        );
        // The user cannot turn a policy value back with `--set policy.…` or a `[policy]` file.
        let err = ConfigLoader {
            machine: Some(machine.clone()),
            overrides: vec!["policy.updates=true".into()],
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert!(err.message.contains("machine policy"), "{}", err.message);
        let sneaky = file(&dir, "sneaky.toml", "[policy]\nclient_id = \"\"\n");
        let err = ConfigLoader {
            machine: Some(machine),
            env: Some(sneaky),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert!(err.message.contains("machine policy"), "{}", err.message);
    }

    #[test]
    fn without_policy_the_user_layers_still_win_over_the_machine_file() {
        let dir = tempfile::tempdir().unwrap();
        let machine = file(
            &dir,
            "machine.toml",
            "[identity]\ntenant = \"contoso.com\"\n[policy]\ndemo = false\n",
        );
        let user = file(&dir, "user.toml", "[identity]\ntenant = \"fabrikam.com\"\n");
        let loaded = ConfigLoader {
            machine: Some(machine),
            user: Some(user.clone()),
            ..Default::default()
        }
        .load()
        .unwrap();
        assert_eq!(loaded.config.identity.tenant, "fabrikam.com");
        assert_eq!(loaded.origins["identity.tenant"], Origin::User(user));
        assert_eq!(loaded.enforced, vec!["policy.demo".to_string()]);
        assert!(loaded.ignored.is_empty());
    }

    #[test]
    fn the_registry_is_a_policy_layer_after_the_machine_file() {
        use crate::policy::RawRegistryValue as R;
        let dir = tempfile::tempdir().unwrap();
        let machine = file(
            &dir,
            "machine.toml",
            "[policy]\nallowed_tenants = [\"contoso.com\"]\ndemo = true\n",
        );
        let user = file(
            &dir,
            "user.toml",
            "[identity]\nclient_id = \"22222222-2222-3333-4444-555555555555\"\n",
        );
        let loaded = ConfigLoader {
            machine: Some(machine.clone()),
            registry: Some(Ok(vec![
                R::dword("Demo", 0),
                R::string("ClientId", "11111111-2222-3333-4444-555555555555"),
                R::string("Proxy", "http://proxy.contoso.com:8080"),
            ])),
            user: Some(user),
            ..Default::default()
        }
        .load()
        .unwrap();
        let c = &loaded.config;
        assert!(!c.policy.demo);
        assert_eq!(c.policy.allowed_tenants, vec!["contoso.com"]);
        assert_eq!(c.identity.client_id, "11111111-2222-3333-4444-555555555555");
        assert_eq!(
            c.policy.proxy_url().unwrap().as_str(),
            "http://proxy.contoso.com:8080/"
        );
        assert_eq!(loaded.origins["policy.demo"], Origin::Registry);
        assert_eq!(loaded.origins["identity.client_id"], Origin::Registry);
        assert_eq!(
            loaded.origins["policy.allowed_tenants"],
            Origin::Machine(machine)
        );
        assert!(loaded
            .render_text()
            .contains(r"# machine policy HKLM\SOFTWARE\Policies\ADO Connect"));
        // A bad registry value names the value; an unreadable key fails the load.
        let err = ConfigLoader {
            registry: Some(Ok(vec![R::string("ClientId", "not-a-guid")])),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert!(err.message.contains("policy.client_id"), "{}", err.message);
        assert!(
            err.message.contains(REGISTRY_KEY_DISPLAY),
            "{}",
            err.message
        );
        let err = ConfigLoader {
            registry: Some(Err(Error::new(ErrorCode::ConfigUnreadable, "denied", "x"))),
            ..Default::default()
        }
        .load()
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigUnreadable);
    }

    #[test]
    fn the_users_proxy_is_saved_in_place_and_checked_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ado-connect").join("config.toml");
        let load = |p: &Path| {
            ConfigLoader {
                user: Some(p.to_path_buf()),
                ..Default::default()
            }
            .load()
            .unwrap()
        };
        // No file yet: made, with its folder.
        set_user_setting(&path, "network.proxy", "http://proxy.contoso.com:8080", &[]).unwrap();
        let l = load(&path);
        assert_eq!(l.config.network.proxy, "http://proxy.contoso.com:8080");
        assert_eq!(l.origins["network.proxy"], Origin::User(path.clone()));
        assert_eq!(
            l.config.proxy_url().unwrap().as_str(),
            "http://proxy.contoso.com:8080/"
        );
        // Comments and other settings stay; the file before the change is kept.
        let before = "# mine\n[gcm]\ngit = \"/usr/bin/git\" # keep\n\n[network]\nproxy = \"http://old:3128\"\n";
        std::fs::write(&path, before).unwrap();
        set_user_setting(&path, "network.proxy", " socks5://127.0.0.1:1080 ", &[]).unwrap();
        let after = std::fs::read_to_string(&path).unwrap();
        assert!(
            after.contains("# mine") && after.contains("# keep"),
            "{after}"
        );
        assert_eq!(load(&path).config.network.proxy, "socks5://127.0.0.1:1080");
        assert_eq!(
            std::fs::read_to_string(path.with_extension("toml.bak")).unwrap(),
            before
        );
        // Empty: the key goes, the default (the environment's proxy) applies.
        set_user_setting(&path, "network.proxy", "", &[]).unwrap();
        assert_eq!(load(&path).config.network.proxy, "");
        assert!(std::fs::read_to_string(&path).unwrap().contains("# keep"));
        // Bad values, other keys, and what policy fixes: refused, the file untouched.
        let now = std::fs::read_to_string(&path).unwrap();
        for (key, value, enforced, says) in [
            (
                "network.proxy",
                "http://user:pw@proxy:8080",
                vec![],
                "proxy",
            ),
            ("network.proxy", "proxy.contoso.com:8080", vec![], "proxy"),
            ("identity.tenant", "contoso.com", vec![], "network.proxy"),
            (
                "network.proxy",
                "http://proxy:8080",
                vec!["network.proxy".to_string()],
                "IT desk",
            ),
        ] {
            let e = set_user_setting(&path, key, value, &enforced).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput, "{key}={value}");
            assert!(
                format!("{} {}", e.message, e.remedy).contains(says),
                "{key}={value}: {}",
                e.message
            );
            assert!(!e.message.contains("pw"), "no credentials echoed");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), now);
            assert!(!path.with_extension("toml.new").exists());
        }
        // A file that is not TOML is not rewritten.
        std::fs::write(&path, "[network\n").unwrap();
        let e = set_user_setting(&path, "network.proxy", "http://p:1", &[]).unwrap_err();
        assert_eq!(e.code, ErrorCode::ConfigInvalid);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[network\n");
    }

    #[test]
    fn policy_proxy_replaces_the_users() {
        let dir = tempfile::tempdir().unwrap();
        let machine = file(
            &dir,
            "machine.toml",
            "[policy]\nproxy = \"http://proxy.contoso.com:8080\"\n",
        );
        let user = file(
            &dir,
            "user.toml",
            "[network]\nproxy = \"http://home:3128\"\n",
        );
        let l = ConfigLoader {
            machine: Some(machine.clone()),
            user: Some(user.clone()),
            ..Default::default()
        }
        .load()
        .unwrap();
        assert_eq!(l.config.network.proxy, "http://proxy.contoso.com:8080");
        assert!(l.enforced.contains(&"network.proxy".to_string()));
        assert_eq!(l.ignored[0].key, "network.proxy");
        assert_eq!(l.ignored[0].origin, Origin::User(user.clone()));
        // And the app refuses to change it.
        let e = set_user_setting(&user, "network.proxy", "", &l.enforced).unwrap_err();
        assert!(e.remedy.contains("IT desk"));
    }

    #[test]
    fn policy_proxy_tenant_and_client_id_are_validated() {
        let dir = tempfile::tempdir().unwrap();
        for (text, key) in [
            ("proxy = \"ftp://proxy:21\"", "policy.proxy"),
            ("proxy = \"http://user:pw@proxy:8080\"", "policy.proxy"),
            ("proxy = \"http://proxy:8080/path\"", "policy.proxy"),
            ("proxy = \"proxy:8080\"", "policy.proxy"),
            ("proxy = \"http://proxy:8080\\n\"", "policy.proxy"),
            ("tenant = \"contoso\"", "policy.tenant"),
            ("client_id = \"nope\"", "policy.client_id"),
        ] {
            let p = file(&dir, "machine.toml", &format!("[policy]\n{text}\n"));
            let err = ConfigLoader {
                machine: Some(p),
                ..Default::default()
            }
            .load()
            .unwrap_err();
            assert!(err.message.contains(key), "{text}: {}", err.message);
        }
        for ok in [
            "http://proxy.contoso.com:8080",
            "https://proxy.contoso.com",
            "socks5://127.0.0.1:1080",
        ] {
            assert!(validate_proxy_url(ok).is_ok(), "{ok}");
        }
        // A password never comes back in a message, whichever check fails.
        for bad in [
            "http://me:s3cret@proxy:8080",
            "ftp://me:s3cret@proxy:21",
            "http://me:s3cret@proxy:8080/path",
            "http://me:s3cret@proxy:8080 ",
            "http://me:s3cret@[::1:8080",
        ] {
            let why = validate_proxy_url(bad).unwrap_err();
            assert!(!why.contains("s3cret") && !why.contains("me:"), "{why}");
        }
    }

    #[test]
    fn tenant_segments_and_domains() {
        assert!(validate_tenant_segment("organizations").is_ok());
        assert!(validate_tenant_segment("72f988bf-86f1-41af-91ab-2d7cd011db47").is_ok());
        assert!(validate_tenant_segment("contoso.onmicrosoft.com").is_ok());
        assert!(validate_tenant_segment("contoso").is_err());
        assert!(validate_tenant_segment("contoso.com/../x").is_err());
        assert!(validate_tenant_segment("-bad.com").is_err());
        assert!(validate_tenant_segment("con toso.com").is_err());
    }
}
