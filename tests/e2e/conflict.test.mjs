// Two leaders open the same any-one (或签) task; the slower one is told what changed and
// keeps what they typed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, openRow, press, expectHeader, shot } from "./support.mjs";
import { atLeadership } from "./flows.mjs";

let server, browser;
session(async (s, b) => {
  [server, browser] = [s, b];
});

test("the slower of two any-one approvers sees what changed and keeps what they typed", async () => {
  await atLeadership(server);
  const a = await portal(browser, server.base);
  const b = await portal(browser, server.base);
  await become(a, "wuhaitao");
  await become(b, "zhenglihua");
  await openRow(a, "我的待办", "科协组建");
  await openRow(b, "我的待办", "科协组建");
  await widget(a).getByLabel("企业领导班子意见").fill("同意，报上级科协。");
  await press(a, "同意");
  await expectHeader(a, "上级科协审核");

  await widget(b).getByLabel("企业领导班子意见").fill("我也同意。");
  await press(b, "同意");
  const conflict = widget(b).locator(".kx-conflict");
  await conflict.waitFor();
  const text = await conflict.innerText();
  assert.match(text, /他人刚刚处理了这个流程/);
  assert.match(text, /环节：企业领导班子审批 → 上级科协审核/);
  assert.match(text, /企业领导班子意见：— → 同意，报上级科协。/);
  assert.equal(await widget(b).getByLabel("企业领导班子意见").inputValue(), "我也同意。", "nothing typed is lost");
  await shot(b, "conflict-1-what-changed");
  await press(b, "载入最新内容（保留我的修改）");
  await expectHeader(b, "上级科协审核");
  assert.equal(await widget(b).getByRole("button", { name: "同意", exact: true }).count(), 0, "no longer theirs to approve");
  assert.deepEqual([...a.errors, ...b.errors], []);
});
