// 科协工作汇报 (art. 十六 「定期听取科协工作汇报」, 十七): the secretariat picks the filed
// plan it reports on (关联审批), the report starts from the plan's items, the standing
// committee reviews it, the leadership hears it at a meeting with minutes and the upper
// 科协 files it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, openRow, press, expectHeader, shot } from "./support.mjs";
import { api, filedPlan, openTask, pdf, printRecord, shotOnFailure, token } from "./flows.mjs";

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
});

const W = () => widget(page);
const TITLE = "科协工作汇报";
const KEXIE = "汇报测试科学技术协会";

test("a report on the filed plan: prefilled from it, reviewed, heard at a meeting and filed", () => shotOnFailure(page, "work-report", async () => {
  await filedPlan(server, KEXIE);

  await become(page, "zhaomin");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  const plan = W().getByLabel("所汇报的年度工作计划");
  await plan.locator("option", { hasText: KEXIE }).waitFor({ state: "attached" });
  await shot(page, "work-report-1-start");
  await plan.selectOption({ label: (await plan.locator("option", { hasText: KEXIE }).textContent()).trim() });

  // The plan's three items arrive in the report's table, with their categories and budgets.
  await W().getByLabel("工作事项（第 3 行）").waitFor();
  assert.equal(await W().getByLabel("工作事项（第 1 行）").inputValue(), "合理化建议征集");
  assert.equal(await W().getByLabel("计划预算（第 2 行）").inputValue(), "8.00");
  assert.equal(await W().getByLabel("科协名称").inputValue(), KEXIE);
  await shot(page, "work-report-2-prefilled");

  const row = async (n, status, spend, outcome, reason) => {
    await W().getByLabel(`完成情况（第 ${n} 行）`).selectOption({ label: status });
    await W().getByLabel(`实际支出（第 ${n} 行）`).fill(spend);
    await W().getByLabel(`取得成效（第 ${n} 行）`).fill(outcome);
    if (reason) await W().getByLabel(`未完成原因（第 ${n} 行）`).fill(reason);
  };
  await row(1, "完成", "5.00", "征集建议236条");
  await row(2, "部分完成", "6.00", "举办沙龙2期");
  await row(3, "完成", "7.00", "开放2次");
  await W().getByLabel("年度工作总结").fill("全年围绕计划目标开展讲比、学术交流和科普活动，基本完成年度目标。");
  // A partly done item says why (the enterprise's rule), at its row.
  await press(page, "提交");
  await W().getByText("第2行：未完成或部分完成的事项须说明原因").waitFor();
  await shot(page, "work-report-3-reason");
  await W().getByLabel("未完成原因（第 2 行）").fill("两期沙龙因专家日程推迟至次年");
  await press(page, "提交");
  await expectHeader(page, "科协常委会审议");
  assert.equal(await W().locator('[data-field="report_year"] .kx-value').textContent(), String(new Date().getFullYear()));

  for (const member of ["qianxuejun", "sunlihua", "lijianguo"]) {
    await openTask(page, member, TITLE);
    // The committee never took part in the plan, and reads it through the report.
    await W().locator('[data-field="plan"] .kx-value', { hasText: KEXIE }).waitFor();
    await press(page, "同意");
  }
  await expectHeader(page, "企业领导班子听取汇报");

  // Hearing the report is a meeting: its date and minutes (十六).
  await openTask(page, "wuhaitao", TITLE);
  await press(page, "同意");
  await W().getByText("请填写听取汇报的会议日期").waitFor();
  const today = new Date().toISOString().slice(0, 10);
  await W().getByLabel("听取汇报的会议日期").fill(today);
  await W().locator('[data-field="minutes"] input[type=file]').setInputFiles(pdf("听取科协工作汇报会议纪要.pdf"));
  await W().getByRole("button", { name: "移除 听取科协工作汇报会议纪要.pdf" }).waitFor();
  await W().getByLabel("企业领导班子意见").fill("听取了科协年度工作汇报，肯定成绩。");
  await shot(page, "work-report-4-heard");
  await press(page, "同意");
  await expectHeader(page, "上级科协备案");

  await openTask(page, "sunzhiyuan", TITLE);
  assert.equal(await W().getByRole("button", { name: "驳回", exact: true }).count(), 0, "a filing never vetoes");
  await press(page, "确认备案");
  await expectHeader(page, "已办结");
  await shot(page, "work-report-5-filed");
  await printRecord(page, server, "work-report-6-record", [
    "科协工作汇报审批单", "赵敏", "钱学军", "孙丽华", "李建国", "吴海涛", "孙志远",
    "两期沙龙", "听取了科协年度工作汇报，肯定成绩。", "听取科协工作汇报会议纪要.pdf", "确认备案",
  ]);
  assert.deepEqual(page.errors, []);
}));

test("a plan the secretariat member took no part in is not offered, and refused if sent", () => shotOnFailure(page, "work-report-unreadable", async () => {
  const plan = await filedPlan(server, "他人计划测试科学技术协会");
  await become(page, "chenjing");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  const select = W().getByLabel("所汇报的年度工作计划");
  await select.waitFor();
  await W().locator(`select#${await select.getAttribute("id")}:not([disabled])`).waitFor();
  assert.equal(await select.locator("option", { hasText: "他人计划测试科学技术协会" }).count(), 0);
  // Sent anyway, through the API, the server refuses it at the field.
  const chen = await token(server, "chenjing");
  const draft = await api(server, "/api/v1/instances", chen, {
    workflow: "work-report",
    form: { plan: plan.id, kexie_name: "他人计划测试科学技术协会", summary_text: "试图汇报他人的计划。", items: [] },
  });
  const res = await fetch(`${server.base}/api/v1/instances/${draft.id}/actions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${chen}` },
    body: JSON.stringify({ request_id: crypto.randomUUID(), revision: draft.revision, action: { action: "submit" } }),
  });
  assert.equal(res.status, 422);
  const body = await res.json();
  assert.ok(body.error.details.some((d) => d.path === "plan" && d.message.zh.includes("须选择您可以查看的、已办结的流程")), JSON.stringify(body));
}));
