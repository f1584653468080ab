// Delivery health in the rule editor: with a webhook receiver that is down, the editor's
// head says the deliveries gave up, names the receiver and its last error, and sends the
// dead deliveries again on request. The demo's own receiver stays healthy beside it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { freePort, session, portal, become, widget, shot } from "./support.mjs";
import { submittedFormation, shotOnFailure } from "./flows.mjs";

const hook = `http://127.0.0.1:${await freePort()}/hook`; // nobody listens there
let server, page;
session(async (s, browser) => {
  server = s;
  page = await portal(browser, server.base);
}, { config: `[[webhooks]]\nurl = "${hook}"\nsecret = "a-secret-of-the-oa-receiver"\n` });

test("the editor shows a receiver whose deliveries gave up, and sends them again", () => shotOnFailure(page, "deliveries", async () => {
  await submittedFormation(server, "投递测试有限公司");
  // A day of failures, as the sender would mark it (the real wait is 24 hours).
  await new Promise((ok) => setTimeout(ok, 1500));
  execFileSync("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE deliveries SET status='dead', attempts=3, last_error='error sending request: connection refused' WHERE hook=?\", (sys.argv[2],)); c.commit()", server.db, hook]);

  await become(page, "hejun");
  await page.evaluate(() => { location.hash = "#rules"; });
  const W = widget(page);
  const health = W.locator(".kx-ed-health");
  await health.filter({ hasText: "消息推送：已停止重试 2" }).waitFor();
  await health.click();
  const list = W.locator(".kx-ed-delivery-list");
  const sick = list.locator(".kx-ed-delivery", { hasText: hook });
  await sick.locator(".kx-ed-delivery-error", { hasText: "connection refused" }).waitFor();
  assert.match(await sick.innerText(), /已停止 2/);
  const demo = list.locator(".kx-ed-delivery", { hasText: "/demo/receiver" });
  assert.match(await demo.innerText(), /已停止 0/, "the demo's own receiver is well");
  await shot(page, "deliveries-1-health");

  await sick.getByRole("button", { name: "重新投递" }).click();
  await list.getByText("已重新排队 2 条").waitFor();
  await health.filter({ hasText: "待发送" }).waitFor();
  assert.deepEqual(page.errors, []);
}));
