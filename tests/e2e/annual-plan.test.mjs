// 科协年度工作计划 (art. 十七) from the secretariat's draft to filing with the upper 科协:
// every standing-committee member countersigns (the step waits for the last of three),
// leadership returns an over-threshold plan (the enterprise's threshold) to the secretariat, the reduced
// plan is countersigned again, approved and filed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, openRow, press, expectHeader, shot } from "./support.mjs";
import { openTask, expectWaiting, expectNotice, pickPerson, shotOnFailure, assertNoIds, printRecord } from "./flows.mjs";

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
});

const W = () => widget(page);
const TITLE = "科协年度工作计划";
const COMMITTEE = { qianxuejun: "钱学军", sunlihua: "孙丽华", lijianguo: "李建国" };

/** Fills row `n` (1-based) of 计划事项, adding the row first. */
async function addItem(n, [category, item, goal, owner, quarter, budget]) {
  await W().getByRole("button", { name: "＋ 添加一行" }).click();
  await W().getByLabel(`类别（第 ${n} 行）`).selectOption({ label: category });
  await W().getByLabel(`工作事项（第 ${n} 行）`).fill(item);
  await W().getByLabel(`目标（第 ${n} 行）`).fill(goal);
  await pickPerson(page, `负责人（第 ${n} 行）`, owner);
  await W().getByLabel(`完成季度（第 ${n} 行）`).selectOption({ label: quarter });
  await W().getByLabel(`预算（第 ${n} 行）`).fill(budget);
}

/** One committee member countersigns with their own opinion; the chair (钱学军) also
 * writes the committee's consolidated one, which no other member can change. The step
 * stays until `left` is empty. */
async function countersign(user, comment, left, opinion) {
  await openTask(page, user, TITLE);
  await expectWaiting(page, "科协常委会会签", [...left, COMMITTEE[user]]);
  const consolidated = W().getByRole("textbox", { name: "常委会意见" });
  if (opinion) await consolidated.fill(opinion);
  else assert.equal(await consolidated.count(), 0, `${user} cannot write the consolidated opinion`);
  await W().getByLabel("我的意见（驳回时必填）").fill(comment);
  await press(page, "同意");
  if (left.length) {
    await expectNotice(page, "已办理。当前环节：科协常委会会签。");
    await expectWaiting(page, "科协常委会会签", left);
    // The member who signed has nothing left to do here.
    assert.equal(await W().getByRole("button", { name: "同意", exact: true }).count(), 0);
  } else {
    await expectHeader(page, "企业领导班子审批");
  }
}

