// Every action the widget offers, through its buttons and panels: remind, comment,
// withdraw and resubmit (the initiator); CC, add an approver before me, transfer, and a
// reject that must give its reason (the approvers). A task is handed on only to people
// who may hold its step: the plan's committee step names the 科协's experts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, openRow, press, expectHeader, shot } from "./support.mjs";
import { openTask, pickPerson, shotOnFailure, submittedFormation, submittedPlan } from "./flows.mjs";

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
});

const W = () => widget(page);
const TITLE = "科协组建";
/** Waits until the history (reloaded after each action) shows `line`. */
const inHistory = (line) => W().locator(".kx-timeline").filter({ hasText: line }).waitFor();

test("remind, comment, withdraw and resubmit, each through its panel", async () => {
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

  await shot(page, "actions-0-initiator");
  assert.deepEqual(page.errors, []);
});

test("CC, add approver, transfer and reject at the committee's countersign, only to its own people", () => shotOnFailure(page, "actions", async () => {
  const PLAN = "科协年度工作计划";
  await submittedPlan(server, "办理动作测试科学技术协会");

  // A committee member copies the secretariat's colleague in and asks an expert to look first.
  await openTask(page, "qianxuejun", PLAN);
  await press(page, "抄送…");
  await pickPerson(page, "抄送给", "陈静");
  await press(page, "确认抄送");
  await W().getByText("已抄送。").waitFor();
  // A leader may not take the committee's task.
  await press(page, "加签…");
  await pickPerson(page, "加签人", "吴海涛");
  await press(page, "确认加签");
  await W().getByText(/吴海涛不能办理「科协常委会会签」/).waitFor();
  await shot(page, "actions-1a-add-approver-refused");
  // The panel stays open with the refused choice; closing and opening it starts afresh.
  await press(page, "加签…");
  await press(page, "加签…");
  await pickPerson(page, "加签人", "赵明");
  await W().getByLabel("在我之前（其办理后回到我）").check();
  await shot(page, "actions-1-add-approver");
  await press(page, "确认加签");
  await W().locator(".kx-meta", { hasText: "待办人：李建国、孙丽华、赵明" }).waitFor();

  await openTask(page, "zhaoming", PLAN);
  await press(page, "同意");
  await W().locator(".kx-meta", { hasText: /待办人：李建国、钱学军、孙丽华/ }).waitFor();

  // Back to the member, who hands his task to another expert.
  await openTask(page, "qianxuejun", PLAN);
  await press(page, "转交…");
  await pickPerson(page, "转交给", "钱芳");
  await W().getByLabel("留言（可选）").fill("本人出差，请您代为审核。");
  await press(page, "确认转交");
  await W().locator(".kx-meta", { hasText: "钱芳" }).waitFor();

  // The new assignee rejects: the reason is required.
  await openTask(page, "qianfang", PLAN);
  await press(page, "驳回");
  await W().locator(".kx-actionbox .kx-error", { hasText: "驳回须填写理由。" }).waitFor();
  await W().getByLabel("我的意见（驳回时必填）").fill("经费测算依据不足。");
  await press(page, "驳回");
  await expectHeader(page, "已驳回");
  for (const line of [/钱学军 抄送给 陈静/, /钱学军 前加签 赵明/, /钱学军 转交给 钱芳/, /钱芳 驳回[\s\S]*经费测算依据不足。/]) {
    await inHistory(line);
  }
  await shot(page, "actions-2-rejected");

  // The copied colleague finds it in her list.
  await become(page, "chenjing");
  await tab(page, "抄送我的");
  await W().locator(".kx-row", { hasText: "办理动作测试科学技术协会" }).waitFor();
  assert.deepEqual(page.errors, []);
}));

// A return without its reason is told once, in the return panel: not a second time under
// the remark box of the approval, which has nothing to do with it.
test("a return without its reason is told once, where the reason goes", () => shotOnFailure(page, "actions-return-reason", async () => {
  await submittedFormation(server, "退回原因测试有限公司");
  await openTask(page, "zhoujianguo", "退回原因测试有限公司");
  await press(page, "退回…");
  await press(page, "确认退回");
  await W().locator(".kx-panel .kx-error", { hasText: "请填写退回原因。" }).waitFor();
  await shot(page, "actions-3-return-reason");
  assert.equal(await W().getByText("请填写退回原因。").count(), 1, "said once");
  assert.equal(await W().locator(".kx-actionbox .kx-error").count(), 0, "nothing under the remark box");
  assert.deepEqual(page.errors, []);
}));
