//! Machine policy: what an IT desk fixes for every user of a machine.
//!
//! Policy comes from the machine file (`[policy]` in `/etc/ado-connect/config.toml`,
//! `%ProgramData%\ADO Connect\config.toml`, `/Library/Application Support/ADO Connect/config.toml`)
//! and, on Windows, from the registry key `HKLM\SOFTWARE\Policies\ADO Connect` (Group Policy,
//! Intune). Only those two layers may set `[policy]`, and what they fix the user's file, the
//! environment and the command line cannot change (see [`crate::config`]).
//!
//! The registry is read only on Windows; turning its values (name, type, data) into settings
//! is portable code, tested on every OS. The updater decision is here too: updates run only
//! in a build that carries an update key and endpoint, and only when policy allows them.

use crate::config::{ConfigLoader, PolicyConfig};
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;

/// The registry key under `HKEY_LOCAL_MACHINE`.
pub const REGISTRY_SUBKEY: &str = r"SOFTWARE\Policies\ADO Connect";
/// The key as IT desks write it, for messages and `config show`.
pub const REGISTRY_KEY_DISPLAY: &str = r"HKLM\SOFTWARE\Policies\ADO Connect";

// Registry value types (winnt.h).
pub const REG_SZ: u32 = 1;
pub const REG_EXPAND_SZ: u32 = 2;
pub const REG_BINARY: u32 = 3;
pub const REG_DWORD: u32 = 4;
pub const REG_MULTI_SZ: u32 = 7;
pub const REG_QWORD: u32 = 11;

/// One value as the registry holds it: its name, its type and its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRegistryValue {
    pub name: String,
    pub kind: u32,
    pub data: Vec<u8>,
}

impl RawRegistryValue {
    /// A `REG_SZ` value (UTF-16LE, NUL-terminated), as the registry stores it.
    pub fn string(name: &str, value: &str) -> Self {
        RawRegistryValue {
            name: name.into(),
            kind: REG_SZ,
            data: utf16_bytes(&[value]),
        }
    }

    /// A `REG_MULTI_SZ` value: strings each NUL-terminated, then one more NUL.
    pub fn multi_string(name: &str, values: &[&str]) -> Self {
        let mut data = utf16_bytes(values);
        data.extend_from_slice(&[0, 0]);
        RawRegistryValue {
            name: name.into(),
            kind: REG_MULTI_SZ,
            data,
        }
    }

    /// A `REG_DWORD` value (little-endian).
    pub fn dword(name: &str, value: u32) -> Self {
        RawRegistryValue {
            name: name.into(),
            kind: REG_DWORD,
            data: value.to_le_bytes().to_vec(),
        }
    }
}

fn utf16_bytes(strings: &[&str]) -> Vec<u8> {
    let mut out = vec![];
    for s in strings {
        for unit in s.encode_utf16().chain(std::iter::once(0)) {
            out.extend_from_slice(&unit.to_le_bytes());
        }
    }
    out
}

/// A registry value decoded from its type and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryValue {
    String(String),
    MultiString(Vec<String>),
    Number(u64),
    /// A type this policy never uses (binary, links, resource lists): its type number.
    Unsupported(u32),
}

/// Decode a value's bytes by its type. Malformed data (odd length, bad UTF-16, a short
/// DWORD) is an error naming the value.
pub fn decode_registry_value(value: &RawRegistryValue) -> Result<RegistryValue> {
    let bad = |why: &str| registry_error(&value.name, why);
    match value.kind {
        REG_SZ | REG_EXPAND_SZ | REG_MULTI_SZ => {
            let chunks = value.data.chunks_exact(2);
            if !chunks.remainder().is_empty() {
                return Err(bad("its text is not valid UTF-16 (odd length)"));
            }
            let units: Vec<u16> = chunks.map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            let text =
                String::from_utf16(&units).map_err(|_| bad("its text is not valid UTF-16"))?;
            if value.kind == REG_MULTI_SZ {
                Ok(RegistryValue::MultiString(
                    text.split('\0')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                ))
            } else {
                // The terminating NUL (and anything a careless writer left after it) goes.
                let text = text.split('\0').next().unwrap_or_default();
                Ok(RegistryValue::String(text.to_owned()))
            }
        }
        REG_DWORD => {
            let bytes: [u8; 4] = value
                .data
                .as_slice()
                .try_into()
                .map_err(|_| bad("a DWORD must be 4 bytes"))?;
            Ok(RegistryValue::Number(u32::from_le_bytes(bytes) as u64))
        }
        REG_QWORD => {
            let bytes: [u8; 8] = value
                .data
                .as_slice()
                .try_into()
                .map_err(|_| bad("a QWORD must be 8 bytes"))?;
            Ok(RegistryValue::Number(u64::from_le_bytes(bytes)))
        }
        other => Ok(RegistryValue::Unsupported(other)),
    }
}

