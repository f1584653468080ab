// Accessibility: axe-core's WCAG 2.1 A/AA rules (labels, names, contrast, ARIA) run on the
// widget's main views; every problem inside the widget fails the test. The portal around
// it is a demo and is not checked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { session, ROOT, become, widget, tab, openRow, press, expectHeader } from "./support.mjs";
import { submittedPlan } from "./flows.mjs";

const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  // axe is injected by the test, which the portal's CSP would rightly refuse.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  page = await context.newPage();
  await page.goto(server.base + "/");
});

/** The WCAG A/AA violations axe finds inside the widget, as "rule: target" lines. */
async function violations(rules = ["color-contrast"], on = page) {
  await on.evaluate(AXE);
  const { found, checked } = await on.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] });
    // A node in a shadow root is targeted as [[host, inner]]: the widget's is the only one.
    const inWidget = (n) => Array.isArray(n.target[0]);
    return {
      found: result.violations.flatMap((v) =>
        v.nodes.filter(inWidget).map((n) => `${v.id}: ${JSON.stringify(n.target)} — ${n.failureSummary}`)),
      checked: result.passes.filter((p) => p.nodes.some(inWidget)).map((p) => p.id),
    };
  });
  // Proof that axe looked inside the widget's shadow root, not just at the portal.
  for (const rule of rules) assert.ok(checked.includes(rule), `axe checked ${rule} in the widget`);
  return found;
}

test("the inbox, a form with its errors, an approval and English pass axe's WCAG AA rules", async () => {
  await become(page, "liming");
  assert.deepEqual(await violations(), [], "inbox");

  await tab(page, "发起流程");
  await widget(page).locator(".kx-row-open", { hasText: "科协组建" }).click();
  await widget(page).getByLabel("企业名称").fill("无障碍测试有限公司");
  await press(page, "提交"); // every error shows
  await widget(page).getByRole("alert").filter({ hasText: "表单有" }).waitFor();
  await widget(page).getByRole("button", { name: "＋ 添加一行" }).click();
  assert.deepEqual(await violations(["color-contrast", "label", "aria-valid-attr-value"]), [], "start form with errors and a table row");

  await widget(page).getByLabel("科技人员总数").fill("150");
  await widget(page).getByLabel("所在地区").fill("重庆市");
  await widget(page).getByLabel("所属行业").fill("汽车");
  await widget(page).getByLabel("拟采用的组建方式").selectOption("standalone");
  await widget(page).locator("input[type=file]").setInputFiles({ name: "章程.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4") });
  await widget(page).getByRole("button", { name: /章程\.pdf/ }).waitFor();
  for (const [i, name] of ["甲", "乙", "丙"].entries()) {
    if (i > 0) await widget(page).getByRole("button", { name: "＋ 添加一行" }).click();
    await widget(page).getByLabel(`姓名（第 ${i + 1} 行）`).fill(name);
  }
  await press(page, "提交");
  await expectHeader(page, "企业党组织审批");

  await become(page, "zhoujianguo");
  await openRow(page, "我的待办", "科协组建");
  await press(page, "转交…"); // a panel with a person picker
  await widget(page).getByLabel("转交给").fill("李");
  await widget(page).getByRole("option").first().waitFor();
  assert.deepEqual(await violations(), [], "approval with its actions, a panel and an open picker");

  await widget(page).getByRole("button", { name: "Switch to English" }).click();
  await widget(page).getByText("Current step:").waitFor();
  assert.deepEqual(await violations(), [], "in English");
});

