//! Shared by the gcm_* integration tests: a throwaway home with its own global git config and
//! tenant cache, real gzip files written by a generator that follows reference §4a, and the
//! real git pointed at them without touching this process's environment.

#![allow(dead_code)] // each test file uses a different part

use ado_connect_core::gcm::GcmOptions;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const CONTOSO_TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const FABRIKAM_TENANT: &str = "0b9e1d4c-5a3f-4c7e-8d2b-6f1a9e3c7d55";
pub const MSA_TENANT: &str = "00000000-0000-0000-0000-000000000000";
pub const AUTHORITY: &str = "https://login.microsoftonline.com/organizations";

/// A `tenant.cache` as GCM for Windows writes it: gzip of UTF-8 `key=value\0` records.
/// Written independently of the crate's serializer so the two check each other.
pub fn tenant_cache_bytes(records: &[(&str, &str)]) -> Vec<u8> {
    let mut text = Vec::new();
    for (key, value) in records {
        text.extend_from_slice(key.as_bytes());
        text.push(b'=');
        text.extend_from_slice(value.as_bytes());
        text.push(0);
    }
    gzip(&text)
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

pub fn contoso_and_fabrikam() -> Vec<u8> {
    tenant_cache_bytes(&[
        ("https://dev.azure.com/contoso/", MSA_TENANT),
        ("https://fabrikam.visualstudio.com/", FABRIKAM_TENANT),
        ("https://Contoso.VisualStudio.com/", CONTOSO_TENANT),
        ("https://dev.azure.com/fabrikam/", FABRIKAM_TENANT),
    ])
}

pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub gitconfig: PathBuf,
    pub tenant_cache: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let cache_dir = home.join(".local/share/GitCredentialManager");
        fs::create_dir_all(&cache_dir).unwrap();
        let gitconfig = home.join(".gitconfig");
        fs::write(&gitconfig, "[user]\n\tname = Test User\n").unwrap();
        Sandbox {
            tenant_cache: cache_dir.join("tenant.cache"),
            gitconfig,
            home,
            dir,
        }
    }

    /// The environment every git run gets: this sandbox's home and global config only.
    pub fn git_env(&self) -> BTreeMap<String, OsString> {
        let mut env = BTreeMap::new();
        env.insert("HOME".into(), self.home.clone().into_os_string());
        env.insert(
            "XDG_CONFIG_HOME".into(),
            self.home.join(".config").into_os_string(),
        );
        env.insert(
            "GIT_CONFIG_GLOBAL".into(),
            self.gitconfig.clone().into_os_string(),
        );
        env.insert("GIT_CONFIG_NOSYSTEM".into(), "1".into());
        env
    }

    pub fn options(&self, orgs: &[&str]) -> GcmOptions {
        let mut options = GcmOptions::new(orgs.iter().map(|o| o.to_string()).collect()).unwrap();
        options.legacy_cache_path = self.tenant_cache.clone();
        options.git_env = self.git_env();
        options
    }

    pub fn write_cache(&self, bytes: &[u8]) {
        fs::write(&self.tenant_cache, bytes).unwrap();
    }

    pub fn cache_bytes(&self) -> Option<Vec<u8>> {
        fs::read(&self.tenant_cache).ok()
    }

    /// Runs the real git in the sandbox and returns its stdout; panics when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let (code, out) = self.git_status(args, None);
        assert_eq!(code, 0, "git {args:?} failed: {out}");
        out
    }

    pub fn git_status(&self, args: &[&str], stdin: Option<&str>) -> (i32, String) {
        let mut child = Command::new("git")
            .args(args)
            .envs(self.git_env())
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("git is installed");
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        (out.status.code().unwrap_or(-1), text)
    }

    /// `git config --global --get <key>`, `None` when unset.
    pub fn global_value(&self, key: &str) -> Option<String> {
        let (code, out) = self.git_status(&["config", "--global", "--get", key], None);
        (code == 0).then(|| out.trim().to_owned())
    }

    /// File names (not paths) in `dir`, sorted.
    pub fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.tenant_cache.parent().unwrap().to_owned()
    }
}

/// True when this process can read a file whose permissions say it cannot (root): tests of
/// permission errors are skipped then, as the kernel would not produce the error.
pub fn permissions_are_bypassed(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let probe = dir.join(".permission-probe");
        fs::write(&probe, b"x").unwrap();
        fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).unwrap();
        let bypassed = fs::read(&probe).is_ok();
        fs::set_permissions(&probe, fs::Permissions::from_mode(0o600)).unwrap();
        fs::remove_file(&probe).unwrap();
        bypassed
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        true
    }
}
