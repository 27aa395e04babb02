// End-to-end smoke test of the real Speasy app through tauri-driver (WebDriver).
//
// Needs tauri-driver listening on 127.0.0.1:4444 (started by the CI script) and:
//   SPEASY_APP_BIN            the built app binary (required)
//   SPEASY_DATA_DIR           the data folder the app was pointed at (required)
//   SPEASY_E2E_SEARCH_TERM    a term to search for (optional; the search step is skipped without it)
//   SPEASY_E2E_SEARCH_EXPECT  text one of the results must contain (required with the term)
//   SPEASY_E2E_ARTIFACTS      folder for screenshots (optional)
//
// Run: `npm run e2e` in ui/.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { promisify } from "node:util";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { remote } from "webdriverio";

const APP_BIN = process.env.SPEASY_APP_BIN;
const DATA_DIR = process.env.SPEASY_DATA_DIR;
const SEARCH_TERM = process.env.SPEASY_E2E_SEARCH_TERM ?? "";
const SEARCH_EXPECT = process.env.SPEASY_E2E_SEARCH_EXPECT ?? "";
const ARTIFACTS = process.env.SPEASY_E2E_ARTIFACTS ?? "";

// WebKitGTK on a 2-core CI machine: be generous.
const UI_TIMEOUT = 30_000;
const START_TIMEOUT = 90_000;

const OPENAI_KEY = `sk-e2e-${Date.now().toString(36)}-not-a-real-key`;

const sel = {
  threads: 'nav[aria-label="Threads"]',
  search: 'input[aria-label="Search conversations"]',
  storeFailed: '[data-testid="store-failed"]',
  settingsButton: "button[aria-pressed]",
  themeSelect: '[data-testid="theme-select"]',
  aboutVersion: '[data-testid="about-version"]',
  aboutDataDir: '[data-testid="about-data-dir"]',
  openaiInput: '[data-testid="secret-input-openai"]',
  openaiSave: '[data-testid="secret-save-openai"]',
  openaiStatus: '[data-testid="secret-status-openai"]',
  searchResults: '[aria-label="Search results"]',
  searchResult: '[data-testid="search-result"]',
};

/** @type {WebdriverIO.Browser | undefined} */
let browser;

/** @returns {WebdriverIO.Browser} */
function b() {
  assert.ok(browser, "no WebDriver session");
  return browser;
}

/**
 * Saves a screenshot named after the screen shown, when SPEASY_E2E_ARTIFACTS is set. It grabs
 * the X display with ImageMagick's `import`: WebKitWebDriver's own screenshot command hangs
 * under Xvfb without a compositor (seen with WebKitGTK 2.50), which would stall the run.
 */
async function screenshot(/** @type {string} */ name) {
  if (!ARTIFACTS || !process.env.DISPLAY) return;
  await mkdir(ARTIFACTS, { recursive: true });
  await promisify(execFile)("import", ["-window", "root", path.join(ARTIFACTS, `${name}.png`)], {
    timeout: 20_000,
  });
}

/** Waits until the shell (or the store-failed screen, which fails the test with its text) shows. */
async function waitForShell() {
  const br = b();
  await br.waitUntil(
    async () => (await br.$(sel.threads).isExisting()) || (await br.$(sel.storeFailed).isExisting()),
    { timeout: START_TIMEOUT, interval: 250, timeoutMsg: "the Speasy window never showed its UI" },
  );
  const failed = br.$(sel.storeFailed);
  if (await failed.isExisting()) {
    await screenshot("store-failed");
    assert.fail(`the app shows the store-failed screen: ${await failed.getText()}`);
  }
}

/** @returns {Promise<string | undefined>} */
async function documentTheme() {
  return b().execute(() => document.documentElement.dataset.theme);
}

async function openSettings() {
  const br = b();
  const button = br.$(sel.settingsButton);
  await button.waitForClickable({ timeout: UI_TIMEOUT });
  assert.equal(await button.getText(), "Settings");
  if ((await button.getAttribute("aria-pressed")) !== "true") await button.click();
  await br.$(sel.themeSelect).waitForExist({
    timeout: UI_TIMEOUT,
    timeoutMsg: "the theme select never appeared (settings_get failed?)",
  });
}

