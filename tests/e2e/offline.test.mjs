// The server goes away while someone is filling a form: the widget says so, keeps every
// input, and the draft is still there once the server is back.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, portal, become, widget, tab, shot } from "./support.mjs";

let browser;
after(async () => browser?.close());

test("a request that cannot reach the server keeps the input and says what to do", async () => {
  const server = await startServer();
  browser = await launch();
  const page = await portal(browser, server.base);
  await become(page, "liming");
  await tab(page, "发起流程");
  await widget(page).locator(".kx-row-open", { hasText: "科协组建" }).click();
  await widget(page).getByLabel("企业名称").fill("断网测试有限公司");
  await widget(page).getByLabel("科技人员总数").fill("130");
  await server.stop();
  await widget(page).getByRole("button", { name: "保存草稿", exact: true }).click();
  const alert = widget(page).getByRole("alert").filter({ hasText: "无法连接服务器" });
  await alert.waitFor();
  assert.match(await alert.innerText(), /已保留/);
  assert.equal(await widget(page).getByLabel("企业名称").inputValue(), "断网测试有限公司");
  assert.equal(await widget(page).getByLabel("科技人员总数").inputValue(), "130");
  assert.equal(await widget(page).getByRole("button", { name: "保存草稿", exact: true }).isEnabled(), true, "and it can be tried again");
  await shot(page, "offline-1-kept");
  const drafts = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kexie-draft|")));
  assert.equal(drafts.length, 1, "the draft is in local storage");
});
