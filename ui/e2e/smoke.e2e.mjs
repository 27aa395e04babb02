// End-to-end test of the real Speasy app through tauri-driver (WebDriver), against the
// scripted OpenAI-compatible provider (`speasy-stub`, from crates/speasy-testkit): settings and
// providers, a streamed answer, Stop, the save_fact widget → Save → Memory, a restart that
// keeps the thread and its widget, and search opening an older thread at the hit.
//
// Needs tauri-driver listening on 127.0.0.1:4444 (started by the CI script) and:
//   SPEASY_APP_BIN            the built app binary (required)
//   SPEASY_DATA_DIR           the data folder the app was pointed at (required)
//   SPEASY_STUB_BASE_URL      the stub's OpenAI base URL (required)
//   SPEASY_STUB_CONTROL_URL   the stub's control API (required)
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
const STUB_BASE_URL = process.env.SPEASY_STUB_BASE_URL ?? "";
const STUB_CONTROL_URL = process.env.SPEASY_STUB_CONTROL_URL ?? "";

// WebKitGTK on a 2-core CI machine: be generous.
const UI_TIMEOUT = 30_000;
const START_TIMEOUT = 90_000;

const OPENAI_KEY = `sk-e2e-${Date.now().toString(36)}-not-a-real-key`;

const sel = {
  threads: 'nav[aria-label="Threads"]',
  search: 'input[aria-label="Search conversations"]',
  storeFailed: '[data-testid="store-failed"]',
  settingsButton: "button=Settings",
  themeSelect: '[data-testid="theme-select"]',
  aboutVersion: '[data-testid="about-version"]',
  aboutDataDir: '[data-testid="about-data-dir"]',
  composer: 'textarea[aria-label="Message"]',
  send: 'button[aria-label="Send"]',
  stop: 'button[aria-label="Stop"]',
  newChat: 'button[aria-label="New chat"]',
  assistant: 'article[data-item-type="assistant_message"]',
  widget: 'article[data-item-type="widget"]',
  memoryButton: "button=Memory",
  fact: '[data-testid="fact"]',
  focused: "[data-focused]",
  openaiInput: '[data-testid="secret-input-openai"]',
  openaiSave: '[data-testid="secret-save-openai"]',
  openaiStatus: '[data-testid="secret-status-openai"]',
  searchResults: '[aria-label="Search results"]',
  searchResult: '[data-testid="search-result"]',
};

/** @type {WebdriverIO.Browser | undefined} */
let browser;

/** XPath of the sidebar row whose title contains `title`. */
function threadRow(/** @type {string} */ title) {
  return `//nav[@aria-label="Threads"]//button[contains(@class, "thread-open") and contains(., ${JSON.stringify(title)})]`;
}

/** Queues the stub's answer to the next chat completion request. */
async function script(/** @type {Record<string, unknown>} */ reply) {
  const res = await fetch(`${STUB_CONTROL_URL}/replies`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(reply),
  });
  assert.equal(res.status, 204, `the stub refused the script: ${await res.text()}`);
}

/** Starts a WebDriver session on the app (a fresh app process). */
async function startApp() {
  assert.ok(APP_BIN, "SPEASY_APP_BIN must point at the built Speasy binary");
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
}

/** Types a message into the composer and sends it with Enter. */
async function sendMessage(/** @type {string} */ text) {
  const br = b();
  const box = br.$(sel.composer);
  await box.waitForEnabled({ timeout: UI_TIMEOUT, timeoutMsg: "the composer stayed disabled (no usable provider?)" });
  await box.setValue(text);
  await br.keys("Enter");
}

