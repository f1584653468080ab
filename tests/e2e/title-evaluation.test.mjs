// 职称评定参与 (art. 十六): HR puts a candidate forward, the 科协 gives its opinion, the
// title committee sends the case back to the 科协 for more, then passes it; the result is
// publicised (公示) for 5 days, and HR can close the publicity only once they have passed
// (the demo clock is run ahead).
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, press, expectHeader, shot } from "./support.mjs";
import { openTask, expectWaiting, expectNotice, pickPerson, field, radio, moveClock, pdf, shotOnFailure, assertNoIds, printRecord } from "./flows.mjs";

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
});

const W = () => widget(page);
const TITLE = "职称评定参与";

/** Fills row `n` (1-based) of 主要业绩成果, adding the row first. */
async function addAchievement(n, [kind, name, year]) {
  await W().getByRole("button", { name: "＋ 添加一行" }).click();
  await W().getByLabel(`类别（第 ${n} 行）`).selectOption({ label: kind });
  await W().getByLabel(`名称（第 ${n} 行）`).fill(name);
  await W().getByLabel(`年份（第 ${n} 行）`).fill(String(year));
}

/** "2026-12-01" for today plus `days`, as the server counts (the enterprise's UTC+8). */
function isoDay(days) {
  const d = new Date(Date.now() + 8 * 3600_000 + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** "2026年12月1日", as the widget shows a date. */
const zhDate = (iso) => iso.replace(/^(\d+)-0?(\d+)-0?(\d+)$/, "$1年$2月$3日");

test("HR's candidate is heard by the 科协, returned once, passed and publicised for 5 days", () => shotOnFailure(page, "title-evaluation", async () => {
  await become(page, "qianjin");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  await field(page, "现职称").waitFor();
  await shot(page, "title-evaluation-1-start");

  await pickPerson(page, "申报人", "李明");
  await pickPerson(page, "所在部门", "科技创新", "科技创新中心");
  await field(page, "现职称").selectOption({ label: "工程师" });
  await W().getByLabel("申报职称").selectOption({ label: "正高级工程师" });
  await W().getByLabel("现职称取得日期").fill("2020-07-01");
  await W().getByLabel("最高学历").selectOption({ label: "本科" });
  await addAchievement(1, ["专利", "一种焊缝在线检测装置", 2024]);
  await W().getByLabel("证明材料（PDF）").setInputFiles(pdf("职称申报材料.pdf"));
  await W().getByRole("button", { name: "移除 职称申报材料.pdf" }).waitFor();
  // Years in the title are computed from the date.
  const years = new Date().getFullYear() - 2020 - (new Date().getMonth() < 6 ? 1 : 0);
  await W().locator("[data-field=years_in_title]", { hasText: `${years} 年` }).waitFor();

  // The title ladder: only the next title up may be sought.
  await press(page, "提交");
  await W().getByText("表单有").waitFor();
  await W().getByText("现职称为工程师，只能申报高一级职称，不能申报正高级工程师").waitFor();
  await shot(page, "title-evaluation-2-rules");

  // A 高级工程师 needs two achievements.
  await W().getByLabel("申报职称").selectOption({ label: "高级工程师" });
  await W().getByText("申报高级工程师须至少列出2项业绩成果（论文、专利、项目或奖项），现有1项").waitFor();
  await addAchievement(2, ["论文", "高温合金焊接残余应力研究", 2023]);
  assert.equal(await W().locator(".kx-invalid").count(), 0, "nothing is marked any more");
  await shot(page, "title-evaluation-3-filled");
  await press(page, "提交");
  await expectWaiting(page, "科协意见", ["赵敏", "陈静"]);
  await expectNotice(page, "已提交。当前环节：科协意见。"); // a first submit is confirmed too
  await shot(page, "title-evaluation-4-submitted");

  // 赵敏's to-do names the candidate and the title sought, and the form names him.
  await become(page, "zhaomin");
  await tab(page, "我的待办");
  await W().locator(".kx-row", { hasText: TITLE }).filter({ hasText: "李明 · 高级工程师" }).first().locator(".kx-row-open").click();
  await W().locator("[data-field=candidate]", { hasText: "李明" }).waitFor();
  await assertNoIds(page);
  // The 科协 recommends: the opinion is the form's, asked for once.
  await radio(page, "科协意见", "推荐").check();
  await W().getByLabel("科协意见说明").fill("业绩突出，技术创新能力强，同意推荐。");
  assert.equal(await W().getByText("意见（必填）").count(), 0, "no second box asking for the opinion");
  await shot(page, "title-evaluation-5-opinion");
  await press(page, "提交意见");
  await expectWaiting(page, "职称评审委员会评审", ["李振华", "周宁"]);

  // The committee wants more from the 科协 before deciding.
  await openTask(page, "lizhenhua", TITLE);
  await press(page, "退回…");
  await W().getByLabel("退回到").selectOption({ label: "科协意见" });
  await W().getByLabel("退回原因（必填）").fill("请科协补充对其专利成果转化情况的意见。");
  await shot(page, "title-evaluation-6-return");
  await press(page, "确认退回");
  await expectWaiting(page, "科协意见", ["赵敏", "陈静"]);

  await openTask(page, "chenjing", TITLE);
  await W().getByText("请科协补充对其专利成果转化情况的意见。").first().waitFor();
  await W().getByLabel("科协意见说明").fill("专利已在产线应用，年节约成本约80万元，同意推荐。");
  await press(page, "提交意见");
  await expectWaiting(page, "职称评审委员会评审", ["李振华", "周宁"]);

  await openTask(page, "zhouning", TITLE);
  await radio(page, "评审委员会决定", "通过").check();
  await W().getByLabel("评审意见").fill("评审通过。");
  await press(page, "同意");
  await expectWaiting(page, "结果公示", ["钱进"]);

  // The publicity runs for 5 days from the decision; HR cannot close it before.
  await openTask(page, "qianjin", TITLE);
  await W().locator("[data-field=publicity_start]", { hasText: zhDate(isoDay(0)) }).waitFor();
  await W().locator("[data-field=publicity_end]", { hasText: zhDate(isoDay(5)) }).waitFor();
  await shot(page, "title-evaluation-7-publicity");
  assert.equal(await W().getByRole("button", { name: "结束公示" }).count(), 0, "not before the 5 days have passed");
  await W().locator(".kx-meta", { hasText: "（期满后可结束公示）" }).waitFor(); // and it says when

  const today = await moveClock(server, 5);
  assert.equal(today, isoDay(5));
  await openTask(page, "qianjin", TITLE);
  await press(page, "结束公示");
  await expectHeader(page, "已办结");
  await W().getByText("流程办结").waitFor();
  await shot(page, "title-evaluation-8-completed");
  await printRecord(page, server, "title-evaluation-9-record", [
    "职称评定参与审批单", "钱进", "赵敏", "李振华", "周宁", "推荐",
    "业绩突出，技术创新能力强，同意推荐。", "请科协补充对其专利成果转化情况的意见。",
    "专利已在产线应用，年节约成本约80万元，同意推荐。", "评审通过。", "结束了公示",
  ]);
  assert.deepEqual(page.errors, []);
}));

/** HR opens the start form (with no draft left from another test). */
async function startForm() {
  await page.evaluate(() => localStorage.clear());
  await become(page, "qianjin");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  await field(page, "现职称").waitFor();
}

// An uploaded file is listed once: as the stored file with its size and 移除, not a second
// time as the finished upload (which also stays after 移除, as if still attached).
test("an uploaded PDF is listed once, and not at all once removed", () => shotOnFailure(page, "title-evaluation-upload", async () => {
  await startForm();
  await W().getByLabel("证明材料（PDF）").setInputFiles(pdf("学历证书.pdf"));
  await W().getByRole("button", { name: "移除 学历证书.pdf" }).waitFor();
  await shot(page, "title-evaluation-9-upload");
  const lines = await W().locator("[data-field=evidence] li").count();
  await press(page, "移除 学历证书.pdf");
  await W().getByText("选择文件…").waitFor();
  const left = await W().locator("[data-field=evidence] li").allInnerTexts();
  assert.deepEqual({ lines, left }, { lines: 1, left: [] }, "one line for one file, none once it is removed");
  assert.deepEqual(page.errors, []);
}));

// Choosing a title the ladder does not allow says so at once, at the choice: not only once
// the select is left.
test("a choice the rules refuse is marked as soon as it is made", () => shotOnFailure(page, "title-evaluation-choice", async () => {
  await startForm();
  await field(page, "现职称").selectOption({ label: "工程师" });
  await W().getByLabel("申报职称").selectOption({ label: "正高级工程师" });
  // Nothing was left or submitted: without the choice counting, nothing would show.
  await W().getByText("现职称为工程师，只能申报高一级职称，不能申报正高级工程师").waitFor({ timeout: 2000 });
  assert.deepEqual(page.errors, []);
}));