test("the rule editor, its problems panel and its preview pass axe's WCAG AA rules", async () => {
  await page.evaluate(() => { location.hash = ""; });
  await become(page, "hejun");
  await page.evaluate(() => { location.hash = "#rules"; });
  await widget(page).getByLabel("流程", { exact: true }).selectOption("kexie-formation");
  await widget(page).locator(".cm-line", { hasText: "const STANDALONE_STAFF = 100;" }).click();
  await page.keyboard.press("End");
  await page.keyboard.type(" +");
  await widget(page).locator(".kx-ed-problem").first().waitFor();
  assert.deepEqual(await violations(["color-contrast", "button-name"]), [], "editor with a problem");

  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  await widget(page).locator(".kx-ed-clean:not(.kx-ed-stale)").waitFor();
  await widget(page).getByRole("tab", { name: "预览" }).click();
  await widget(page).getByLabel("扮演").waitFor();
  assert.deepEqual(await violations(["color-contrast", "label"]), [], "preview");

  await widget(page).getByRole("tab", { name: "表单" }).click();
  await widget(page).locator(".kx-dz-props").waitFor();
  assert.deepEqual(await violations(["color-contrast", "label", "button-name"]), [], "form designer");
  await widget(page).locator(".kx-dz-pick", { hasText: "委员会委员候选人" }).click();
  await widget(page).locator(".kx-dz-columns .kx-dz-pick").first().click();
  await widget(page).locator(".kx-dz-columns .kx-dz-props").waitFor();
  assert.deepEqual(await violations(["color-contrast", "label", "button-name"]), [], "a table's columns in the form designer");

  await widget(page).getByRole("tab", { name: "流程" }).click();
  await widget(page).locator(".kx-rt-matrix").waitFor();
  assert.deepEqual(await violations(["color-contrast", "label", "button-name", "th-has-data-cells"]), [], "route designer");
});

test("on a phone, the inbox, a form with its table as cards and an approval pass axe's WCAG AA rules", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, bypassCSP: true });
  const phone = await context.newPage();
  try {
    await phone.goto(server.base + "/");
    await become(phone, "zhaomin");
    assert.deepEqual(await violations(["color-contrast"], phone), [], "inbox on a phone");
    await tab(phone, "发起流程");
    await widget(phone).locator(".kx-row-open", { hasText: "科协年度工作计划" }).click();
    await widget(phone).getByRole("button", { name: "＋ 添加一行" }).click();
    await widget(phone).getByRole("button", { name: "＋ 添加一行" }).click();
    await press(phone, "提交"); // every error shows, in the cards too
    await widget(phone).getByRole("alert").filter({ hasText: "表单有" }).waitFor();
    assert.deepEqual(await violations(["color-contrast", "label"], phone), [], "a form with its table as cards");
    await submittedPlan(server, "无障碍手机测试科学技术协会");
    await become(phone, "qianxuejun");
    await openRow(phone, "我的待办", "无障碍手机测试科学技术协会");
    assert.deepEqual(await violations(["color-contrast", "label"], phone), [], "an approval on a phone");
  } finally {
    await context.close();
  }
});

test("the dashboard, its charts and the list behind a figure pass axe's WCAG AA rules, on a phone too", async () => {
  await page.evaluate(() => { location.hash = ""; });
  await become(page, "hejun"); // an administrator sees every report: the application above is in them
  await page.evaluate(() => { location.hash = "#reports"; });
  await tab(page, "科协组建");
  const card = widget(page).locator(".kx-report", { hasText: "组建申请：按组建方式" });
  await card.locator(".kx-chart svg").waitFor();
  await card.getByRole("button", { name: "单独组建：1" }).click();
  await card.locator(".kx-behind .kx-row-open").first().waitFor();
  assert.deepEqual(await violations(["color-contrast", "label", "role-img-alt"]), [], "dashboard with a drill-down");

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, bypassCSP: true });
  const phone = await context.newPage();
  try {
    await phone.goto(server.base + "/#reports");
    await become(phone, "hejun");
    await tab(phone, "科协组建");
    await widget(phone).locator(".kx-chart svg").first().waitFor();
    assert.deepEqual(await violations(["color-contrast", "label"], phone), [], "dashboard on a phone");
  } finally {
    await context.close();
  }
});