/** The text of the last assistant message. */
async function lastAnswer() {
  const answers = await b().$$(sel.assistant).getElements();
  const last = answers.at(-1);
  return last ? await last.getText() : "";
}

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

    assert.ok(STUB_BASE_URL && STUB_CONTROL_URL, "SPEASY_STUB_BASE_URL and SPEASY_STUB_CONTROL_URL must be set");
    // The custom provider names no default model: the core uses the first one the server lists.
    const models = await fetch(`${STUB_CONTROL_URL}/models`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(["speasy-stub-model", "speasy-stub-large"]),
    });
    assert.equal(models.status, 204);
    await startApp();
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

  it("without any provider: browses a thread with its widget, and says why it cannot send", async () => {
    const br = b();
    // Nothing configured and no local server: sending is unavailable, and the app says why.
    const box = br.$(sel.composer);
    await box.waitForExist({ timeout: UI_TIMEOUT });
    await br.waitUntil(async () => !(await box.isEnabled()), { timeout: UI_TIMEOUT, timeoutMsg: "the composer is enabled without a provider" });
    const reason = br.$("#composer-disabled-reason");
    await reason.waitForExist({ timeout: UI_TIMEOUT });
    assert.match(await reason.getText(), /No model provider is set up/);
    // Everything stored still opens: a seeded thread with its widget.
    await br.$(threadRow("Sourdough starter help")).click();
    await br.$(`//article[@data-item-type="widget" and contains(., "Saved to memory")]`).waitForExist({
      timeout: UI_TIMEOUT,
      timeoutMsg: "the seeded widget did not render offline",
    });
    await screenshot("offline-thread");
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

  it("adds the scripted server as a custom provider, and an OpenAI key without showing it", async () => {
    const br = b();
    // A custom OpenAI-compatible provider: the scripted server on 127.0.0.1.
    await br.$("#provider-kind").selectByAttribute("value", "custom");
    await br.$("#provider-name").setValue("Scripted");
    await br.$("#provider-base-url").setValue(STUB_BASE_URL);
    await br.$("button=Add provider").click();
    await br.$('[data-testid="provider-custom"]').waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "the custom provider was not added" });

    // OpenAI with a key: stored in the keychain, shown only as "Set".
    await br.$("#provider-kind").selectByAttribute("value", "openai");
    await br.$("#provider-key").setValue(OPENAI_KEY);
    await br.$("button=Add provider").click();
    const status = br.$(sel.openaiStatus);
    await status.waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "the OpenAI provider was not added" });
    await br.waitUntil(async () => (await status.getText()) === "Set", {
      timeout: UI_TIMEOUT,
      timeoutMsg: "the OpenAI key status did not become Set",
    });
    assert.equal((await br.getPageSource()).includes(OPENAI_KEY), false, "the key appears in the page");

    // Answers come from the scripted server.
    await br.$('[data-testid="provider-custom"] input[type="radio"]').click();
    await br.waitUntil(async () => br.$('[data-testid="provider-custom"] input[type="radio"]').isSelected(), {
      timeout: UI_TIMEOUT,
      timeoutMsg: "the custom provider did not become the default",
    });
    await screenshot("settings-providers");
  });

  it("streams an answer into a new chat, and titles it", async () => {
    const br = b();
    await br.$(sel.newChat).click();
    await script({ type: "text", parts: ["Hi! ", "I am ", "Speasy, ", "your assistant."], delay_ms: 150 });
    await script({ type: "completion", text: "Greeting from Speasy" });
    await sendMessage("Hello there");
    // The Stop button shows while the answer streams in.
    await br.$(sel.stop).waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "no Stop button while streaming" });
    await br.waitUntil(async () => (await lastAnswer()).includes("Hi! I am Speasy, your assistant."), {
      timeout: UI_TIMEOUT,
      timeoutMsg: "the streamed answer never completed",
    });
    await br.$(sel.send).waitForExist({ timeout: UI_TIMEOUT });
    await br.$(threadRow("Greeting from Speasy")).waitForExist({
      timeout: UI_TIMEOUT,
      timeoutMsg: "the new thread's title never reached the sidebar",
    });
    await screenshot("chat-streamed");
  });

  it("stops an answer mid-stream and keeps the partial text", async () => {
    const br = b();
    await script({ type: "text", parts: ["Once upon a time, ", "a lighthouse keeper"], delay_ms: 100, hang: true });
    await sendMessage("Tell me a long story");
    await br.waitUntil(async () => (await lastAnswer()).includes("a lighthouse keeper"), {
      timeout: UI_TIMEOUT,
      timeoutMsg: "the partial answer never appeared",
    });
    await br.$(sel.stop).click();
    await br.$(sel.send).waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "Stop did not end the answer" });
    assert.match(await lastAnswer(), /Once upon a time, a lighthouse keeper/);
    await screenshot("chat-stopped");
  });

  it("offers to remember a fact; Save puts it in Memory", async () => {
    const br = b();
    await script({ type: "tool_call", id: "call_e2e_1", name: "save_fact", arguments: '{"text":"The user\'s cat is called Miso."}' });
    await script({ type: "text", parts: ["I can remember that for you."] });
    await sendMessage("Remember that my cat is called Miso");
    const card = br.$(`//article[@data-item-type="widget" and contains(., "Remember this?")]`);
    await card.waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "the save_fact card never appeared" });
    await br.waitUntil(async () => (await lastAnswer()).includes("I can remember that for you."), { timeout: UI_TIMEOUT });
    await screenshot("fact-card");
    await card.$("button=Save").click();
    await br.$(`//article[@data-item-type="widget" and contains(., "Saved to memory")]`).waitForExist({
      timeout: UI_TIMEOUT,
      timeoutMsg: "the card did not switch to its saved state",
    });
    await br.$(sel.memoryButton).click();
    await br.$(`//*[@data-testid="fact" and contains(., "Miso")]`).waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "the fact is not in Memory" });
    await screenshot("memory");
    await br.$(sel.memoryButton).click();
  });

  it("deletes with Undo; without Undo the core deletes it when the window closes", async () => {
    const br = b();
    // Delete (the Del key on the focused row: WebKit does not focus a clicked button), then
    // Undo: the thread is back.
    const focusRow = async (/** @type {string} */ title) => {
      const row = await br.$(threadRow(title));
      await row.waitForExist({ timeout: UI_TIMEOUT });
      await br.execute((el) => /** @type {HTMLElement} */ (/** @type {unknown} */ (el)).focus(), row);
    };
    await focusRow("Sourdough starter help");
    await br.keys("Delete");
    const undo = br.$("//button[.='Undo']");
    await undo.waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "no Undo after deleting" });
    assert.equal(await br.$(threadRow("Sourdough starter help")).isExisting(), false, "the deleted row is still listed");
    await screenshot("deleted-undo");
    await undo.click();
    await br.$(threadRow("Sourdough starter help")).waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "Undo did not bring the thread back" });
    // Delete another and let the Undo window close: the core deletes it (the next test
    // restarts the app and checks it is gone).
    await focusRow("Rust lifetimes question");
    await br.keys("Delete");
    await undo.waitForExist({ timeout: UI_TIMEOUT });
    await undo.waitForExist({ reverse: true, timeout: UI_TIMEOUT, timeoutMsg: "the Undo bar never closed" });
  });

  it("keeps the thread and its widget across a restart", async () => {
    await b().deleteSession();
    browser = undefined;
    await startApp();
    await waitForShell();
    const br = b();
    const row = br.$(threadRow("Greeting from Speasy"));
    await row.waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "the thread is gone after a restart" });
    await row.click();
    await br.$(`//article[@data-item-type="widget" and contains(., "Saved to memory")]`).waitForExist({
      timeout: UI_TIMEOUT,
      timeoutMsg: "the widget is gone after a restart",
    });
    assert.match(await br.$(`//article[contains(., "Once upon a time")]`).getText(), /a lighthouse keeper/);
    // The delete whose Undo window closed went through; the undone one did not.
    assert.equal(await br.$(threadRow("Rust lifetimes question")).isExisting(), false, "the delete did not happen");
    assert.equal(await br.$(threadRow("Sourdough starter help")).isExisting(), true);
    await screenshot("after-restart");
  });

  it("finds a message in an older conversation and opens it there", { skip: SEARCH_TERM ? false : "SPEASY_E2E_SEARCH_TERM not set" }, async () => {
    const br = b();
    await br.$(sel.search).setValue(SEARCH_TERM);
    await br.$(sel.searchResults).waitForExist({
      timeout: UI_TIMEOUT,
      timeoutMsg: `no search results region for "${SEARCH_TERM}"`,
    });
    /** @type {WebdriverIO.Element | undefined} */
    let target;
    await br.waitUntil(
      async () => {
        for (const result of await br.$$(sel.searchResult)) {
          try {
            const text = await result.getText();
            // A seeded (older) conversation, not the one this test wrote.
            if (text.includes(SEARCH_EXPECT) && !text.includes("Greeting from Speasy")) {
              target = result;
              return true;
            }
          } catch {
            return false; // re-rendered while being read: try again
          }
        }
        return false;
      },
      { timeout: UI_TIMEOUT, interval: 250, timeoutMsg: `no older result for "${SEARCH_TERM}"` },
    );
    await screenshot("search");
    assert.ok(target);
    await target.$("button").click();
    const focused = br.$(sel.focused);
    await focused.waitForExist({ timeout: UI_TIMEOUT, timeoutMsg: "the hit's message was not highlighted" });
    assert.match((await focused.getText()).toLowerCase(), new RegExp(SEARCH_EXPECT.toLowerCase()));
    assert.equal(await focused.isDisplayed({ withinViewport: true }), true, "the hit is not scrolled into view");
    await screenshot("search-opened");
  });
});