fn registry_error(name: &str, why: &str) -> Error {
    Error::new(
        ErrorCode::ConfigInvalid,
        format!(
            "The policy value `{}` in {REGISTRY_KEY_DISPLAY} is not valid: {why}.",
            name.escape_debug()
        ),
        "Correct the value (see docs/it-desks.md, Windows registry) or delete it to use the default.",
    )
}

/// What each registry value sets: its documented name, the `[policy]` key, and the kind.
#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Text,
    List,
}

const REGISTRY_NAMES: &[(&str, &str, Kind)] = &[
    ("AllowedTenants", "allowed_tenants", Kind::List),
    ("Demo", "demo", Kind::Bool),
    ("Updates", "updates", Kind::Bool),
    ("ClientId", "client_id", Kind::Text),
    ("Tenant", "tenant", Kind::Text),
    ("Proxy", "proxy", Kind::Text),
];

/// The registry's values as the `[policy]` section of a configuration layer. Names are
/// matched without regard to case or underscores (`AllowedTenants`, `allowed_tenants`).
/// Booleans are DWORD 0 or 1 (or the strings true/false, 1/0, yes/no); lists are
/// REG_MULTI_SZ (or one string separated by commas, semicolons or spaces). An unknown name
/// or a wrong type is an error: a misspelt policy must not silently fail to apply.
pub fn registry_policy_layer(values: &[RawRegistryValue]) -> Result<toml::Table> {
    let mut policy = toml::Table::new();
    for raw in values {
        // The key's unnamed default value is empty-named; Group Policy leaves it unset.
        if raw.name.is_empty() {
            continue;
        }
        let wanted: String = raw
            .name
            .chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        let Some((doc_name, key, kind)) = REGISTRY_NAMES
            .iter()
            .find(|(doc, _, _)| doc.to_lowercase() == wanted)
        else {
            let known: Vec<&str> = REGISTRY_NAMES.iter().map(|(n, _, _)| *n).collect();
            return Err(registry_error(
                &raw.name,
                &format!("unknown value name (known: {})", known.join(", ")),
            ));
        };
        let decoded = decode_registry_value(raw)?;
        let value = match (kind, decoded) {
            (Kind::Bool, RegistryValue::Number(n)) => match n {
                0 => toml::Value::Boolean(false),
                1 => toml::Value::Boolean(true),
                _ => return Err(registry_error(doc_name, "a DWORD here must be 0 or 1")),
            },
            (Kind::Bool, RegistryValue::String(s)) => {
                match s.trim().to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" => toml::Value::Boolean(true),
                    "0" | "false" | "no" => toml::Value::Boolean(false),
                    _ => {
                        return Err(registry_error(
                            doc_name,
                            "use a DWORD 0 or 1 (or the text true or false)",
                        ))
                    }
                }
            }
            (Kind::Text, RegistryValue::String(s)) => toml::Value::String(s.trim().to_owned()),
            (Kind::List, RegistryValue::MultiString(items)) => toml::Value::Array(
                items
                    .iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .map(|s| toml::Value::String(s.to_owned()))
                    .collect(),
            ),
            (Kind::List, RegistryValue::String(s)) => toml::Value::Array(
                s.split([',', ';', ' ', '\t'])
                    .filter(|s| !s.is_empty())
                    .map(|s| toml::Value::String(s.to_owned()))
                    .collect(),
            ),
            (kind, _) => {
                let want = match kind {
                    Kind::Bool => "a DWORD (0 or 1)",
                    Kind::Text => "a string (REG_SZ)",
                    Kind::List => "a multi-string (REG_MULTI_SZ)",
                };
                return Err(registry_error(
                    doc_name,
                    &format!("it has type {}; use {want}", type_name(raw.kind)),
                ));
            }
        };
        if policy.insert(key.to_string(), value).is_some() {
            return Err(registry_error(doc_name, "it is set twice"));
        }
    }
    let mut layer = toml::Table::new();
    if !policy.is_empty() {
        layer.insert("policy".into(), toml::Value::Table(policy));
    }
    Ok(layer)
}

fn type_name(kind: u32) -> String {
    match kind {
        REG_SZ => "REG_SZ".into(),
        REG_EXPAND_SZ => "REG_EXPAND_SZ".into(),
        REG_BINARY => "REG_BINARY".into(),
        REG_DWORD => "REG_DWORD".into(),
        REG_MULTI_SZ => "REG_MULTI_SZ".into(),
        REG_QWORD => "REG_QWORD".into(),
        n => format!("type {n}"),
    }
}