test("the committee countersigns, leadership returns the plan once, the upper 科协 files it", () => shotOnFailure(page, "annual-plan", async () => {
  const year = new Date().getFullYear() + 1;

  await become(page, "zhaomin");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  await W().getByLabel("计划年度").waitFor();
  await shot(page, "annual-plan-1-start");

  await W().getByLabel("计划年度").fill(String(year));
  await W().getByLabel("科协名称").fill("中国某某集团有限公司科学技术协会");
  await W().getByLabel("年度工作目标").fill("围绕集团科技规划，组织群众性技术创新活动，举办学术论坛，建设院士专家工作站，开展科普活动。");
  await W().getByLabel("工作制度建设").fill("健全常委会季度例会制度；制定科协经费管理办法。");

  // Without plan items the rules refuse the plan, at the table. (Trying to submit here also
  // shows the table's own error before any cell is typed in: when that error first appears
  // on leaving a cell, the widget rebuilds the table and drops what is typed into the next
  // cell; see "a table cell typed into …" below.)
  await press(page, "提交");
  await W().getByText("表单有").waitFor();
  await W().getByText("年度工作计划须涵盖以下类别，尚缺：讲比活动（第五条）、学术交流（第六条）、科普（第八条）").waitFor();

  await addItem(1, ["讲比活动（第五条）", "合理化建议与“五小”竞赛", "征集建议300条", "钱学军", "第二季度", "20"]);
  await addItem(2, ["学术交流（第六条）", "国际新能源技术论坛", "举办国际论坛1次", "孙丽华", "第三季度", "30"]);
  await addItem(3, ["创新平台（第七条）", "院士专家工作站", "引进院士团队1个", "李建国", "第四季度", "60"]);
  // A category select is as wide as its longest choice: none is cut off.
  const room = await W().getByLabel("类别（第 1 行）").evaluate((select) => {
    const pen = document.createElement("canvas").getContext("2d");
    pen.font = getComputedStyle(select).font;
    const widest = Math.max(...[...select.options].map((o) => pen.measureText(o.text).width));
    const style = getComputedStyle(select);
    return select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - widest;
  });
  assert.ok(room >= 16, `the longest category fits beside the arrow (${room} px to spare)`);
  // Still refused: no 科普 item yet, and one item is over the 50 万元 cap.
  await W().getByText("年度工作计划须涵盖以下类别，尚缺：科普（第八条）").waitFor();
  await W().getByText("第3行：单项预算不得超过50.00万元").waitFor();
  await shot(page, "annual-plan-2-rules");

  await W().getByLabel("预算（第 3 行）").fill("40");
  await addItem(4, ["科普（第八条）", "科普展厅建设", "建成企业科普展厅", "赵敏", "第四季度", "30"]);
  await W().getByLabel("申请企业经费").fill("100");
  // 120 万元 in all: computed, and over the threshold at which leadership decides the funds.
  await W().locator("[data-field=total_budget]", { hasText: "120.00" }).waitFor();
  await W().getByText("预算合计超过").waitFor();
  assert.equal(await W().locator(".kx-invalid").count(), 0, "nothing is marked any more");
  await shot(page, "annual-plan-3-filled");
  await press(page, "提交");
  await expectWaiting(page, "科协常委会会签", Object.values(COMMITTEE));
  assert.equal(await W().getByRole("button", { name: "同意", exact: true }).count(), 0, "the secretariat does not sign");
  await shot(page, "annual-plan-4-submitted");

  // Countersign: the step waits for every member, whatever the order.
  await countersign("qianxuejun", "同意。", ["孙丽华", "李建国"], "常委会全体委员会签同意。");
  await shot(page, "annual-plan-5-countersign-one-of-three");
  // The plan's owners read as names in the read-only table, never as login ids.
  for (const name of ["钱学军", "孙丽华", "李建国", "赵敏"]) {
    await W().locator("[data-field=items] td", { hasText: name }).first().waitFor();
  }
  await assertNoIds(page);
  await countersign("sunlihua", "同意，建议学术论坛邀请兄弟单位参加。", ["李建国"]);
  await countersign("lijianguo", "同意，注意控制院士工作站经费。", []);
  await shot(page, "annual-plan-6-countersigned");
  // Each member's opinion is their own, in the history under their name.
  for (const [who, said] of [["钱学军", "同意。"], ["孙丽华", "同意，建议学术论坛邀请兄弟单位参加。"], ["李建国", "同意，注意控制院士工作站经费。"]]) {
    await W().locator(".kx-event", { hasText: `${who} 同意` }).filter({ hasText: said }).first().waitFor();
  }
  await W().locator("[data-field=committee_opinion]", { hasText: "常委会全体委员会签同意。" }).waitFor();

  // Leadership sends the 120 万元 plan back to the secretariat.
  await openTask(page, "wuhaitao", TITLE);
  await W().getByText("预算合计超过").waitFor();
  await press(page, "退回…");
  await W().getByLabel("退回到").selectOption({ label: "秘书处起草" });
  await W().getByLabel("退回原因（必填）").fill("经费偏高，请将预算合计压减至100万元以内后重新报送。");
  await shot(page, "annual-plan-7-return");
  await press(page, "确认退回");
  await expectHeader(page, "秘书处起草");

  // Back with the secretariat: 待修改 in the list and in the header alike.
  await become(page, "zhaomin");
  await tab(page, "我的待办");
  const returned = W().locator(".kx-row", { hasText: TITLE }).first();
  await returned.locator(".kx-badge", { hasText: "待修改" }).waitFor();
  await returned.locator(".kx-row-open").click();
  await expectHeader(page, "待修改");
  await W().getByText("经费偏高，请将预算合计压减至100万元以内后重新报送。").first().waitFor();
  await W().getByLabel("预算（第 1 行）").fill("15");
  await W().getByLabel("预算（第 2 行）").fill("25");
  await W().getByLabel("预算（第 3 行）").fill("30");
  await W().getByLabel("预算（第 4 行）").fill("20");
  await W().getByLabel("申请企业经费").fill("80");
  await W().locator("[data-field=total_budget]", { hasText: "90.00" }).waitFor();
  assert.equal(await W().getByText("预算合计超过").count(), 0, "under the threshold, no note");
  await shot(page, "annual-plan-8-reduced");
  await press(page, "提交");
  // The changed plan is countersigned again by all three.
  await expectWaiting(page, "科协常委会会签", Object.values(COMMITTEE));
  // The history says what changed in the table, cell by cell, and in words.
  const resubmitted = W().locator(".kx-event", { hasText: "赵敏 提交" }).last();
  await resubmitted.locator(".kx-diff summary").click();
  await resubmitted.locator("li li", { hasText: "第 1 行「预算」：20.00 万元 → 15.00 万元" }).waitFor();
  await resubmitted.locator("li", { hasText: "申请企业经费：100.00 万元 → 80.00 万元" }).waitFor();
  assert.equal(await resubmitted.getByText(/[{}"]/).count(), 0, "no JSON in the history");
  await shot(page, "annual-plan-8b-history");

  await countersign("lijianguo", "同意。", ["钱学军", "孙丽华"]);
  await countersign("qianxuejun", "同意。", ["孙丽华"], "压减后的计划经常委会全体委员会签同意。");
  await countersign("sunlihua", "同意。", []);

  // Any one leader decides.
  await openTask(page, "zhenglihua", TITLE);
  await W().getByLabel("企业领导班子意见").fill("同意，经费80万元列入预算。");
  await press(page, "同意");
  await expectHeader(page, "上级科协备案");

  // Filing needs a filing number (the upper level's procedure); a filing cannot reject.
  await openTask(page, "sunzhiyuan", TITLE);
  assert.equal(await W().getByRole("button", { name: "驳回", exact: true }).count(), 0, "a filing never vetoes");
  await W().getByLabel("上级科协意见").fill("准予备案。");
  await press(page, "确认备案");
  await W().getByText("备案时须填写备案编号").waitFor();
  await shot(page, "annual-plan-9-filing-number");
  await W().getByLabel("备案编号").fill(`市科协备〔${year}〕031号`);
  await press(page, "确认备案");
  await expectHeader(page, "已办结");
  await W().getByText("流程办结").waitFor();
  await shot(page, "annual-plan-10-completed");
  // The printed record: the items as a table with its total, every member's own opinion.
  const record = await printRecord(page, server, "annual-plan-11-record", [
    "科协年度工作计划审批单", "赵敏", "钱学军", "孙丽华", "李建国", "郑丽华", "孙志远",
    "同意，建议学术论坛邀请兄弟单位参加。", "同意，注意控制院士工作站经费。", "常委会全体委员会签同意。",
    "压减后的计划经常委会全体委员会签同意。", "经费偏高，请将预算合计压减至100万元以内后重新报送。",
    "同意，经费80万元列入预算。", "准予备案。", `市科协备〔${year}〕031号`,
  ]);
  assert.match(record, /合计\s+90\.00 万元/, "the items' budget total");
  assert.deepEqual(page.errors, []);
}));

// The finished plan, as its drafter finds it under 我发起的 (needs the walk-through above):
// the plan year is a year, not an amount ("2,027").
test("the plan year reads as a year once it is no longer editable", async () => {
  await become(page, "zhaomin");
  await openRow(page, "我发起的", TITLE);
  await expectHeader(page, "已办结");
  const year = String(new Date().getFullYear() + 1);
  assert.equal((await W().locator("[data-field=plan_year] .kx-value").innerText()).trim(), year);
  assert.deepEqual(page.errors, []);
});

// After a refused 提交 the widget says "表单有 N 处需要修改，请查看标红的字段"; once every
// marked field is put right, that notice should not stay, pointing at red fields that are
// no longer there.
test("the 表单有 … 处需要修改 notice goes once the problems are fixed", async () => {
  await page.evaluate(() => localStorage.clear());
  await become(page, "chenjing");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  await W().getByLabel("计划年度").fill(String(new Date().getFullYear()));
  await press(page, "提交");
  await expectNotice(page, "表单有");
  await W().getByLabel("科协名称").fill("中国某某集团有限公司科学技术协会");
  await W().getByLabel("年度工作目标").fill("组织群众性技术创新活动，举办学术论坛，开展科普活动。");
  await W().getByLabel("工作制度建设").fill("健全常委会季度例会制度；制定科协经费管理办法。");
  await addItem(1, ["讲比活动（第五条）", "合理化建议征集", "征集建议100条", "钱学军", "第二季度", "5"]);
  await addItem(2, ["学术交流（第六条）", "青年学术沙龙", "举办沙龙4期", "孙丽华", "第三季度", "5"]);
  await addItem(3, ["科普（第八条）", "科技活动周", "开放实验室1次", "李建国", "第二季度", "5"]);
  await W().getByLabel("申请企业经费").fill("10");
  await W().locator("[data-field=total_budget]", { hasText: "15.00" }).waitFor();
  assert.equal(await W().locator(".kx-invalid").count(), 0, "nothing is marked");
  await shot(page, "annual-plan-11-fixed-notice");
  assert.equal(await W().locator(".kx-alert", { hasText: "表单有" }).count(), 0, "no notice of problems that are gone");
  assert.deepEqual(page.errors, []);
});

// A person retypes a field whose messages are showing. The keystroke that changes whether
// the field has a message (here the first one, "2", which is not a year) rebuilds the
// input: focus is lost and the rest of what they type goes nowhere.
test("retyping a checked field keeps every keystroke", async () => {
  await page.evaluate(() => localStorage.clear());
  await become(page, "zhaomin");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  const year = W().getByLabel("计划年度");
  await year.click();
  await page.keyboard.type(String(new Date().getFullYear() + 1));
  await page.keyboard.press("Tab"); // checked from now on
  await year.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.type(String(new Date().getFullYear()));
  await shot(page, "annual-plan-12-retyped-year");
  assert.equal(await year.inputValue(), String(new Date().getFullYear()), "all four digits are in the field");
  assert.deepEqual(page.errors, []);
});

// A person types into one cell, clicks the next and types on. The first time they leave a
// cell, the table's own error ("尚缺：…") appears and the widget rebuilds the whole table:
// the cell they clicked is replaced, loses focus, and what they type next goes nowhere.
test("a table cell typed into right after leaving another keeps its text", async () => {
  await page.evaluate(() => localStorage.clear());
  await become(page, "chenjing");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  await W().getByRole("button", { name: "＋ 添加一行" }).click();
  await W().getByLabel("工作事项（第 1 行）").click();
  await page.keyboard.type("科普讲座");
  await W().getByLabel("目标（第 1 行）").click();
  await page.keyboard.type("举办4场");
  await shot(page, "annual-plan-13-cell-typing");
  assert.equal(await W().getByLabel("工作事项（第 1 行）").inputValue(), "科普讲座");
  assert.equal(await W().getByLabel("目标（第 1 行）").inputValue(), "举办4场", "the second cell keeps what was typed");
  assert.deepEqual(page.errors, []);
});

// A person types an amount the rules refuse and clicks 提交 at once. The field's error
// appears as the field loses focus (on mousedown) and pushes the button down, so the
// mouseup lands beside it: no click, no "表单有 … 处需要修改" notice, nothing focused.
test("提交 clicked straight after an invalid entry still answers", async () => {
  await page.evaluate(() => localStorage.clear());
  await become(page, "zhaomin");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  await W().getByLabel("科协名称").fill("中国某某集团有限公司科学技术协会");
  await W().getByLabel("申请企业经费").fill("100"); // more than the (empty) plan's total
  await press(page, "提交");
  await expectNotice(page, "表单有", 3_000);
  await shot(page, "annual-plan-14-submit-after-invalid");
  assert.deepEqual(page.errors, []);
});
