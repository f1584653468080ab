// 统计分析 as an upper-level 科协 reviewer meets it (issue 17): after three applications and
// a plan walked through over the API, 孙志远 opens the dashboard from the portal's menu, sees
// the ones that reached him drawn and tabulated, narrows them by year and region, opens the
// instances behind a figure and one of them, exports a report whose numbers are the API's,
// and finds the plan's funds by category; all under the portal's strict CSP. An applicant
// has no menu entry and is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { session, portal, become, widget, shot } from "./support.mjs";
import { act, api, filedPlan, formationForm, token } from "./flows.mjs";

let server, browser, page;
const violations = [];
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  // Two reach the upper-level 科协 (one in 上海市, one in 江苏省苏州市, which SASAC then
  // files); the third waits for the party organisation and is none of 孙志远's business.
  const li = await token(server, "liming");
  const approve = async (view, user, field) =>
    act(server, view.id, await token(server, user), view.revision, { action: "approve", changes: { [field]: "同意。" } });
  for (const [name, region, upto] of [["报表甲有限公司", "上海市", "sasac"], ["报表乙有限公司", "江苏省苏州市", "upper"], ["报表丙有限公司", "上海市", "party"]]) {
    const form = await formationForm(server, li, { enterprise_name: name, region });
    let view = await api(server, "/api/v1/instances", li, { workflow: "kexie-formation", form });
    view = await act(server, view.id, li, view.revision, { action: "submit" });
    if (upto === "party") continue;
    view = await approve(view, "zhoujianguo", "party_opinion");
    view = await approve(view, "wuhaitao", "leadership_opinion");
    if (upto === "sasac") {
      view = await approve(view, "sunzhiyuan", "upper_kexie_opinion");
      await approve(view, "fengxiaodong", "sasac_opinion");
    }
  }
  // A plan filed with 孙志远: three items, one in each of three categories.
  await filedPlan(server, "报表科协");
});

const W = () => widget(page);
const bar = () => W().locator(".kx-report-bar");
const card = (title) => W().locator(".kx-report", { has: page.locator(".kx-section-title", { hasText: title }) });

test("the upper-level 科协 sees what reached it, drawn and tabulated, and opens what is behind a figure", async () => {
  await become(page, "sunzhiyuan");
  await page.locator("#oa-nav-reports").click();
  await W().getByRole("tab", { name: "科协组建" }).click();
  const byMode = card("组建申请：按组建方式");
  // The chart is drawn as SVG, and its table is under it.
  await byMode.locator(".kx-chart svg").waitFor();
  const row = byMode.locator("tbody tr", { hasText: "单独组建" });
  assert.equal((await row.locator("td").first().innerText()).trim(), "2", "the two that reached him");
  await card("组建申请：按地区与组建方式").locator(".kx-chart svg").waitFor();
  await shot(page, "reports-1-dashboard");

  // Narrowed by region: 江苏省苏州市 alone.
  await bar().getByLabel("筛选").selectOption("region");
  await bar().getByLabel("等于").fill("江苏省苏州市");
  await bar().getByLabel("等于").press("Enter");
  await row.locator("td", { hasText: /^1$/ }).first().waitFor();
  await bar().getByLabel("等于").fill("");
  await bar().getByLabel("等于").press("Enter");
  await row.locator("td", { hasText: /^2$/ }).first().waitFor();
  // A year nothing was started in has nothing to show.
  await bar().getByLabel("年度").selectOption(String(new Date().getFullYear() - 1));
  await byMode.getByText("没有符合条件的流程。").waitFor();
  await bar().getByLabel("年度").selectOption(String(new Date().getFullYear()));
  await row.waitFor();

  // The figure opens the instances behind it, and each opens its instance.
  await row.getByRole("button", { name: "单独组建：2" }).click();
  const behind = byMode.locator(".kx-behind");
  await behind.locator(".kx-row-open").nth(1).waitFor();
  assert.equal(await behind.locator(".kx-row-open").count(), 2);
  await shot(page, "reports-2-behind-a-figure");
  await behind.locator(".kx-row-open", { hasText: "报表乙有限公司" }).click();
  await W().locator(".kx-title", { hasText: "科协组建" }).waitFor();
  // 返回 finds the dashboard as he left it: the same tab, the list behind the figure open.
  await W().getByRole("button", { name: "← 返回统计分析" }).click();
  await W().getByRole("tab", { name: "科协组建", selected: true }).waitFor();
  await behind.locator(".kx-row-open", { hasText: "报表甲有限公司" }).waitFor();

  // The exports have the rows the API gives him.
  const sun = await token(server, "sunzhiyuan");
  const get = async (path) => (await fetch(server.base + path, { headers: { Authorization: `Bearer ${sun}` } })).json();
  const listed = await get("/api/v1/reports/kexie-formation/by_mode/instances?key=standalone");
  const [list] = await Promise.all([page.waitForEvent("download"), behind.getByRole("button", { name: "导出 CSV" }).click()]);
  const listRows = readFileSync(await list.path(), "utf8").trim().split(/\r\n/).slice(1);
  assert.equal(listRows.length, listed.total, "as many rows as the API lists");
  for (const item of listed.items) assert.ok(listRows.some((l) => l.includes(item.id)), `${item.id} exported`);
  const table = await get("/api/v1/reports/kexie-formation/by_mode");
  const head = byMode.locator(".kx-report-head").first();
  const [download] = await Promise.all([page.waitForEvent("download"), head.getByRole("button", { name: "导出 CSV" }).click()]);
  assert.equal(download.suggestedFilename(), "组建申请：按组建方式.csv");
  const csv = readFileSync(await download.path(), "utf8");
  assert.ok(csv.startsWith("\ufeff拟采用的组建方式,件数,科技人员总数合计（人）"), csv);
  const lines = csv.trim().split(/\r\n/).slice(1).map((l) => l.split(","));
  assert.deepEqual(lines, table.rows.map((r) => [r.keys[0].label.zh, ...r.values.map(String)]), "the same rows as the API's");
  const [xlsx] = await Promise.all([page.waitForEvent("download"), head.getByRole("button", { name: "导出 Excel" }).click()]);
  assert.equal(xlsx.suggestedFilename(), "组建申请：按组建方式.xlsx");
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), "PK", "a workbook (a zip)");

  assert.deepEqual(violations, [], "nothing broke the portal's CSP");
  assert.deepEqual(page.errors, []);
});