/// The values under `HKLM\SOFTWARE\Policies\ADO Connect`, or `None` when the key does not
/// exist. Always `None` on other systems.
#[cfg(windows)]
pub fn read_registry_values() -> Result<Option<Vec<RawRegistryValue>>> {
    use winreg::enums::{HKEY_LOCAL_MACHINE, KEY_READ, KEY_WOW64_64KEY};
    use winreg::RegKey;
    let unreadable = |e: std::io::Error| {
        Error::new(
            ErrorCode::ConfigUnreadable,
            format!("The policy key {REGISTRY_KEY_DISPLAY} cannot be read: {e}."),
            "Check the key's permissions: every user must be able to read it.",
        )
    };
    let key = match RegKey::predef(HKEY_LOCAL_MACHINE)
        .open_subkey_with_flags(REGISTRY_SUBKEY, KEY_READ | KEY_WOW64_64KEY)
    {
        Ok(key) => key,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(e)),
    };
    let mut out = vec![];
    for item in key.enum_values() {
        let (name, value) = item.map_err(unreadable)?;
        out.push(RawRegistryValue {
            name,
            kind: value.vtype as u32,
            data: value.bytes.into_owned(),
        });
    }
    Ok(Some(out))
}

/// The values under `HKLM\SOFTWARE\Policies\ADO Connect`: there is no registry here.
#[cfg(not(windows))]
pub fn read_registry_values() -> Result<Option<Vec<RawRegistryValue>>> {
    Ok(None)
}

/// The machine policy alone (defaults, the machine file, the Windows registry), without
/// the user's layers: a broken user file must not change what the organization decided.
pub fn machine_policy() -> Result<PolicyConfig> {
    ConfigLoader::machine_only().load().map(|l| l.config.policy)
}

/// The updater settings a build carries (from the build-time configuration: the
/// `plugins.updater` section merged into `tauri.conf.json` by `scripts/bundle.sh`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdaterBuild {
    pub pubkey: String,
    pub endpoints: Vec<String>,
}