describe("Speasy smoke", { timeout: 10 * 60_000 }, () => {
  before(async () => {
    assert.ok(APP_BIN, "SPEASY_APP_BIN must point at the built Speasy binary");
    assert.ok(DATA_DIR, "SPEASY_DATA_DIR must name the data folder the app uses");
    if (SEARCH_TERM) assert.ok(SEARCH_EXPECT, "SPEASY_E2E_SEARCH_EXPECT must be set with SPEASY_E2E_SEARCH_TERM");

    // Session creation can hang (e.g. no display): never wait forever.
    // tauri-driver's own capability; no browserName (WebKitWebDriver rejects "wry").
    const capabilities = { "tauri:options": { application: APP_BIN } };
    const session = remote({
      hostname: "127.0.0.1",
      port: 4444,
      capabilities,
      logLevel: "warn",
      connectionRetryTimeout: 60_000,
    });
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    /** @type {Promise<never>} */
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("WebDriver session not created within 180 s")), 180_000);
    });
    try {
      browser = await Promise.race([session, timeout]);
    } catch (error) {
      // End a session that may still arrive after we gave up on it.
      session.then((late) => late.deleteSession()).catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
  });

  after(async () => {
    if (!browser) return;
    try {
      await screenshot("final");
    } catch {
      // The window may already be gone; the session must still be deleted below.
    }
    await browser.deleteSession();
    browser = undefined;
  });

  it("opens the main window with the threads sidebar and the search box", async () => {
    await waitForShell();
    const br = b();
    assert.equal(await br.$(sel.threads).isDisplayed(), true, "Threads nav not displayed");
    const search = br.$(sel.search);
    assert.equal(await search.isDisplayed(), true, "search box not displayed");
    assert.equal(await search.getAttribute("type"), "search");
    await screenshot("welcome");
  });

  it("shows the app version and the data folder in Settings", async () => {
    await openSettings();
    const br = b();
    const version = br.$(sel.aboutVersion);
    await version.waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "about-version never appeared (app_info failed?)" });
    assert.notEqual((await version.getText()).trim(), "", "about-version is empty");
    assert.equal((await br.$(sel.aboutDataDir).getText()).trim(), DATA_DIR);
    await screenshot("settings");
  });

  it("applies a theme and keeps it across a reload (UI → core → UI)", async () => {
    const br = b();
    const select = br.$(sel.themeSelect);
    await select.selectByAttribute("value", "dark");
    await br.waitUntil(async () => (await documentTheme()) === "dark", {
      timeout: UI_TIMEOUT,
      timeoutMsg: "document theme did not become dark",
    });
    assert.equal(await select.getValue(), "dark");
    await screenshot("settings-dark");

    await br.refresh();
    await waitForShell();
    await br.waitUntil(async () => (await documentTheme()) === "dark", {
      timeout: UI_TIMEOUT,
      timeoutMsg: "dark theme was not applied after reload",
    });
    await openSettings();
    assert.equal(await br.$(sel.themeSelect).getValue(), "dark");
    await screenshot("settings-after-reload");
  });

  it("saves an OpenAI key into the keychain without showing it", async () => {
    const br = b();
    const status = br.$(sel.openaiStatus);
    await br.waitUntil(async () => (await status.getText()) !== "Checking…", {
      timeout: UI_TIMEOUT,
      timeoutMsg: "the OpenAI key status never loaded",
    });
    await br.$(sel.openaiInput).setValue(OPENAI_KEY);
    const save = br.$(sel.openaiSave);
    await save.waitForEnabled({ timeout: UI_TIMEOUT });
    await save.click();
    await br.waitUntil(async () => (await status.getText()) === "Set", {
      timeout: UI_TIMEOUT,
      timeoutMsg: "the OpenAI key status did not become Set",
    });
    assert.equal(await br.$(sel.openaiInput).getValue(), "", "key field was not cleared");
    assert.equal((await br.getPageSource()).includes(OPENAI_KEY), false, "the key appears in the page");
    await screenshot("settings-key-set");
  });

  it("finds an existing conversation by full-text search", { skip: SEARCH_TERM ? false : "SPEASY_E2E_SEARCH_TERM not set" }, async () => {
    const br = b();
    await br.$(sel.search).setValue(SEARCH_TERM);
    await br.$(sel.searchResults).waitForExist({
      timeout: UI_TIMEOUT,
      timeoutMsg: `no search results region for "${SEARCH_TERM}"`,
    });
    /** @type {string[]} */
    let texts = [];
    /** @type {unknown} */
    let lastError;
    const found = await br
      .waitUntil(
        async () => {
          try {
            texts = [];
            for (const result of await br.$$(sel.searchResult)) texts.push(await result.getText());
          } catch (error) {
            lastError = error; // e.g. a result re-rendered while being read: try again
            return false;
          }
          return texts.some((text) => text.includes(SEARCH_EXPECT));
        },
        { timeout: UI_TIMEOUT, interval: 250 },
      )
      .catch(() => false);
    await screenshot("search");
    assert.ok(
      found,
      `no result for "${SEARCH_TERM}" contains "${SEARCH_EXPECT}"; got: ${JSON.stringify(texts)}` +
        (lastError ? `; last error: ${String(lastError)}` : ""),
    );
  });
});
