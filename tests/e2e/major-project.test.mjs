// 重大项目决策参与 (art. 九, 十六): the project office proposes a 12,000 万元 major project,
// the 科协 secretariat chooses the expert panel (the rules refuse a panel of two and the
// proposer himself), every expert gives an opinion (the step waits for the last of three),
// a standing-committee member gives the 科协's consolidated opinion, the decision meeting
// decides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, press, expectHeader, shot } from "./support.mjs";
import { openTask, expectWaiting, expectNotice, pickPerson, field, radio, pdf, shotOnFailure, printRecord } from "./flows.mjs";

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
});

const W = () => widget(page);
const TITLE = "重大项目决策参与";
const EXPERTS = { zhaoming: "赵明", qianfang: "钱芳", lizhenhua: "李振华" };

/** One expert gives an opinion; the step stays until `left` is empty. */
async function expertOpinion(user, opinion, left, shotName) {
  await openTask(page, user, TITLE);
  await expectWaiting(page, "专家评估论证", [...left, EXPERTS[user]]);
  await W().getByLabel("意见（必填）").fill(opinion);
  await press(page, "提交意见");
  if (left.length) {
    await expectNotice(page, "已办理。当前环节：专家评估论证。");
    await expectWaiting(page, "专家评估论证", left);
    if (shotName) await shot(page, shotName);
    // The expert has nothing more to do: the task has left their list.
    await W().getByRole("button", { name: "← 返回列表" }).click();
    await W().getByText("暂无待办事项。").waitFor();
  } else {
    await expectWaiting(page, "科协综合意见", ["赵敏", "陈静", "钱学军", "孙丽华", "李建国"]);
  }
}

