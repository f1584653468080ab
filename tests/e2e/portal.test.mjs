// The demo portal as an OA's to-do centre: its header's 待办 and 消息 know only what the
// portal's webhook receiver was told (signed deliveries), and a task appears in 周建国's
// header while he has the portal open, the moment 李明's application is submitted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, expectHeader, shot } from "./support.mjs";
import { submittedFormation, token, act, shotOnFailure } from "./flows.mjs";

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
});

const count = (id) => page.locator(`#${id}`).innerText();

test("a submitted application shows in the approver's 待办 and opens from there", () => shotOnFailure(page, "portal-inbox", async () => {
  await become(page, "zhoujianguo");
  assert.equal(await count("oa-todo-count"), "0");

  const view = await submittedFormation(server, "待办测试有限公司");
  // The portal polls its receiver; the delivery itself is under a second.
  await page.locator("#oa-todo-count", { hasText: "1" }).waitFor({ timeout: 10_000 });
  assert.equal(await count("oa-msg-count"), "1", "one unread message: the new task");

  await page.getByRole("button", { name: /^待办/ }).click();
  const item = page.locator("#oa-panel .oa-panel-item", { hasText: "待办测试有限公司" });
  await item.waitFor();
  assert.match(await item.innerText(), /科协组建[\s\S]*党组织/);
  await shot(page, "portal-1-todo");

  await item.click();
  await expectHeader(page, "党组织");
  assert.equal(await widget(page).locator(".kx-title").count(), 1);
  assert.ok(await page.locator("#oa-panel").isHidden(), "the panel closes once an item is opened");

  await page.getByRole("button", { name: /^消息/ }).click();
  await page.locator("#oa-panel .oa-panel-item", { hasText: "新待办" }).waitFor();
  await page.keyboard.press("Escape");
  assert.equal(await count("oa-msg-count"), "0", "read once the list was opened");

  // Approved elsewhere (say, on his phone): the item leaves his list.
  const zhou = await token(server, "zhoujianguo");
  await act(server, view.id, zhou, view.revision, { action: "approve", changes: { party_opinion: "同意。" } });
  await page.locator("#oa-todo-count", { hasText: "0" }).waitFor({ timeout: 10_000 });
}));

test("the header's 待办 and menu fit a phone", () => shotOnFailure(page, "portal-phone", async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  try {
    await phone.goto(server.base + "/");
    await submittedFormation(server, "手机待办测试有限公司");
    await phone.waitForFunction(() => document.body.dataset.switches);
    // The header is one slim bar: the widget starts at the top of the screen, and the user
    // switch, the clock and the menu fold away behind 菜单.
    const top = (await phone.locator("kexie-workflow").boundingBox()).y;
    assert.ok(top <= 64, `the widget starts near the top (at ${top} px)`);
    assert.ok(await phone.locator("#oa-user-select").isHidden(), "the user switch is folded away");
    await phone.locator("#oa-menu-btn").tap();
    await phone.locator(".oa-nav", { hasText: "科协流程" }).waitFor();
    await shot(phone, "portal-3-menu-phone");
    await phone.selectOption("#oa-user-select", "zhoujianguo");
    await phone.locator("#oa-user-select").waitFor({ state: "hidden" }); // the menu closes
    await phone.locator("#oa-todo-count", { hasText: /[1-9]/ }).waitFor({ timeout: 10_000 });
    await phone.getByRole("button", { name: /^待办/ }).tap();
    await phone.locator("#oa-panel .oa-panel-item", { hasText: "手机待办测试有限公司" }).waitFor();
    const box = await phone.locator("#oa-panel").boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `the panel stays on the screen: ${JSON.stringify(box)}`);
    assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth), 390, "nothing scrolls sideways");
    await shot(phone, "portal-2-todo-phone");
  } finally {
    await phone.close();
  }
}));
