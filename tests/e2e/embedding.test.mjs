// Embedding, as an OA portal does it: host pages on another origin than the Kexie server's
// (a web server of the test's own on 127.0.0.2, listed in the server's cors_origins) load
// the widget's module from the Kexie server and call its API and token endpoint. A strict
// CSP naming the widget's origin, a hostile stylesheet, two widgets, a draft that survives
// a reload, a token that expires while someone is typing, an upload.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { session, startHost, shot } from "./support.mjs";
import { moveClock, token as demoToken } from "./flows.mjs";

// The cross-origin policy docs/embedding.md gives: the widget's origin (`kexie`) in each
// directive the widget uses, nothing else allowed from anywhere.
const csp = (kexie) => `default-src 'self'; script-src 'self' 'wasm-unsafe-eval' ${kexie}; style-src 'self' ${kexie}; connect-src 'self' ${kexie}`;

// A stylesheet that would wreck any widget that relied on the page's styles.
const HOSTILE = `* { font-size: 30px !important; color: #f0f !important; }
input, select, textarea, button { display: none !important; }
div { margin: 40px !important; border: 3px dotted red !important; }`;

// The host's own script (no inline script is allowed): one widget through mount(), one
// through the custom element; tokens from the demo portal's endpoint; all on `kexie`.
const host_js = (kexie) => `import init, { mount } from "${kexie}/kexie/kexie_widget.js";
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.violatedDirective + " " + e.blockedURI));
const token = async (user) => (await (await fetch("${kexie}/demo/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user }) })).json()).token;
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
  api: "${kexie}/api/v1",
  token: await token(one), getToken: refresh ? () => token(one) : undefined,
  people: params.has("people") ? people : undefined,
  workflow: params.get("workflow") || undefined, view: params.get("workflow") ? "form" : "inbox",
});
const second = document.getElementById("second");
if (second) second.setAttribute("token", await token("zhoujianguo"));
window.ready = true;`;

const page_html = (kexie, second) => `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>宿主页面</title>
<link rel="stylesheet" href="/host/hostile.css"><script type="module" src="/host/host.js"></script></head>
<body><h1>宿主系统</h1><input id="host-input" value="host">
<section id="first"></section>
${second ? `<kexie-workflow id="second" api="${kexie}/api/v1" workflow="kexie-formation" locale="en"></kexie-workflow>` : ""}
</body></html>`;

let server, browser;
// Pages a test serves from the host's origin besides /host/* (path → { type, body }).
const extra = new Map();
const host = await startHost((path, params) => {
  const headers = { "content-security-policy": csp(server.base) };
  if (extra.has(path)) return { ...extra.get(path), headers };
  // Browsers ask every origin for its icon.
  if (path === "/favicon.ico") return { type: "image/svg+xml", body: '<svg xmlns="http://www.w3.org/2000/svg"/>', headers };
  if (path === "/host/hostile.css") return { type: "text/css", body: HOSTILE, headers };
  if (path === "/host/host.js") return { type: "text/javascript", body: host_js(server.base), headers };
  if (path === "/host/page.html") return { type: "text/html; charset=utf-8", body: page_html(server.base, params.has("second")), headers };
});
after(() => host.close());
session(async (s, b) => {
  [server, browser] = [s, b];
  assert.notEqual(new URL(host.origin).origin, new URL(server.base).origin);
}, { corsOrigins: [host.origin] });

/**
 * The host's page (on the host's origin) with one widget mounted as `one` (liming unless
 * the query says), and a second one through the element if `second`.
 */
async function hostPage(query = "", second = true, context = null) {
  const page = await (context ?? browser).newPage({ viewport: { width: 1280, height: 1000 } });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error" && !/401/.test(m.text())) page.errors.push(m.text()); });
  const params = new URLSearchParams(query);
  if (second) params.set("second", "");
  await page.goto(`${host.origin}/host/page.html?${params}`);
  await page.waitForFunction(() => window.ready === true);
  return page;
}

/** Nothing went wrong on the page: no errors, no CSP violation, no kexie:error. */
async function clean(page) {
  assert.deepEqual(page.errors, []);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual((await page.evaluate(() => window.events)).filter((e) => e.name === "error"), []);
}

/** Chooses `name` (found by typing `query`) in the picker labelled `label` within `root`. */
async function pick(root, label, query, name = query) {
  const input = root.getByRole("combobox", { name: label });
  const id = await input.evaluate((e) => e.closest("[data-field]").dataset.field);
  await input.fill(query);
  await root.locator(`#${await input.getAttribute("aria-controls")}`).getByRole("option", { name }).first().click();
  await root.locator(`[data-field="${id}"] .kx-chip`, { hasText: name }).first().waitFor();
}

