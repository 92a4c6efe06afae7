import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

// Tauri expects a fixed port and fails if it is taken; WebKitGTK is the oldest engine we ship on.
// mock.html (browser tests only) is not an input of this build, so it never ships; tests/ui/run.mjs
// builds it on its own, into a temporary folder.
export default defineConfig({
  root,
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari13",
    rolldownOptions: {
      input: { main: fileURLToPath(new URL("./index.html", import.meta.url)) },
    },
  },
});
