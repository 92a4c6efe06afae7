// The installer settings that cannot be built on this Linux machine (MSI, NSIS, DMG) and the
// Linux ones, checked by reading tauri.conf.json and its per-platform files.
// Prints `ok - …` / `FAIL - …`, then `N passed, N failed` (unless PACKAGING_RUN is set: then
// tests/packaging/run.sh prints the one summary line).
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const tauriDir = resolve(root, "src-tauri");
const read = (p) => JSON.parse(readFileSync(resolve(tauriDir, p), "utf8"));
const conf = read("tauri.conf.json");
const win = read("tauri.windows.conf.json");
const mac = read("tauri.macos.conf.json");
const b = conf.bundle;

let passed = 0;
let failed = 0;
const check = (name, ok, detail = "") => {
  console.log(`${ok ? "ok" : "FAIL"} - ${name}${!ok && detail ? " :: " + detail : ""}`);
  ok ? passed++ : failed++;
};
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const fileFromTauriDir = (p) => existsSync(resolve(tauriDir, p));

// Linux: explicit targets (never "all": it includes AppImage, which downloads tools).
check("Linux bundle targets are exactly deb and rpm", same(b.targets, ["deb", "rpm"]), JSON.stringify(b.targets));
const makeBundle = readFileSync(resolve(root, "Makefile"), "utf8").match(/^bundle:.*\n((?:\t.*\n)+)/m)?.[1] ?? "";
check("make bundle builds deb and rpm only (scripts/bundle.sh or --bundles deb,rpm)",
  /scripts\/bundle\.sh|--bundles deb,rpm/.test(makeBundle) && !/appimage|--bundles all/i.test(makeBundle), makeBundle);
check("scripts/bundle.sh builds only deb and rpm", /--bundles deb,rpm/.test(readFileSync(resolve(root, "scripts/bundle.sh"), "utf8")));
check("AppImage stays configured (no media framework)", b.linux?.appimage?.bundleMediaFramework === false);
check("package metadata: publisher, homepage, license, descriptions, category",
  Boolean(b.publisher && b.homepage && b.license && b.shortDescription && b.longDescription && b.category));

const deb = b.linux?.deb ?? {};
const rpm = b.linux?.rpm ?? {};
// Tauri adds libwebkit2gtk-4.1-0 and libgtk-3-0 to the .deb itself (run.sh checks the built
// package); these are the other libraries the binary links (readelf NEEDED).
for (const dep of ["libjavascriptcoregtk-4.1-0", "libsoup-3.0-0", "libglib2.0-0", "libgdk-pixbuf-2.0-0", "libcairo2", "libdbus-1-3"]) {
  check(`.deb depends on ${dep}`, (deb.depends ?? []).some((d) => d.split(" ")[0] === dep), JSON.stringify(deb.depends));
}
check(".deb does not repeat what Tauri adds", !(deb.depends ?? []).some((d) => /^(libwebkit2gtk-4\.1-0|libgtk-3-0)\b/.test(d)));
for (const dep of ["webkit2gtk4.1", "gtk3", "javascriptcoregtk4.1", "libsoup3", "glib2", "gdk-pixbuf2", "cairo", "dbus-libs"]) {
  check(`.rpm depends on ${dep}`, (rpm.depends ?? []).includes(dep), JSON.stringify(rpm.depends));
}
for (const [name, c] of [["deb", deb], ["rpm", rpm]]) {
  check(`${name}: desktop entry template exists`, Boolean(c.desktopTemplate) && fileFromTauriDir(c.desktopTemplate), c.desktopTemplate);
  const meta = c.files?.["/usr/share/metainfo/com.adoconnect.app.metainfo.xml"];
  check(`${name}: installs the AppStream metainfo`, Boolean(meta) && fileFromTauriDir(meta), meta);
}

// Windows: signing through a command from the environment, a timestamp server, WebView2 by the
// embedded bootstrapper, MSI and NSIS per machine.
const w = b.windows ?? {};
check("Windows targets are msi and nsis (tauri.windows.conf.json)", same(win.bundle?.targets, ["msi", "nsis"]), JSON.stringify(win.bundle));
const sign = w.signCommand;
const signArgs = typeof sign === "object" ? sign.args ?? [] : String(sign ?? "").split(" ");
check("signCommand runs packaging/windows/sign.ps1 on the file (%1)",
  signArgs.some((a) => a.endsWith("packaging/windows/sign.ps1")) && signArgs.includes("%1"), JSON.stringify(sign));
