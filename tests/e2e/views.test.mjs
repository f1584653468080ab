// The main views as people see them, in both languages, operated by keyboard alone; the
// README's screenshots come from here (viewport-sized, in target/e2e-shots/readme-*.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, openRow, press, expectHeader, shot } from "./support.mjs";

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
});

const W = () => widget(page);
/** A README picture: `height` pixels of the page from `top` (page coordinates). */
async function readme(name, top = 0, height = 900) {
  // Scrolled there, so that the sticky action bar shows where it stands in the page.
  const scrolled = await page.evaluate((y) => (window.scrollTo(0, y), window.scrollY), Math.max(0, top));
  const path = `${process.env.KEXIE_SHOTS || "target/e2e-shots"}/readme-${name}.png`;
  await page.screenshot({ path, clip: { x: 0, y: Math.max(0, top) - scrolled, width: 1280, height } });
}

/** Where an element of the widget starts on the page. */
const topOf = async (locator) => (await locator.boundingBox()).y + (await page.evaluate(() => window.scrollY));

test("a form filled and submitted with the keyboard alone", async () => {
  await become(page, "liming");
  await W().getByRole("tab", { name: "发起流程" }).focus();
  await page.keyboard.press("Enter");
  await W().locator(".kx-row-open", { hasText: "科协组建" }).focus();
  await page.keyboard.press("Enter");
  await W().getByLabel("企业名称").waitFor();
  await W().getByLabel("企业名称").focus();
  const outline = await W().getByLabel("企业名称").evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, "none", "the focused input shows where the focus is");
  await page.keyboard.type("键盘有限公司");
  await page.keyboard.press("Tab");
  await page.keyboard.type("120");
  assert.equal(await W().getByLabel("科技人员总数").inputValue(), "120", "Tab moves to the next field");
  // Submit with the keyboard: the browser refuses and moves focus to the first problem.
  await W().getByRole("button", { name: "提交", exact: true }).focus();
  await page.keyboard.press("Enter");
  await W().getByRole("alert").filter({ hasText: "表单有" }).waitFor();
  // Focus moves to the first field with a problem once it has rendered.
  await page.waitForFunction(() => /-region$/.test(document.querySelector("kexie-workflow").shadowRoot.activeElement?.id || ""));
  await readme("start-errors");
  assert.deepEqual(page.errors, []);
});

test("a slow answer to the tab left behind does not replace the tab chosen since", async () => {
  // 我的待办 answers late (a provincial branch's link); 发起流程 is clicked meanwhile.
  let answered;
  const late = new Promise((resolve) => { answered = resolve; });
  await page.route("**/api/v1/tasks?*", async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
    answered();
  });
  try {
    await become(page, "liming");
    await tab(page, "发起流程");
    const start = W().locator(".kx-row-open", { hasText: "科协组建" });
    await start.waitFor();
    await late;
    // The late list has had its chance to render.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.ok(await start.isVisible(), "the workflows to start are still shown");
    assert.equal(await W().locator(".kx-empty-list").count(), 0, "no other tab's list under 发起流程");
  } finally {
    await page.unroute("**/api/v1/tasks?*");
  }
});

test("the inbox marks overdue tasks, and the widget speaks English on request", async () => {
  // An application waiting for the party organisation, then eight days pass. From an empty
  // form, whatever another test left in this browser.
  await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kexie-draft|")).forEach((k) => localStorage.removeItem(k)));
  await become(page, "liming");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: "科协组建" }).click();
  await W().getByLabel("企业名称").fill("逾期示例有限公司");
  await W().getByLabel("科技人员总数").fill("160");
  await W().getByLabel("所在地区").fill("天津市");
  await W().getByLabel("所属行业").fill("石油化工");
  await W().getByLabel("拟采用的组建方式").selectOption("standalone");
  await W().locator("input[type=file]").setInputFiles({ name: "章程.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4") });
  await W().getByRole("button", { name: /章程\.pdf/ }).waitFor();
  for (let i = 1; i <= 3; i++) {
    await W().getByRole("button", { name: "＋ 添加一行" }).click();
    await W().getByLabel(`姓名（第 ${i} 行）`).fill(["王工", "李工", "张工"][i - 1]);
  }
  await press(page, "提交");
  await expectHeader(page, "企业党组织审批");
  await page.evaluate(() => fetch("/demo/clock", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"days":8}' }));

  await become(page, "zhoujianguo");
  await W().locator(".kx-row", { hasText: "逾期示例" }).waitFor();
  await W().locator(".kx-badge", { hasText: "已逾期" }).first().waitFor();
  await readme("inbox", 0, 420);
  await shot(page, "views-1-inbox-overdue");

  await openRow(page, "我的待办", "科协组建");
  await W().locator(".kx-overdue", { hasText: "已逾期" }).waitFor();
  await W().getByLabel("企业党组织意见").fill("同意组建。");
  await W().getByLabel("企业党组织意见").blur();
  await W().locator(".kx-event").first().waitFor();
  await readme("instance", (await topOf(W().getByLabel("企业党组织意见"))) - 60, 820);

  await W().getByRole("button", { name: "Switch to English" }).click();
  await W().getByText("Current step:").waitFor();
  assert.equal(await W().getByLabel("Party organisation opinion").inputValue(), "同意组建。", "switching language keeps the input");
  await W().getByRole("button", { name: "Approve", exact: true }).waitFor();
  await readme("english");
  await shot(page, "views-2-english");
  assert.deepEqual(page.errors, []);
});