test("a plan's funds are shown by category, counted from its items", async () => {
  await become(page, "sunzhiyuan");
  await page.locator("#oa-nav-reports").click();
  await W().getByRole("tab", { name: "科协年度工作计划" }).click();
  const funds = card("年度工作计划：各类别事项与预算");
  await funds.locator(".kx-chart svg").waitFor();
  const cells = await funds.locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll("th, td")].map((c) => c.innerText.trim())));
  const year = String(new Date().getFullYear());
  assert.deepEqual(cells, [[year, "讲比活动（第五条）", "1", "5.00"], [year, "学术交流（第六条）", "1", "8.00"],
    [year, "科普（第八条）", "1", "7.00"]], "one row per category, in the form's order, with its budget");
  const head = await funds.locator("thead th").allInnerTexts();
  assert.deepEqual(head.map((h) => h.trim()), ["计划年度", "类别", "计划事项数", "预算合计（万元）"]);
  await shot(page, "reports-4-funds-by-category");
  // The row's count opens the plan it was counted from.
  await funds.locator("tbody tr", { hasText: "学术交流" }).getByRole("button").click();
  const behind = funds.locator(".kx-behind .kx-row-open");
  await behind.first().waitFor();
  assert.equal(await behind.count(), 1);
  assert.match(await behind.innerText(), /报表科协/);
  assert.deepEqual(page.errors, []);
});

test("on a phone the dashboard fits the screen", async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  phone.errors = [];
  phone.on("pageerror", (e) => phone.errors.push(e.message));
  await phone.goto(server.base + "/#reports");
  await become(phone, "sunzhiyuan");
  await widget(phone).getByRole("tab", { name: "科协组建" }).click();
  await widget(phone).locator(".kx-chart svg").first().waitFor();
  const wide = await widget(phone).evaluate((host) => host.shadowRoot.querySelector(".kx-root").scrollWidth);
  assert.ok(wide <= 390, `nothing scrolls sideways (${wide} px)`);
  await shot(phone, "reports-3-phone");
  assert.deepEqual(phone.errors, []);
  await phone.close();
});

test("an applicant has no 统计分析 and is refused the reports", async () => {
  await page.goto(server.base + "/");
  await become(page, "liming");
  assert.equal(await page.locator("#oa-nav-reports").isVisible(), false, "no menu entry");
  await page.goto(server.base + "/#reports"); // the portal signs 李明 in again
  await W().getByText("您没有可以查看的统计报表。").waitFor();
  const li = await token(server, "liming");
  const res = await fetch(`${server.base}/api/v1/reports/kexie-formation/by_mode`, { headers: { Authorization: `Bearer ${li}` } });
  assert.equal(res.status, 403);
  await page.goto(server.base + "/");
});
