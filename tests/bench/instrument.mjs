// The page instrument of figure 6 (docs/benchmarks.md), shared by tests/bench/window.mjs (the
// real window over WebDriver) and tests/ui/orgs-timing.mjs (Chromium or WebKit's MiniBrowser):
// a function body run in the page with N, the number of organizations, as arguments[0].
// See window.mjs for what each mark means.
export const INSTRUMENT = `
const N = arguments[0];
const b = (window.__bench = { keys: [] });
const rows = () => document.querySelectorAll("#org-list tbody tr:not([hidden])").length;
const layout = () => document.body.offsetHeight;
const frame = (f) => requestAnimationFrame((raf) => { const r = performance.now(); setTimeout(() => f(r), 0); });
b.reset = () => { b.click = null; b.rows = null; b.layout = null; b.raf = null; b.painted = null; };
b.reset();
document.addEventListener("click", () => { b.click = performance.now(); }, true);
new MutationObserver(() => {
  if (b.click !== null && b.rows === null && rows() >= N) {
    b.rows = performance.now();
    layout();
    b.layout = performance.now();
    frame((raf) => { b.raf = raf; b.painted = performance.now(); });
  }
}).observe(document.body, { childList: true, subtree: true });
let kd = null, inputStart = null;
document.addEventListener("keydown", (e) => { if (e.target.id === "org-filter") kd = performance.now(); }, true);
document.addEventListener("input", (e) => { if (e.target.id === "org-filter") inputStart = performance.now(); }, true);
document.addEventListener("input", (e) => {
  if (e.target.id !== "org-filter") return;
  const handled = performance.now();
  layout();
  const laidOut = performance.now();
  const start = kd ?? inputStart;
  const handlerMs = handled - inputStart;
  const layoutMs = laidOut - handled;
  frame((raf) => {
    const painted = performance.now();
    b.keys.push({ handlerMs, layoutMs, paintMs: painted - raf, workMs: handled - start + layoutMs + (painted - raf),
      frameMs: painted - start, rows: rows(), query: e.target.value });
  });
  kd = null;
}, false);
return true;
`;