/** The names on the chips of field `id`. */
const chips = (root, id) => root.locator(`[data-field="${id}"] .kx-chip > span`).allInnerTexts();

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

  await clean(page);
  await page.evaluate(() => window.handle.unmount());
  assert.equal(await first.locator(".kx-root").count(), 0, "unmount removes the widget");
  await page.close();
});

test("a draft survives a reload and says so", async () => {
  const page = await hostPage("", false);
  const first = page.locator("#first");
  const start = async () => {
    await first.getByRole("tab", { name: "发起流程" }).click();
    await first.locator(".kx-row-open", { hasText: "科协组建" }).click();
  };
  await start();
  await first.getByLabel("企业名称").fill("草稿测试有限公司");
  await first.getByLabel("科技人员总数").fill("150");
  await page.waitForTimeout(1000); // The draft is saved within a second of typing.
  await page.reload();
  await page.waitForFunction(() => window.ready === true);
  await start();
  await first.getByText("已恢复您上次未提交的内容").waitFor();
  assert.equal(await first.getByLabel("企业名称").inputValue(), "草稿测试有限公司");
  assert.equal(await first.getByLabel("科技人员总数").inputValue(), "150");
  await shot(page, "embed-2-draft-restored");
  await clean(page);
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
  await moveClock(server, 1);
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
  await moveClock(server, 1);
  await w.getByRole("button", { name: "保存草稿", exact: true }).click();
  // The first request is refused, the host's callback gives a fresh token, the retry succeeds.
  await w.locator(".kx-meta", { hasText: "草稿" }).waitFor();
  // The history (fetched after the instance, so waited for) shows the stored value.
  await w.getByText("过期令牌测试公司").waitFor({ state: "attached" });
  assert.equal(await w.getByText("过期令牌测试公司").count(), 1, "the draft was stored on the server");
  assert.deepEqual(again.errors, []);
  assert.deepEqual(await again.evaluate(() => window.violations), []);
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
  await clean(page);
  await page.close();
});

