// Shared by the end-to-end tests: a real `kexie serve --demo` on a free loopback port with
// a throwaway SQLite file, Debian's Chromium driven by playwright-core, and helpers that
// act in the demo portal as a person would (switch user, open a task, press a button).
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
export const SHOTS = process.env.KEXIE_SHOTS || join(ROOT, "target/e2e-shots");
export const BIN = process.env.KEXIE_BIN || join(ROOT, "target/debug/kexie");

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

/**
 * Starts `kexie serve --demo` with a fresh database (`db`, its file); `await stop()` ends
 * it. `corsOrigins` (host pages on other origins) and `config` (more settings) go into a
 * kexie.toml of its own.
 */
export async function startServer(extraEnv = {}, { corsOrigins = [], config = "" } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "kexie-e2e-"));
  const db = join(dir, "kexie.db");
  const args = ["serve", "--demo", "--db", db, "--port", String(port)];
  const toml = (corsOrigins.length ? `cors_origins = ${JSON.stringify(corsOrigins)}\n` : "") + config;
  if (toml) {
    writeFileSync(join(dir, "kexie.toml"), toml);
    args.push("--config", join(dir, "kexie.toml"));
  }
  const child = spawn(BIN, args, {
    cwd: ROOT, env: { ...process.env, ...extraEnv }, stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((ok, fail) => {
    child.on("exit", (code) => fail(new Error(`kexie serve exited with ${code}`)));
    child.stdout.on("data", (d) => { if (String(d).includes("serving on")) ok(); });
  });
  const exited = new Promise((ok) => child.on("exit", ok));
  // `stop()` resolves once the process has exited (its port is closed by then).
  return { base: `http://127.0.0.1:${port}`, db, stop: () => (child.kill("SIGTERM"), exited) };
}

/**
 * A host's web server on another origin than the Kexie server's: 127.0.0.2, which Chromium
 * treats as another site than 127.0.0.1 (so every request to Kexie is a CORS one).
 * `respond(path, params)` gives `{ type, body, headers }` for a path, or nothing for 404.
 */
export async function startHost(respond) {
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url, "http://host");
    const out = respond(url.pathname, url.searchParams);
    res.writeHead(out ? 200 : 404, { "content-type": out?.type ?? "text/plain", ...out?.headers });
    res.end(out?.body ?? "not found");
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.2", ok);
  });
  const close = () => new Promise((ok) => {
    server.closeAllConnections();
    server.close(ok);
  });
  return { origin: `http://127.0.0.2:${server.address().port}`, close };
}

/**
 * A demo server and Chromium for a file's tests: started before the first, ended after the
 * last. `ready(server, browser)` runs once both are up; the file keeps what it needs.
 * `options` go to `startServer`.
 */
export function session(ready, options = {}) {
  let server, browser;
  before(async () => {
    server = await startServer({}, options);
    browser = await launch();
    await ready(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

export async function launch() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** A page with the portal open; browser errors fail the test that reads `page.errors`. */
export async function portal(browser, base) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.goto(base + "/");
  return page;
}

/** Switches the portal's user (or signs the same one in again) and waits for their inbox. */
export async function become(page, user) {
  // Wait for the portal's own first sign-in, so that it cannot land after ours.
  await page.waitForSelector("body[data-switches]");
  const before = Number(await page.getAttribute("body", "data-switches"));
  // On a phone the user switch is folded away behind 菜单.
  const menu = page.locator("#oa-menu-btn");
  if (await menu.isVisible()) await menu.click();
  if ((await page.inputValue("#oa-user-select")) === user) {
    await page.evaluate(() => document.querySelector("#oa-user-select").dispatchEvent(new Event("change")));
  } else {
    await page.selectOption("#oa-user-select", user);
  }
  await page.waitForFunction((n) => Number(document.body.dataset.switches) > n, before);
  await page.locator("kexie-workflow .kx-tab").first().waitFor();
  await page.waitForFunction((id) => localStorage.getItem("oa-demo-user") === id, user);
}

export const widget = (page) => page.locator("kexie-workflow");

export async function tab(page, name) {
  await widget(page).getByRole("tab", { name }).click();
}

/** Opens the first row of a work list whose text contains `title`. */
export async function openRow(page, list, title) {
  await tab(page, list);
  await widget(page).locator(".kx-row-open", { hasText: title }).first().click();
  await widget(page).locator(".kx-title").waitFor();
}

export async function press(page, name) {
  await widget(page).getByRole("button", { name, exact: true }).click();
}

/** Waits until the instance header shows `text` (a status or a step). */
export async function expectHeader(page, text) {
  await widget(page).locator(".kx-meta", { hasText: text }).waitFor({ timeout: 10_000 });
}

/** Saves a screenshot `<name>.png` of the whole page (`{ fullPage: false }`: the screen). */
export async function shot(page, name, { fullPage = true } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}
