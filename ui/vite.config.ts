// The UI is written against React's API and runs on Preact (`preact/compat`): React DOM was
// two thirds of the start-up chunk, and parsing it plus a first render in a cold
// JavaScriptCore was most of the time between the page arriving and the first screen painted.
import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

// Set by `tauri dev` when developing against a device on the network.
const host = process.env.TAURI_DEV_HOST;

// https://v2.tauri.app/start/frontend/vite/
export default defineConfig({
  plugins: [preact()],
  // Keep the Rust compiler's output visible when run through `tauri dev`.
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    host: host || false,
    hmr: host ? { protocol: "ws", host, port: 1421 } : undefined,
    watch: { ignored: ["**/src-tauri/**", "**/target/**"] },
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    // Tauri uses WebView2 (Chromium) on Windows and WebKit elsewhere.
    target: process.env.TAURI_ENV_PLATFORM === "windows" ? "chrome105" : "safari15",
    minify: process.env.TAURI_ENV_DEBUG ? false : "esbuild",
    sourcemap: Boolean(process.env.TAURI_ENV_DEBUG),
    // Emit every asset as a file: no data: URLs, so a strict Content-Security-Policy works.
    assetsInlineLimit: 0,
    outDir: "dist",
    emptyOutDir: true,
  },
  // Vite's browser defaults, spelled out: under vitest packages would otherwise resolve as on a
  // Node server, to CommonJS builds whose `require("react")` gets past the preact aliases.
  resolve: { conditions: ["module", "browser", "development|production"], mainFields: ["browser", "module", "jsnext:main", "jsnext"] },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
    // The tests run on Preact too, as the app does. Every dependency goes through Vite so the
    // aliases reach the libraries' own imports of React; the CommonJS-only shim recharts uses is
    // pre-bundled (which applies them as well), and so is lucide-react (otherwise each of its
    // ~1,900 icon modules is transformed on its own, seconds inside whichever test first reaches
    // a lazy panel that imports it); Testing Library's ES build is used for the same reason as
    // the shim (its `main` is CommonJS).
    server: { deps: { inline: true } },
    deps: { optimizer: { web: { enabled: true, include: ["use-sync-external-store/shim/with-selector", "use-sync-external-store/shim", "lucide-react"] } } },
    alias: [{ find: /^@testing-library\/react$/, replacement: "@testing-library/react/dist/@testing-library/react.esm.js" }],
  },
});