test("the element mounts once however many attributes it has, and calls a getToken set after it mounted", async () => {
  const token = await demoToken(server, "liming");
  const kexie = server.base;
  // The element is in the markup with all its attributes before the module defines it:
  // upgrading it reports each attribute, and each used to mount the widget again.
  extra.set("/host2/page.html", { type: "text/html; charset=utf-8", body: `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>宿主页面</title>
<script type="module" src="/host2/host.js"></script></head><body>
<kexie-workflow id="el" api="${kexie}/api/v1" token="${token}" workflow="kexie-formation" view="form" locale="zh-CN"></kexie-workflow>
</body></html>` });
  extra.set("/host2/host.js", { type: "text/javascript", body: `import init from "${kexie}/kexie/kexie_widget.js";
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.violatedDirective + " " + e.blockedURI));
await init(); window.ready = true;` });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  let asked = 0;
  page.on("request", (r) => { if (r.method() === "GET" && new URL(r.url()).pathname === "/api/v1/me") asked += 1; });
  await page.goto(`${host.origin}/host2/page.html`);
  const el = page.locator("#el");
  await el.getByLabel("企业名称").waitFor();
  assert.equal(asked, 1, "one mount: one GET /me");

  // The host sets getToken once the widget is up; a day later the token is refused, and
  // the widget asks the callback it has now.
  await page.evaluate((kexie) => {
    window.refreshed = 0;
    document.getElementById("el").getToken = async () => {
      window.refreshed += 1;
      const r = await fetch(kexie + "/demo/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"user":"liming"}' });
      return (await r.json()).token;
    };
  }, kexie);
  await moveClock(server, 1);
  await el.getByLabel("企业名称").fill("后设令牌测试公司");
  await el.getByRole("button", { name: "保存草稿", exact: true }).click();
  await el.locator(".kx-meta", { hasText: "草稿" }).waitFor();
  assert.equal(await page.evaluate(() => window.refreshed), 1, "the callback set after mounting was asked");
  assert.equal(asked, 1, "setting getToken did not mount it again");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  await page.close();
});

test("a standalone 科协组建 with its charter is submitted from the host's origin", async () => {
  const page = await hostPage("?workflow=kexie-formation", false);
  const first = page.locator("#first");
  const uploads = [];
  page.on("request", (r) => { if (r.method() === "POST" && r.url() === `${server.base}/api/v1/attachments`) uploads.push(r.headers()); });
  await first.getByLabel("企业名称").fill("跨域宿主测试有限公司");
  await first.getByLabel("科技人员总数").fill("180");
  await first.getByLabel("所在地区").fill("江苏省南京市");
  await first.getByLabel("所属行业").fill("化工新材料");
  await first.getByLabel("拟采用的组建方式").selectOption("standalone");
  // The upload names its file in X-File-Name: a header the server's CORS must allow.
  await first.locator("input[type=file]").setInputFiles({
    name: "科协章程草案.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 cross-origin charter"),
  });
  await first.getByText("科协章程草案.pdf").first().waitFor();
  assert.equal(uploads.length, 1);
  assert.equal(decodeURIComponent(uploads[0]["x-file-name"]), "科协章程草案.pdf");
  for (const [n, [name, title, dept]] of [["王建华", "总工程师", "技术中心"], ["刘芳", "高级工程师", "研发一部"], ["张磊", "工程师", "工艺部"]].entries()) {
    await first.getByRole("button", { name: "＋ 添加一行" }).click();
    await first.getByLabel(`姓名（第 ${n + 1} 行）`).fill(name);
    await first.getByLabel(`职务/职称（第 ${n + 1} 行）`).fill(title);
    await first.getByLabel(`所在部门（第 ${n + 1} 行）`).fill(dept);
    await first.getByLabel(`科技工作者（第 ${n + 1} 行）`).check();
  }
  await first.getByRole("button", { name: "提交", exact: true }).click();
  await first.locator(".kx-meta", { hasText: "企业党组织审批" }).waitFor({ timeout: 10_000 });
  await shot(page, "embed-6-cross-origin-submitted");
  await clean(page);

  // The instance is on the server, with the charter uploaded from the host's page.
  const submitted = (await page.evaluate(() => window.events)).filter((e) => e.name === "submitted");
  assert.equal(submitted.length, 1);
  assert.equal(submitted[0].detail.workflow, "kexie-formation");
  const res = await fetch(`${server.base}/api/v1/instances/${submitted[0].detail.instance}`, {
    headers: { Authorization: `Bearer ${await demoToken(server, "liming")}` },
  });
  assert.equal(res.status, 200);
  const view = await res.json();
  assert.equal(view.step, "party");
  assert.equal(view.form.enterprise_name, "跨域宿主测试有限公司");
  assert.equal(view.form.organising_mode, "standalone");
  assert.match(JSON.stringify(view.form.charter_draft), /科协章程草案\.pdf/);
  await page.close();
});

test("a restored draft names the people it holds, from the server's directory or the host's", async () => {
  // One browser profile: the drafts live in the host origin's local storage.
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const reload = async (page) => {
    await page.waitForTimeout(1000); // The draft is saved within a second of choosing.
    await page.reload();
    await page.waitForFunction(() => window.ready === true);
    await page.locator("#first").getByText("已恢复您上次未提交的内容").waitFor();
  };

  // The server's directory names 周宁 (zhouning), who is in no instance yet.
  const page = await hostPage("?workflow=title-evaluation&one=qianjin", false, context);
  const first = page.locator("#first");
  await pick(first, "申报人", "周宁");
  await pick(first, "所在部门", "技术中心");
  await reload(page);
  assert.deepEqual(await chips(first, "candidate"), ["周宁"]);
  assert.deepEqual(await chips(first, "department"), ["技术中心"]);
  await shot(page, "embed-7-draft-names-server-directory");
  await clean(page);

  // A person in a table row (the annual plan's 负责人).
  const plan = await hostPage("?workflow=annual-plan&one=zhaomin", false, context);
  const W = plan.locator("#first");
  await W.getByRole("button", { name: "＋ 添加一行" }).click();
  await pick(W, "负责人（第 1 行）", "孙丽华");
  await reload(plan);
  assert.deepEqual(await chips(W, "items"), ["孙丽华"]);
  await shot(plan, "embed-8-draft-names-table");
  await clean(plan);

  // The host's directory names people and departments the server does not know.
  const hosted = await hostPage("?workflow=title-evaluation&one=liming&people", false, context);
  const H = hosted.locator("#first");
  await pick(H, "申报人", "张", "张无忌");
  await pick(H, "所在部门", "研究", "宿主研究院");
  await reload(hosted);
  assert.deepEqual(await chips(H, "candidate"), ["张无忌"]);
  assert.deepEqual(await chips(H, "department"), ["宿主研究院"]);
  await shot(hosted, "embed-9-draft-names-host-directory");
  await clean(hosted);
  await context.close();
});