test("a major project is evaluated by every expert, heard by the 科协 and decided", () => shotOnFailure(page, "major-project", async () => {
  await become(page, "xujianguo");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  await field(page, "项目名称").waitFor();
  await shot(page, "major-project-1-start");

  await field(page, "项目名称").fill("高端轴承钢连铸产线建设");
  await field(page, "项目类型").selectOption({ label: "重大项目" });
  await field(page, "总投资").fill("12000");
  const fields = W().getByRole("group", { name: /^涉及技术领域/ });
  await fields.getByLabel("新材料").check();
  await fields.getByLabel("智能制造与高端装备").check();
  await field(page, "项目概要").fill("新建一条高端轴承钢连铸产线，采用电磁搅拌与轻压下技术，预计年产30万吨。");
  await W().getByLabel("可行性研究报告").setInputFiles(pdf("可行性研究报告.pdf"));
  await W().getByRole("button", { name: "移除 可行性研究报告.pdf" }).waitFor();
  // The project office is told early that the 科协's experts will evaluate it (art. 九).
  await W().getByText("本项目须经科协组织专家评估论证（本企业规定，可在 rules.rhai 中调整），并听取科协意见后方可决策。").waitFor();
  await shot(page, "major-project-2-filled");
  await press(page, "提交");
  await expectWaiting(page, "科协受理并遴选专家", ["赵敏", "陈静"]);

  // The secretariat chooses the panel from the expert pool only: the proposer is not
  // offered, and the rules refuse a panel of two.
  await openTask(page, "chenjing", TITLE);
  const picker = W().getByRole("combobox", { name: "评估专家" });
  await picker.fill("徐建国");
  await W().locator(".kx-listbox .kx-opt-none", { hasText: "没有找到" }).waitFor();
  await picker.fill("");
  await pickPerson(page, "评估专家", "赵明");
  await pickPerson(page, "评估专家", "钱芳");
  await page.keyboard.press("Tab"); // leaving the picker shows what the rules say
  await W().getByText("评估专家不少于3名，当前仅2名（本企业规定，可在 rules.rhai 中调整）。").waitFor();
  await shot(page, "major-project-3-panel-refused");
  await pickPerson(page, "评估专家", "李振华");
  assert.equal(await W().locator(".kx-invalid").count(), 0, "a panel of three experts is accepted");
  await press(page, "提交");
  await expectWaiting(page, "专家评估论证", Object.values(EXPERTS));
  await shot(page, "major-project-4-experts");

  // An expert's opinion cannot be empty: the browser says so at the box.
  await openTask(page, "qianfang", TITLE);
  await press(page, "提交意见");
  await W().locator(".kx-actionbox .kx-error", { hasText: "请填写意见。" }).waitFor();
  await expectWaiting(page, "专家评估论证", Object.values(EXPERTS));

  // Every expert must give an opinion: the step waits for the last one.
  await expertOpinion("qianfang", "工艺成熟，投资估算偏低约5%。", ["赵明", "李振华"], "major-project-5-one-of-three");
  await expertOpinion("zhaoming", "技术路线可行，建议加强夹杂物控制。", ["李振华"]);
  await expertOpinion("lizhenhua", "设备选型合理。", []);

  // A standing-committee member gives the 科协's consolidated opinion (art. 十六).
  await openTask(page, "sunlihua", TITLE);
  await field(page, "专家评估意见汇总").fill("三名专家均认为技术路线可行；建议加强夹杂物控制并复核投资估算。");
  await radio(page, "科协综合意见", "有条件支持").check();
  await field(page, "科协意见说明").fill("支持立项，条件是复核投资估算并落实夹杂物控制方案。");
  // The opinion is the form's: it is not asked for a second time under it.
  assert.equal(await W().getByText("意见（必填）").count(), 0);
  await shot(page, "major-project-6-kexie-opinion");
  await press(page, "提交意见");
  await expectWaiting(page, "决策会议", ["吴振华"]);

  await openTask(page, "wuzhenhua", TITLE);
  await radio(page, "决策结果", "通过").check();
  await field(page, "决策会议纪要").fill("会议研究了科协意见，同意立项，投资估算由财务部复核。");
  await press(page, "同意");
  await expectHeader(page, "已办结");
  await W().getByText("流程办结").waitFor();
  await shot(page, "major-project-7-completed");
  await printRecord(page, server, "major-project-8-record", [
    "重大项目决策参与审批单", "高端轴承钢连铸产线建设", "徐建国", "陈静", "钱芳", "赵明", "李振华", "孙丽华", "吴振华",
    "工艺成熟，投资估算偏低约5%。", "技术路线可行，建议加强夹杂物控制。", "设备选型合理。",
    "三名专家均认为技术路线可行；建议加强夹杂物控制并复核投资估算。", "有条件支持",
    "支持立项，条件是复核投资估算并落实夹杂物控制方案。", "会议研究了科协意见，同意立项，投资估算由财务部复核。",
  ]);
  assert.deepEqual(page.errors, []);
}));

// A small project of another kind needs no experts: nobody is asked to evaluate it, and
// the 科协's opinion step has no expert summary to write.
test("without experts there is no expert summary to write", () => shotOnFailure(page, "major-project-no-experts", async () => {
  await page.evaluate(() => localStorage.clear());
  await become(page, "xujianguo");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  await field(page, "项目名称").fill("办公楼照明节能改造");
  await field(page, "项目类型").selectOption({ label: "其他" });
  await field(page, "总投资").fill("300");
  await W().getByRole("group", { name: /^涉及技术领域/ }).getByLabel("节能环保").check();
  await field(page, "项目概要").fill("将办公楼照明更换为LED灯具并加装智能控制，预计年节电20%。");
  await W().getByLabel("可行性研究报告").setInputFiles(pdf("照明改造方案.pdf"));
  await W().getByRole("button", { name: "移除 照明改造方案.pdf" }).waitFor();
  await press(page, "提交");
  await expectWaiting(page, "科协受理并遴选专家", ["赵敏", "陈静"]);

  await openTask(page, "chenjing", TITLE);
  await press(page, "提交");
  await expectWaiting(page, "科协综合意见", ["赵敏", "陈静", "钱学军", "孙丽华", "李建国"]);
  await openTask(page, "zhaomin", "办公楼照明节能改造");
  await radio(page, "科协综合意见", "支持").waitFor();
  assert.equal(await W().locator("[data-field=expert_summary]").count(), 0, "no expert summary on this route");
  await shot(page, "major-project-8-no-experts");
  assert.deepEqual(page.errors, []);
}));
