// 表彰与人才举荐 (art. 三, 十三, 十五, 十六): the secretariat nominates a talent, the
// standing committee votes (比例会签: two thirds of three is two), the result is
// publicised for five days, the leadership decides, and the upper 科协 files the
// recommendation. A second nomination fails its vote.
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, press, expectHeader, shot } from "./support.mjs";
import { moveClock, openTask, pdf, pickPerson, printRecord, radio, shotOnFailure } from "./flows.mjs";

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
});

const W = () => widget(page);
const TITLE = "表彰与人才举荐";
const tally = (text) => W().locator(".kx-meta", { hasText: text }).waitFor();

async function nominate(award, achievements) {
  await become(page, "zhaomin");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: TITLE }).click();
  await radio(page, "提名类别", "优秀科技人才举荐（报上级科协）").check();
  await W().getByLabel("表彰项目或称号").fill(award);
  await pickPerson(page, "被提名人", "王海燕");
  await W().getByLabel("主要事迹").fill(achievements);
  await W().locator('[data-field="evidence"] input[type=file]').setInputFiles(pdf("事迹材料.pdf"));
  await W().getByRole("button", { name: "移除 事迹材料.pdf" }).waitFor();
  await press(page, "提交");
  await expectHeader(page, "科协常委会表决");
}

test("a talent is voted through, publicised, decided and reported upwards", () => shotOnFailure(page, "commendation", async () => {
  await nominate("省级优秀青年科技人才（举荐）", "主持完成高温合金焊接工艺攻关，获授权发明专利3项，成果在两条产线应用。");
  await shot(page, "commendation-1-nominated");

  await openTask(page, "qianxuejun", TITLE);
  await tally("表决：赞成 0，反对 0，共 3 人，2 票赞成即通过");
  assert.equal(await W().getByRole("button", { name: "加签…" }).count(), 0, "nobody is added to a vote");
  await shot(page, "commendation-2-vote");
  await press(page, "赞成");
  await tally("表决：赞成 1，反对 0，共 3 人");

  // A vote against needs its reason.
  await openTask(page, "sunlihua", TITLE);
  await press(page, "反对");
  await W().locator(".kx-actionbox .kx-error", { hasText: "投反对票须填写理由。" }).waitFor();
  await openTask(page, "lijianguo", TITLE);
  await press(page, "赞成");
  await expectHeader(page, "结果公示");
  await W().locator(".kx-timeline", { hasText: /钱学军 投了赞成票[\s\S]*李建国 投了赞成票/ }).waitFor();

  await openTask(page, "chenjing", TITLE);
  assert.equal(await W().getByRole("button", { name: "结束公示" }).count(), 0, "not before five days");
  await moveClock(server, 5);
  await openTask(page, "chenjing", TITLE);
  await press(page, "结束公示");
  await expectHeader(page, "企业领导班子审定");

  await openTask(page, "zhenglihua", TITLE);
  await W().getByText("常委会表决：赞成2票，反对0票").waitFor();
  await W().getByLabel("企业领导班子意见").fill("同意向省科协举荐王海燕同志。");
  await press(page, "同意");
  await expectHeader(page, "报上级科协");

  await openTask(page, "sunzhiyuan", TITLE);
  await press(page, "确认备案");
  await expectHeader(page, "已办结");
  await shot(page, "commendation-3-reported");
  await printRecord(page, server, "commendation-4-record", [
    "表彰与人才举荐审批单", "王海燕", "省级优秀青年科技人才（举荐）", "钱学军", "李建国", "陈静", "郑丽华", "孙志远",
    "投了赞成票", "结束了公示", "同意向省科协举荐王海燕同志。", "确认备案",
  ]);
  assert.deepEqual(page.errors, []);
}));

test("two votes against of three: the nomination can no longer pass and ends", () => shotOnFailure(page, "commendation-fails", async () => {
  await nominate("2026年度优秀科技工作者", "长期扎根一线，完成设备技术改造12项，培养青年技术骨干8人。");
  for (const member of ["qianxuejun", "sunlihua"]) {
    await openTask(page, member, TITLE);
    await W().getByLabel("表决意见（反对时必填）").fill("事迹材料不够充分，建议明年再推荐。");
    await press(page, "反对");
  }
  await W().getByText("已投反对票。表决未通过，流程已结束。").waitFor();
  await W().locator(".kx-meta .kx-badge", { hasText: "未通过" }).waitFor();
  assert.equal(await W().locator(".kx-meta", { hasText: "待办人" }).count(), 0, "a finished instance waits for nobody");
  await shot(page, "commendation-4-failed");
  assert.deepEqual(page.errors, []);
}));
