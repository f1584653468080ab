// Embedding: a host page with a strict CSP and a hostile stylesheet holding two widgets,
// a draft that survives a reload, and a token that expires while someone is typing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, press, shot } from "./support.mjs";

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:";

// A stylesheet that would wreck any widget that relied on the page's styles.
const HOSTILE = `* { font-size: 30px !important; color: #f0f !important; }
input, select, textarea, button { display: none !important; }
div { margin: 40px !important; border: 3px dotted red !important; }`;

// The host's own script (no inline script is allowed): one widget through mount(), one
// through the custom element; tokens from the demo portal's endpoint.
const HOST_JS = `import init, { mount } from "/kexie/kexie_widget.js";
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.violatedDirective + " " + e.blockedURI));
const token = async (user) => (await (await fetch("/demo/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user }) })).json()).token;
await init();
const params = new URLSearchParams(location.search);
const one = params.get("one") || "liming";
const refresh = params.has("refresh");
window.events = [];
for (const name of ["submitted", "approved", "rejected", "returned", "error"]) {
  document.addEventListener("kexie:" + name, (e) => window.events.push({ name, target: e.target.id, detail: e.detail }));
}
// The host's own directory, for the pickers, when the page asks for it.
const directory = [{ id: "h-001", name: "张三丰", department: "宿主研究院" }, { id: "h-002", name: "张无忌", department: "宿主研究院" }];
const people = (query, kind) => kind === "department"
  ? [{ id: "host-dept-1", name: "宿主研究院" }]
  : directory.filter((p) => p.name.includes(query));
window.handle = mount(document.getElementById("first"), {
  token: await token(one), getToken: refresh ? () => token(one) : undefined,
  people: params.has("people") ? people : undefined,
  workflow: params.get("workflow") || undefined, view: params.get("workflow") ? "form" : "inbox",
});
const second = document.getElementById("second");
if (second) second.setAttribute("token", await token("zhoujianguo"));
window.ready = true;`;

const page_html = (second) => `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>宿主页面</title>
<link rel="stylesheet" href="/host/hostile.css"><script type="module" src="/host/host.js"></script></head>
<body><h1>宿主系统</h1><input id="host-input" value="host">
<section id="first"></section>
${second ? '<kexie-workflow id="second" workflow="kexie-formation" locale="en"></kexie-workflow>' : ""}
</body></html>`;

let server, browser;
session(async (s, b) => {
  [server, browser] = [s, b];
});

/** A page on the server's origin whose host files are served by the test itself. */
async function hostPage(query = "", second = true, context = null) {
  const page = await (context ?? browser).newPage({ viewport: { width: 1280, height: 1000 } });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error" && !/401/.test(m.text())) page.errors.push(m.text()); });
  await page.route("**/host/**", (route) => {
    const path = new URL(route.request().url()).pathname;
    const [type, body] = path.endsWith(".css") ? ["text/css", HOSTILE]
      : path.endsWith(".js") ? ["text/javascript", HOST_JS] : ["text/html; charset=utf-8", page_html(second)];
    route.fulfill({ status: 200, headers: { "content-type": type, "content-security-policy": CSP }, body });
  });
  await page.goto(`${server.base}/host/page.html${query}`);
  await page.waitForFunction(() => window.ready === true);
  return page;
}

test("two widgets work side by side under a strict CSP and a hostile stylesheet", async () => {
  const page = await hostPage("?workflow=kexie-formation");
  const first = page.locator("#first");
  const second = page.locator("#second");
  await first.getByLabel("企业名称").waitFor();
  await second.getByLabel("Enterprise name").waitFor();
  await shot(page, "embed-1-two-widgets-hostile-host");

  // The host's rules reach the host's own input, not the widgets'.
  assert.equal(await page.locator("#host-input").isVisible(), false);
  assert.ok(await first.getByLabel("企业名称").isVisible());
  const size = await first.getByLabel("企业名称").evaluate((el) => getComputedStyle(el).fontSize);
  assert.equal(size, "14px");

  // Typing in one widget leaves the other alone.
  await first.getByLabel("企业名称").fill("甲公司");
  await second.getByLabel("Enterprise name").fill("Second Co.");
  assert.equal(await first.getByLabel("企业名称").inputValue(), "甲公司");
  assert.equal(await second.getByLabel("Enterprise name").inputValue(), "Second Co.");

  // The rules run in the browser: 100 or more S&T staff and no standalone 科协 needs a reason.
  await first.getByLabel("科技人员总数").fill("180");
  await first.getByLabel("科技人员总数").blur();
  await first.getByLabel("拟采用的组建方式").selectOption("regional");
  await first.getByLabel("组建方式说明").focus();
  await first.getByLabel("组建方式说明").blur();
  await first.locator(".kx-error", { hasText: "（十）" }).first().waitFor();
  assert.equal(await second.locator(".kx-error").count(), 0, "the other widget shows no errors");

  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(page.errors, []);
  await page.evaluate(() => window.handle.unmount());
  assert.equal(await first.locator(".kx-root").count(), 0, "unmount removes the widget");
  await page.close();
});

