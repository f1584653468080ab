// Every action the widget offers, through its buttons and panels: remind, comment,
// withdraw and resubmit (the initiator); CC, add an approver before me, transfer, and a
// reject that must give its reason (the approvers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, openRow, press, expectHeader, shot } from "./support.mjs";
import { openTask, pickPerson, submittedFormation } from "./flows.mjs";

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
});

const W = () => widget(page);
const TITLE = "科协组建";
/** Waits until the history (reloaded after each action) shows `line`. */
const inHistory = (line) => W().locator(".kx-timeline").filter({ hasText: line }).waitFor();

test("remind, comment, withdraw, CC, add approver, transfer and reject, each through its panel", async () => {
  await submittedFormation(server, "办理动作测试有限公司");

  // The initiator: remind, comment, withdraw and submit again.
  await become(page, "liming");
  await openRow(page, "我发起的", TITLE);
  await press(page, "催办");
  await W().getByText("已催办。").waitFor();
  await press(page, "评论…");
  await W().getByLabel("评论").fill("材料已齐，请审批。");
  await press(page, "发表评论");
  await W().getByText("评论已发表。").waitFor();
  await inHistory(/李明 评论[\s\S]*材料已齐，请审批。/);
  await press(page, "撤回…");
  await press(page, "确认撤回");
  await expectHeader(page, "提出申请");
  await press(page, "提交");
  await expectHeader(page, "企业党组织审批");

  // The party organisation copies the secretariat in and asks a leader to look first.
  await openTask(page, "zhoujianguo", TITLE);
  await press(page, "抄送…");
  await pickPerson(page, "抄送给", "赵敏");
  await press(page, "确认抄送");
  await W().getByText("已抄送。").waitFor();
  await press(page, "加签…");
  await pickPerson(page, "加签人", "郑丽华");
  await W().getByLabel("在我之前（其办理后回到我）").check();
  await shot(page, "actions-1-add-approver");
  await press(page, "确认加签");
  await W().locator(".kx-meta", { hasText: "待办人：郑丽华" }).waitFor();

  await openTask(page, "zhenglihua", TITLE);
  await press(page, "同意");
  await W().locator(".kx-meta", { hasText: "待办人：周建国" }).waitFor();

  // Back to the party organisation, who hands the task over.
  await openTask(page, "zhoujianguo", TITLE);
  await press(page, "转交…");
  await pickPerson(page, "转交给", "吴海涛");
  await W().getByLabel("留言（可选）").fill("请您代为审批。");
  await press(page, "确认转交");
  await W().locator(".kx-meta", { hasText: "待办人：吴海涛" }).waitFor();

  // The new assignee rejects: the reason is required.
  await openTask(page, "wuhaitao", TITLE);
  await press(page, "驳回");
  await W().locator(".kx-actionbox .kx-error", { hasText: "驳回须填写理由。" }).waitFor();
  await W().getByLabel("备注（驳回时必填）").fill("不符合单独组建条件。");
  await press(page, "驳回");
  await expectHeader(page, "已驳回");
  for (const line of [/周建国 抄送给 赵敏/, /周建国 前加签 郑丽华/, /周建国 转交给 吴海涛/, /吴海涛 驳回[\s\S]*不符合单独组建条件。/]) {
    await inHistory(line);
  }
  await shot(page, "actions-2-rejected");

  // The secretariat finds the copy in its list.
  await become(page, "zhaomin");
  await tab(page, "抄送我的");
  await W().locator(".kx-row", { hasText: "办理动作测试有限公司" }).waitFor();
  assert.deepEqual(page.errors, []);
});
