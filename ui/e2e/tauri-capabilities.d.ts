// tauri-driver's vendor capability, so the e2e test typechecks (`npm run typecheck`).
declare global {
  namespace WebdriverIO {
    interface Capabilities {
      "tauri:options"?: {
        /** Path of the Tauri application binary to launch. */
        application: string;
        args?: string[];
      };
    }
  }
}

export {};
