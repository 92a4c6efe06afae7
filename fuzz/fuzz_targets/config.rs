//! The configuration loader: the input up to the first NUL is a TOML layer, each later
//! NUL-separated piece a `--set` flag. Never a panic; an accepted configuration holds no
//! control character, and a refusal has a remedy.
#![no_main]

use ado_connect_core::config::ConfigLoader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut pieces = text.split('\0');
    let layer = pieces.next().unwrap_or_default();
    let flags: Vec<String> = pieces.map(str::to_owned).collect();
    match ConfigLoader::load_text(layer, flags) {
        Ok(loaded) => {
            let c = &loaded.config;
            let strings = [
                &c.identity.authority_host,
                &c.identity.tenant,
                &c.identity.client_id,
                &c.devops.profile_base,
                &c.devops.org_base,
                &c.devops.vssps_base,
                &c.devops.vsaex_base,
                &c.arm.base,
                &c.gcm.git,
                &c.gcm.legacy_cache_path,
            ];
            for s in strings.into_iter().chain(&c.identity.scopes) {
                assert!(!s.chars().any(char::is_control), "{s:?}");
            }
            let _ = loaded.render_text();
        }
        Err(e) => assert!(!e.remedy.is_empty()),
    }
});
