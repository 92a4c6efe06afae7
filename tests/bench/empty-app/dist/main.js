// One command round-trip, then the same marks ADO Connect sets when its first screen is up.
window.__TAURI__.core.invoke("ready").then((r) => {
  document.getElementById("status").textContent = r;
  performance.mark("app-ready");
  document.documentElement.dataset.ready = "true";
});