impl UpdaterBuild {
    /// Read the `plugins.updater` object of the app's configuration (`null` when absent).
    pub fn from_plugin_config(value: Option<&serde_json::Value>) -> UpdaterBuild {
        let Some(v) = value else {
            return UpdaterBuild::default();
        };
        UpdaterBuild {
            pubkey: v
                .get("pubkey")
                .and_then(|k| k.as_str())
                .unwrap_or_default()
                .trim()
                .to_owned(),
            endpoints: v
                .get("endpoints")
                .and_then(|e| e.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// Whether this app checks for updates, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum UpdatesDecision {
    On {
        endpoints: Vec<String>,
    },
    /// The machine policy says `updates = false`.
    OffByPolicy,
    /// The machine policy could not be read: off, rather than against the organization's will.
    OffPolicyUnreadable,
    /// Built without an update key (every local and test build).
    OffNoKey,
    /// Built with a key but without a usable https endpoint.
    OffNoEndpoint,
}

impl UpdatesDecision {
    pub fn is_on(&self) -> bool {
        matches!(self, UpdatesDecision::On { .. })
    }

    /// One line for the log and the diagnostic summary.
    pub fn describe(&self) -> String {
        match self {
            UpdatesDecision::On { endpoints } => {
                format!("updates on (checking {})", endpoints.join(", "))
            }
            UpdatesDecision::OffByPolicy => "updates off: turned off by machine policy".into(),
            UpdatesDecision::OffPolicyUnreadable => {
                "updates off: the machine policy could not be read".into()
            }
            UpdatesDecision::OffNoKey => "updates off: this build has no update key".into(),
            UpdatesDecision::OffNoEndpoint => {
                "updates off: this build has no https update endpoint".into()
            }
        }
    }
}

/// The updater decision: policy first (an organization that turned updates off is obeyed
/// whatever the build), then the build (no key, no updates; endpoints must be https).
pub fn decide_updates(
    policy: Result<&PolicyConfig, &Error>,
    build: &UpdaterBuild,
) -> UpdatesDecision {
    match policy {
        Err(_) => return UpdatesDecision::OffPolicyUnreadable,
        Ok(p) if !p.updates => return UpdatesDecision::OffByPolicy,
        Ok(_) => {}
    }
    if build.pubkey.is_empty() {
        return UpdatesDecision::OffNoKey;
    }
    let endpoints: Vec<String> = build
        .endpoints
        .iter()
        .filter(|e| {
            url::Url::parse(e)
                .map(|u| u.scheme() == "https" && u.host_str().is_some())
                .unwrap_or(false)
        })
        .cloned()
        .collect();
    if endpoints.is_empty() || endpoints.len() != build.endpoints.len() {
        return UpdatesDecision::OffNoEndpoint;
    }
    UpdatesDecision::On { endpoints }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn build() -> UpdaterBuild {
        UpdaterBuild {
            pubkey: "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk=".into(),
            endpoints: vec!["https://updates.example.com/{{target}}/{{current_version}}".into()],
        }
    }

    #[test]
    fn updates_on_only_with_a_key_an_https_endpoint_and_policy_allowing() {
        let policy = Config::default().policy;
        assert!(decide_updates(Ok(&policy), &build()).is_on());
        assert_eq!(
            decide_updates(Ok(&policy), &UpdaterBuild::default()),
            UpdatesDecision::OffNoKey
        );
        let mut no_endpoint = build();
        no_endpoint.endpoints.clear();
        assert_eq!(
            decide_updates(Ok(&policy), &no_endpoint),
            UpdatesDecision::OffNoEndpoint
        );
        let mut http = build();
        http.endpoints = vec!["http://updates.example.com/x".into()];
        assert_eq!(
            decide_updates(Ok(&policy), &http),
            UpdatesDecision::OffNoEndpoint
        );
    }

    #[test]
    fn updates_off_under_policy_whatever_the_build() {
        let mut policy = Config::default().policy;
        policy.updates = false;
        assert_eq!(
            decide_updates(Ok(&policy), &build()),
            UpdatesDecision::OffByPolicy
        );
        let err = Error::internal("x");
        assert_eq!(
            decide_updates(Err(&err), &build()),
            UpdatesDecision::OffPolicyUnreadable
        );
        assert!(UpdatesDecision::OffByPolicy
            .describe()
            .contains("machine policy"));
    }

    #[test]
    fn updates_off_when_the_machine_file_says_so_even_if_the_user_disagrees() {
        let dir = tempfile::tempdir().unwrap();
        let machine = dir.path().join("machine.toml");
        std::fs::write(&machine, "[policy]\nupdates = false\n").unwrap();
        let policy = ConfigLoader {
            machine: Some(machine),
            ..Default::default()
        }
        .load()
        .unwrap()
        .config
        .policy;
        assert_eq!(
            decide_updates(Ok(&policy), &build()),
            UpdatesDecision::OffByPolicy
        );
        // The registry says the same on Windows.
        let policy = ConfigLoader {
            registry: Some(Ok(vec![RawRegistryValue::dword("Updates", 0)])),
            ..Default::default()
        }
        .load()
        .unwrap()
        .config
        .policy;
        assert_eq!(
            decide_updates(Ok(&policy), &build()),
            UpdatesDecision::OffByPolicy
        );
    }

    #[test]
    fn updater_build_reads_the_plugin_section() {
        assert_eq!(
            UpdaterBuild::from_plugin_config(None),
            UpdaterBuild::default()
        );
        let v = serde_json::json!({"pubkey": " KEY ", "endpoints": ["https://u.example/x"]});
        let b = UpdaterBuild::from_plugin_config(Some(&v));
        assert_eq!(b.pubkey, "KEY");
        assert_eq!(b.endpoints, vec!["https://u.example/x"]);
        let v = serde_json::json!({"endpoints": "nope"});
        assert_eq!(
            UpdaterBuild::from_plugin_config(Some(&v)),
            UpdaterBuild::default()
        );
    }

    #[test]
    fn registry_bytes_decode_by_type() {
        let v = decode_registry_value(&RawRegistryValue::string("Tenant", "contoso.com")).unwrap();
        assert_eq!(v, RegistryValue::String("contoso.com".into()));
        let v = decode_registry_value(&RawRegistryValue::multi_string(
            "AllowedTenants",
            &["contoso.com", "fabrikam.com"],
        ))
        .unwrap();
        assert_eq!(
            v,
            RegistryValue::MultiString(vec!["contoso.com".into(), "fabrikam.com".into()])
        );
        let v = decode_registry_value(&RawRegistryValue::dword("Demo", 1)).unwrap();
        assert_eq!(v, RegistryValue::Number(1));
        let q = RawRegistryValue {
            name: "Updates".into(),
            kind: REG_QWORD,
            data: 0u64.to_le_bytes().to_vec(),
        };
        assert_eq!(decode_registry_value(&q).unwrap(), RegistryValue::Number(0));
        // Non-ASCII text survives UTF-16.
        let v =
            decode_registry_value(&RawRegistryValue::string("Proxy", "http://prøxy:8080")).unwrap();
        assert_eq!(v, RegistryValue::String("http://prøxy:8080".into()));
        // A string written without its terminating NUL is still read.
        let mut no_nul = RawRegistryValue::string("Tenant", "contoso.com");
        no_nul.data.truncate(no_nul.data.len() - 2);
        assert_eq!(
            decode_registry_value(&no_nul).unwrap(),
            RegistryValue::String("contoso.com".into())
        );
    }

    #[test]
    fn malformed_registry_bytes_are_errors_naming_the_value() {
        let odd = RawRegistryValue {
            name: "Tenant".into(),
            kind: REG_SZ,
            data: vec![b'a', 0, b'b'],
        };
        let err = decode_registry_value(&odd).unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigInvalid);
        assert!(err.message.contains("`Tenant`"), "{}", err.message);
        assert!(err.message.contains(REGISTRY_KEY_DISPLAY));
        let short = RawRegistryValue {
            name: "Demo".into(),
            kind: REG_DWORD,
            data: vec![1, 0],
        };
        assert!(decode_registry_value(&short).is_err());
        let lone_surrogate = RawRegistryValue {
            name: "Tenant".into(),
            kind: REG_SZ,
            data: vec![0x00, 0xd8, 0, 0],
        };
        assert!(decode_registry_value(&lone_surrogate).is_err());
    }

    #[test]
    fn registry_values_become_the_policy_section() {
        let layer = registry_policy_layer(&[
            RawRegistryValue::multi_string("AllowedTenants", &["contoso.com", " ", "fabrikam.com"]),
            RawRegistryValue::dword("Demo", 0),
            RawRegistryValue::string("updates", "false"),
            RawRegistryValue::string("ClientId", " 11111111-2222-3333-4444-555555555555 "),
            RawRegistryValue::string("Tenant", "contoso.onmicrosoft.com"),
            RawRegistryValue::string("proxy", "http://proxy.contoso.com:8080"),
            RawRegistryValue::string("", "the default value is ignored"),
        ])
        .unwrap();
        let p = layer["policy"].as_table().unwrap();
        assert_eq!(
            p["allowed_tenants"],
            toml::Value::Array(vec!["contoso.com".into(), "fabrikam.com".into()])
        );
        assert_eq!(p["demo"], toml::Value::Boolean(false));
        assert_eq!(p["updates"], toml::Value::Boolean(false));
        assert_eq!(
            p["client_id"].as_str(),
            Some("11111111-2222-3333-4444-555555555555")
        );
        assert_eq!(p["tenant"].as_str(), Some("contoso.onmicrosoft.com"));
        assert_eq!(p["proxy"].as_str(), Some("http://proxy.contoso.com:8080"));
        // One string with separators is a list too; snake_case names are accepted.
        let layer = registry_policy_layer(&[RawRegistryValue::string(
            "allowed_tenants",
            "contoso.com; fabrikam.com,adatum.com",
        )])
        .unwrap();
        assert_eq!(
            layer["policy"]["allowed_tenants"].as_array().unwrap().len(),
            3
        );
        assert!(registry_policy_layer(&[]).unwrap().is_empty());
    }

    #[test]
    fn registry_typos_and_wrong_types_are_errors() {
        let cases = [
            RawRegistryValue::dword("Update", 0),
            RawRegistryValue::dword("Updates", 2),
            RawRegistryValue::string("Demo", "maybe"),
            RawRegistryValue::dword("ClientId", 1),
            RawRegistryValue::dword("AllowedTenants", 1),
            RawRegistryValue {
                name: "Tenant".into(),
                kind: REG_BINARY,
                data: vec![1, 2, 3],
            },
        ];
        for raw in cases {
            let err = registry_policy_layer(std::slice::from_ref(&raw)).unwrap_err();
            assert_eq!(err.code, ErrorCode::ConfigInvalid, "{raw:?}");
            assert!(
                err.message.contains(REGISTRY_KEY_DISPLAY),
                "{}",
                err.message
            );
        }
        let err = registry_policy_layer(&[
            RawRegistryValue::dword("Demo", 0),
            RawRegistryValue::dword("demo", 1),
        ])
        .unwrap_err();
        assert!(err.message.contains("twice"), "{}", err.message);
        let err = registry_policy_layer(&[RawRegistryValue::dword("Tenant", 1)]).unwrap_err();
        assert!(err.message.contains("REG_DWORD"), "{}", err.message);
    }
}