test("a draft survives a reload and says so", async () => {
  const page = await portal(browser, server.base);
  await become(page, "liming");
  await tab(page, "发起流程");
  await widget(page).locator(".kx-row-open", { hasText: "科协组建" }).click();
  await widget(page).getByLabel("企业名称").fill("草稿测试有限公司");
  await widget(page).getByLabel("科技人员总数").fill("150");
  await page.waitForTimeout(1000); // The draft is saved within a second of typing.
  await page.reload();
  await become(page, "liming");
  await tab(page, "发起流程");
  await widget(page).locator(".kx-row-open", { hasText: "科协组建" }).click();
  await widget(page).getByText("已恢复您上次未提交的内容").waitFor();
  assert.equal(await widget(page).getByLabel("企业名称").inputValue(), "草稿测试有限公司");
  assert.equal(await widget(page).getByLabel("科技人员总数").inputValue(), "150");
  await shot(page, "embed-2-draft-restored");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("an expired token keeps every input and says what to do; a host callback refreshes it", async () => {
  // One browser profile for both pages: the draft lives in its local storage.
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await hostPage("?workflow=kexie-formation&one=liming", false, context);
  const first = page.locator("#first");
  await first.getByLabel("企业名称").fill("过期令牌测试公司");
  await first.getByLabel("科技人员总数").fill("120");
  await first.getByLabel("所在地区").fill("北京市");
  await first.getByLabel("所属行业").fill("能源");
  await first.getByLabel("拟采用的组建方式").selectOption("standalone");
  // A day passes on the server: the 8-hour token has expired.
  await page.evaluate(() => fetch("/demo/clock", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"days":1}' }));
  await first.getByRole("button", { name: "保存草稿", exact: true }).click();
  const alert = first.getByRole("alert").filter({ hasText: "登录已过期" });
  await alert.waitFor();
  assert.match(await alert.innerText(), /已保留/);
  assert.equal(await first.getByLabel("企业名称").inputValue(), "过期令牌测试公司");
  assert.equal(await first.getByLabel("所在地区").inputValue(), "北京市");
  await shot(page, "embed-3-token-expired");
  const events = await page.evaluate(() => window.events);
  assert.equal(events.at(-1).name, "error");
  assert.equal(events.at(-1).detail.code, "unauthorized");
  await page.close();

  // The same person with a host that refreshes tokens: the draft is back and goes through.
  const again = await hostPage("?workflow=kexie-formation&one=liming&refresh", false, context);
  const w = again.locator("#first");
  await w.getByText("已恢复您上次未提交的内容").waitFor();
  assert.equal(await w.getByLabel("企业名称").inputValue(), "过期令牌测试公司");
  await again.evaluate(() => fetch("/demo/clock", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"days":1}' }));
  await w.getByRole("button", { name: "保存草稿", exact: true }).click();
  // The first request is refused, the host's callback gives a fresh token, the retry succeeds.
  await w.locator(".kx-meta", { hasText: "草稿" }).waitFor();
  // The history (fetched after the instance, so waited for) shows the stored value.
  await w.getByText("过期令牌测试公司").waitFor({ state: "attached" });
  assert.equal(await w.getByText("过期令牌测试公司").count(), 1, "the draft was stored on the server");
  assert.deepEqual(again.errors, []);
  await context.close();
});

test("the pickers ask the host's directory when the host gives one", async () => {
  const page = await hostPage("?workflow=title-evaluation&people", false);
  const first = page.locator("#first");
  const applicant = first.getByRole("combobox", { name: "申报人" });
  await applicant.fill("张");
  await first.getByRole("option", { name: /张无忌/ }).waitFor();
  assert.equal(await first.getByRole("listbox").getByRole("option").count(), 2, "both of the host's 张");
  await first.getByRole("option", { name: /张无忌/ }).click();
  await first.locator(".kx-chip", { hasText: "张无忌" }).waitFor();
  await first.getByRole("combobox", { name: "所在部门" }).fill("研究");
  await first.getByRole("option", { name: /宿主研究院/ }).click();
  await first.locator(".kx-chip", { hasText: "宿主研究院" }).waitFor();
  await shot(page, "embed-4-host-directory");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the element mounts once however many attributes it has, and calls a getToken set after it mounted", async () => {
  const demoToken = async (user) => (await (await fetch(`${server.base}/demo/token`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user }),
  })).json()).token;
  const token = await demoToken("liming");
  // The element is in the markup with all its attributes before the module defines it:
  // upgrading it reports each attribute, and each used to mount the widget again.
  const html = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>宿主页面</title>
<script type="module" src="/host2/host.js"></script></head><body>
<kexie-workflow id="el" api="/api/v1" token="${token}" workflow="kexie-formation" view="form" locale="zh-CN"></kexie-workflow>
</body></html>`;
  const js = `import init from "/kexie/kexie_widget.js"; await init(); window.ready = true;`;
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  let asked = 0;
  page.on("request", (r) => { if (new URL(r.url()).pathname === "/api/v1/me") asked += 1; });
  await page.route("**/host2/**", (route) => {
    const js_file = route.request().url().endsWith(".js");
    route.fulfill({ status: 200, headers: { "content-type": js_file ? "text/javascript" : "text/html; charset=utf-8" }, body: js_file ? js : html });
  });
  await page.goto(`${server.base}/host2/page.html`);
  const el = page.locator("#el");
  await el.getByLabel("企业名称").waitFor();
  assert.equal(asked, 1, "one mount: one GET /me");

  // The host sets getToken once the widget is up; a day later the token is refused, and
  // the widget asks the callback it has now.
  await page.evaluate(() => {
    window.refreshed = 0;
    document.getElementById("el").getToken = async () => {
      window.refreshed += 1;
      const r = await fetch("/demo/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"user":"liming"}' });
      return (await r.json()).token;
    };
  });
  await page.evaluate(() => fetch("/demo/clock", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"days":1}' }));
  await el.getByLabel("企业名称").fill("后设令牌测试公司");
  await el.getByRole("button", { name: "保存草稿", exact: true }).click();
  await el.locator(".kx-meta", { hasText: "草稿" }).waitFor();
  assert.equal(await page.evaluate(() => window.refreshed), 1, "the callback set after mounting was asked");
  assert.equal(asked, 1, "setting getToken did not mount it again");
  assert.deepEqual(page.errors, []);
  await page.close();
});