const script = signArgs.find((a) => a.endsWith("sign.ps1"));
const ps1 = script && fileFromTauriDir(script) ? readFileSync(resolve(tauriDir, script), "utf8") : "";
check("the signing script takes what signs from the environment",
  /\$env:ADO_CONNECT_SIGN_COMMAND/.test(ps1) && /\$env:ADO_CONNECT_SIGN_THUMBPRINT/.test(ps1) && /ADO_CONNECT_REQUIRE_SIGNING/.test(ps1));
check("no certificate thumbprint committed", !w.certificateThumbprint);
check("timestamp server over RFC 3161 (tsp) with sha256",
  /^https?:\/\//.test(w.timestampUrl ?? "") && w.tsp === true && w.digestAlgorithm === "sha256", JSON.stringify([w.timestampUrl, w.tsp, w.digestAlgorithm]));
check("WebView2 by the embedded bootstrapper, silently",
  w.webviewInstallMode?.type === "embedBootstrapper" && w.webviewInstallMode?.silent !== false, JSON.stringify(w.webviewInstallMode));
const offline = JSON.parse(readFileSync(resolve(root, "packaging/windows/webview2-offline.conf.json"), "utf8"));
check("the offline WebView2 variant is a --config file", offline.bundle?.windows?.webviewInstallMode?.type === "offlineInstaller");
check("NSIS installs per machine", w.nsis?.installMode === "perMachine", JSON.stringify(w.nsis));
// Tauri's WiX template installs per machine (InstallScope perMachine); a custom template could change it.
check("MSI uses Tauri's per-machine WiX template (no custom template)", !w.wix?.template, w.wix?.template);
check("MSI has a fixed upgrade code (upgrades replace, not duplicate)",
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(w.wix?.upgradeCode ?? ""), w.wix?.upgradeCode);

// macOS: identity and notarization from the environment (APPLE_SIGNING_IDENTITY, APPLE_ID…).
const m = b.macOS ?? {};
check("macOS targets are app and dmg (tauri.macos.conf.json)", same(mac.bundle?.targets, ["app", "dmg"]), JSON.stringify(mac.bundle));
check("macOS signing identity comes from the environment (null here)", m.signingIdentity === null);
check("macOS hardened runtime (required for notarization)", m.hardenedRuntime === true);
check("no Apple credentials committed", !JSON.stringify(conf).match(/APPLE_(PASSWORD|API_KEY)|@icloud|app-specific/i));

// Updates: no key and no endpoint in the committed configuration; they come at build time.
check("no updater key or endpoint committed", conf.plugins?.updater === undefined, JSON.stringify(conf.plugins));
check("no updater artifacts without a signing key", b.createUpdaterArtifacts === false);
const cargo = readFileSync(resolve(tauriDir, "Cargo.toml"), "utf8");
const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8"));
const npmUpdater = pkg.dependencies?.["@tauri-apps/plugin-updater"];
// `tauri-plugin-updater = "~2.13"` or `{ version = "~2.13", optional = true }` (the feature).
const crateReq = cargo.match(/^tauri-plugin-updater\s*=\s*(?:"([^"]+)"|\{[^}]*version\s*=\s*"([^"]+)")/m)?.slice(1).find(Boolean);
check("the updater is an optional dependency behind the `updater` feature", /^tauri-plugin-updater\s*=\s*\{[^}]*optional\s*=\s*true/m.test(cargo) && /^updater\s*=\s*\["dep:tauri-plugin-updater"\]/m.test(cargo));
check("tauri-plugin-updater is pinned to a minor (~2.x)", /^~2\.\d+$/.test(crateReq ?? ""), crateReq);
check("the npm updater package, if any, has the crate's minor",
  !npmUpdater || npmUpdater.replace(/^[\^~]/, "").startsWith(crateReq.slice(1)), `${npmUpdater} vs ${crateReq}`);

if (!process.env.PACKAGING_RUN) console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
