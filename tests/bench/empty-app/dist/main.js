// One command round-trip, then the same marker ADO Connect sets when its first screen is up.
window.__TAURI__.core.invoke("ready").then((r) => {
  document.getElementById("status").textContent = r;
  document.documentElement.dataset.ready = "true";
});
