// Every workflow's main route on a phone (390×844, touch), as employees approve in their
// OA's mobile web view: on every page nothing scrolls sideways, every target is at least
// 44 px, a table's rows are cards, and the action bar stays at the bottom of the screen
// while a long form scrolls. The README's phone screenshots come from here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, become, widget, tab, openRow, expectHeader, shot } from "./support.mjs";
import { expectNotice, field, filedPlan, moveClock, pdf, pickPerson, radio, shotOnFailure } from "./flows.mjs";

let server, page;
session(async (s, browser) => {
  server = s;
  page = await browser.newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.goto(server.base + "/");
});

const W = () => widget(page);

/** The page fits the phone: no sideways scrolling, no target under 44 px. */
async function fits(where) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth }));
  assert.ok(scroll <= width, `${where}: the page is ${scroll} px wide on a ${width} px screen`);
  const small = await W().evaluate((host) => {
    const targets = host.shadowRoot.querySelectorAll("button, a, input, select, textarea, summary, [role=tab]");
    return [...targets].flatMap((e) => {
      // A box or a file input is reached through the label (or button) around it.
      const target = e.matches("input[type=radio], input[type=checkbox], input[type=file]") ? e.closest("label, .kx-file-pick") ?? e : e;
      const r = target.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return []; // not shown
      return r.height < 44 || r.width < 44 ? [`${target.tagName.toLowerCase()} "${target.textContent.trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`] : [];
    });
  });
  assert.deepEqual(small, [], `${where}: touch targets under 44 px`);
  // The tabs fit whole: 「发起流程」 is not cut to 「发起」.
  const tabs = await W().locator(".kx-tab").evaluateAll((all) => all.map((t) => [t.textContent, t.getBoundingClientRect().right]));
  for (const [name, right] of tabs) assert.ok(right <= width, `${where}: the tab ${name} ends at ${right} px`);
}

/** Taps the button named exactly `name`. */
const tapButton = (name) => W().getByRole("button", { name, exact: true }).tap();

/** The action bar is on the screen while the top of the page is. */
async function barInReach(where, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await W().getByRole("button", { name, exact: true }).boundingBox();
  assert.ok(box && box.y >= 0 && box.y + box.height <= 844, `${where}: 「${name}」 is on the screen at the top of the page (${JSON.stringify(box)})`);
}

/** Opens `user`'s task `title` from 我的待办, checking the list and the task fit. */
async function openTask(user, title) {
  await become(page, user);
  await fits(`${user}'s 我的待办`);
  await openRow(page, "我的待办", title);
  await fits(`${user}'s task`);
}

/** `user` approves at the current step (filling `fields` first) and it moves to `next`. */
async function approve(user, title, fields, next, button = "同意") {
  await openTask(user, title);
  for (const [label, text] of Object.entries(fields)) await field(page, label).fill(text);
  await tapButton(button);
  await expectHeader(page, next);
  await fits(`after ${user}'s ${button}`);
}

/** Opens the start form of `title`. */
async function startForm(user, title) {
  await page.evaluate(() => localStorage.clear());
  await become(page, user);
  await tab(page, "发起流程");
  await fits("发起流程");
  await W().locator(".kx-row-open", { hasText: title }).tap();
  await W().locator(".kx-title", { hasText: title }).waitFor();
}

/** Submits a start form from the sticky bar and checks the confirmation. */
async function submit(next) {
  await tapButton("提交");
  await expectHeader(page, next);
  await expectNotice(page, `已提交。当前环节：${next}。`);
  await fits("submitted");
}

test("科协组建 on a phone: the candidates table as cards, four approvals and the filing", () => shotOnFailure(page, "phone-formation", async () => {
  await startForm("liming", "科协组建");
  await fits("the start form");
  await barInReach("the start form", "提交");
  await W().getByLabel("企业名称").fill("手机申请测试有限公司");
  await W().getByLabel("科技人员总数").fill("180");
  await W().getByLabel("所在地区").fill("江苏省南京市");
  await W().getByLabel("所属行业").fill("化工新材料");
  await W().getByLabel("拟采用的组建方式").selectOption("standalone");
  await W().locator("input[type=file]").setInputFiles(pdf("科协章程草案.pdf"));
  await W().getByRole("button", { name: "移除 科协章程草案.pdf" }).waitFor();
  for (const [i, name] of ["王建华", "刘芳", "张磊"].entries()) {
    await W().getByRole("button", { name: "＋ 添加一行" }).tap();
    await W().getByLabel(`姓名（第 ${i + 1} 行）`).fill(name);
    await W().getByLabel(`职务/职称（第 ${i + 1} 行）`).fill("工程师");
    await W().getByLabel(`所在部门（第 ${i + 1} 行）`).fill("技术中心");
    await W().getByLabel(`科技工作者（第 ${i + 1} 行）`).check();
  }
  // Each row is a card: its cells stacked, each with its column's label.
  const card = W().locator("[data-field=committee_candidates] tbody tr").first();
  await card.locator(".kx-cell-label", { hasText: "姓名" }).waitFor();
  const cells = await card.locator("td:not(.kx-rowtools)").evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect().left));
  assert.ok(cells.every((x) => Math.abs(x - cells[0]) < 1), "the cells of a card are stacked, not side by side");
  // Reordering: the third candidate moves up.
  await W().getByRole("button", { name: "上移第 3 行" }).tap();
  assert.equal(await W().getByLabel("姓名（第 2 行）").inputValue(), "张磊");
  await fits("the filled form");
  await submit("企业党组织审批");

  const TITLE = "手机申请测试有限公司";
  await approve("zhoujianguo", TITLE, { "企业党组织意见": "同意组建企业科协。" }, "企业领导班子审批");
  await approve("zhenglihua", TITLE, { "企业领导班子意见": "同意。" }, "上级科协审核");
  await approve("sunzhiyuan", TITLE, { "上级科协审核意见": "材料齐全，同意组建。" }, "国资委备案");
  await approve("fengxiaodong", TITLE, { "国资委备案意见": "予以备案。" }, "已办结", "确认备案");
  assert.deepEqual(page.errors, []);
}));

test("科协年度工作计划 on a phone: items as cards, the countersign, approval and filing", () => shotOnFailure(page, "phone-plan", async () => {
  const TITLE = "手机计划测试科学技术协会";
  await startForm("zhaomin", "科协年度工作计划");
  await W().getByLabel("计划年度").fill(String(new Date().getFullYear() + 1));
  await W().getByLabel("科协名称").fill(TITLE);
  await W().getByLabel("年度工作目标").fill("组织群众性技术创新活动，举办学术论坛，开展科普活动。");
  await W().getByLabel("工作制度建设").fill("健全常委会季度例会制度；制定科协经费管理办法。");
  const items = [["讲比活动（第五条）", "合理化建议征集", "钱学军", "20"], ["学术交流（第六条）", "青年学术沙龙", "孙丽华", "15"],
    ["科普（第八条）", "科普开放日", "赵敏", "10"]];
  for (const [i, [category, item, owner, budget]] of items.entries()) {
    const n = i + 1;
    await W().getByRole("button", { name: "＋ 添加一行" }).tap();
    await W().getByLabel(`类别（第 ${n} 行）`).selectOption({ label: category });
    await W().getByLabel(`工作事项（第 ${n} 行）`).fill(item);
    await W().getByLabel(`目标（第 ${n} 行）`).fill(`${item}年度目标`);
    await pickPerson(page, `负责人（第 ${n} 行）`, owner);
    await W().getByLabel(`完成季度（第 ${n} 行）`).selectOption({ label: "第三季度" });
    await W().getByLabel(`预算（第 ${n} 行）`).fill(budget);
  }
  await W().getByLabel("申请企业经费").fill("40");
  await W().locator("[data-field=total_budget]", { hasText: "45.00" }).waitFor();
  await fits("the plan with three items");
  await barInReach("the plan with three items", "提交");
  await W().locator("[data-field=items]").scrollIntoViewIfNeeded();
  await shot(page, "readme-phone-form", { fullPage: false });
  await submit("科协常委会会签");

  await become(page, "qianxuejun");
  await W().locator(".kx-row", { hasText: TITLE }).waitFor();
  await page.locator("#oa-todo-count", { hasText: "1" }).waitFor({ timeout: 10_000 }); // the portal's header too
  await shot(page, "readme-phone-inbox", { fullPage: false });
  await openTask("qianxuejun", TITLE);
  await W().getByRole("textbox", { name: "常委会意见" }).fill("常委会全体委员会签同意。");
  await W().getByLabel("我的意见（驳回时必填）").fill("同意。");
  await barInReach("the countersign", "同意");
  await shot(page, "readme-phone-approval", { fullPage: false });
  await tapButton("同意");
  await expectNotice(page, "已办理。当前环节：科协常委会会签。");
  for (const member of ["sunlihua", "lijianguo"]) {
    await openTask(member, TITLE);
    await tapButton("同意");
    await expectNotice(page, "已办理");
  }
  await expectHeader(page, "企业领导班子审批");
  await approve("wuhaitao", TITLE, { "企业领导班子意见": "同意。" }, "上级科协备案");
  await approve("sunzhiyuan", TITLE, { "上级科协意见": "准予备案。", "备案编号": "市科协备〔2027〕001号" }, "已办结", "确认备案");
  assert.deepEqual(page.errors, []);
}));

test("重大项目决策参与 on a phone: the experts, the 科协's opinion and the decision", () => shotOnFailure(page, "phone-major-project", async () => {
  const TITLE = "手机产线建设项目";
  await startForm("xujianguo", "重大项目决策参与");
  await W().getByLabel("项目名称").fill(TITLE);
  await W().getByLabel("项目类型").selectOption({ label: "重大项目" });
  await W().getByLabel("总投资").fill("12000");
  await W().getByRole("group", { name: /^涉及技术领域/ }).getByLabel("新材料").check();
  await W().getByLabel("项目概要").fill("新建一条高端轴承钢连铸产线，预计年产30万吨。");
  await W().getByLabel("可行性研究报告").setInputFiles(pdf("可行性研究报告.pdf"));
  await W().getByRole("button", { name: "移除 可行性研究报告.pdf" }).waitFor();
  await fits("the proposal");
  await submit("科协受理并遴选专家");

  await openTask("chenjing", TITLE);
  for (const expert of ["赵明", "钱芳", "李振华"]) await pickPerson(page, "评估专家", expert);
  await fits("the expert panel");
  await tapButton("提交");
  await expectHeader(page, "专家评估论证");
  for (const expert of ["zhaoming", "qianfang", "lizhenhua"]) {
    await openTask(expert, TITLE);
    await W().getByLabel("意见（必填）").fill("技术路线可行。");
    await tapButton("提交意见");
    await expectNotice(page, "已办理");
  }
  await expectHeader(page, "科协综合意见");
  await openTask("sunlihua", TITLE);
  await W().getByLabel("专家评估意见汇总").fill("三名专家均认为技术路线可行。");
  await radio(page, "科协综合意见", "支持").check();
  await W().getByLabel("科协意见说明").fill("支持立项。");
  await tapButton("提交意见");
  await expectHeader(page, "决策会议");
  await openTask("wuzhenhua", TITLE);
  await radio(page, "决策结果", "通过").check();
  await W().getByLabel("决策会议纪要").fill("会议研究了科协意见，同意立项。");
  await tapButton("同意");
  await expectHeader(page, "已办结");
  await fits("the decided project");
  assert.deepEqual(page.errors, []);
}));

test("科协工作汇报 on a phone: the plan's items as cards, the review, the hearing and the filing", () => shotOnFailure(page, "phone-work-report", async () => {
  const KEXIE = "手机汇报测试科学技术协会";
  await filedPlan(server, KEXIE);
  await startForm("zhaomin", "科协工作汇报");
  const plan = W().getByLabel("所汇报的年度工作计划");
  await plan.locator("option", { hasText: KEXIE }).waitFor({ state: "attached" });
  await plan.selectOption({ label: (await plan.locator("option", { hasText: KEXIE }).textContent()).trim() });
  await W().getByLabel("工作事项（第 3 行）").waitFor();
  for (const n of [1, 2, 3]) {
    await W().getByLabel(`完成情况（第 ${n} 行）`).selectOption({ label: "完成" });
    await W().getByLabel(`实际支出（第 ${n} 行）`).fill("5.00");
    await W().getByLabel(`取得成效（第 ${n} 行）`).fill("按计划完成");
  }
  await W().getByLabel("年度工作总结").fill("全年围绕计划目标开展讲比、学术交流和科普活动，完成年度目标。");
  await fits("the report");
  await barInReach("the report", "提交");
  await submit("科协常委会审议");
  for (const member of ["qianxuejun", "sunlihua", "lijianguo"]) {
    await openTask(member, KEXIE);
    await tapButton("同意");
    await expectNotice(page, "已办理");
  }
  await openTask("wuhaitao", KEXIE);
  await W().getByLabel("听取汇报的会议日期").fill(new Date().toISOString().slice(0, 10));
  await W().locator('[data-field="minutes"] input[type=file]').setInputFiles(pdf("会议纪要.pdf"));
  await W().getByRole("button", { name: "移除 会议纪要.pdf" }).waitFor();
  await tapButton("同意");
  await expectHeader(page, "上级科协备案");
  await approve("sunzhiyuan", KEXIE, {}, "已办结", "确认备案");
  assert.deepEqual(page.errors, []);
}));

test("职称评定参与 on a phone: the candidate, the 科协's opinion, the decision and the publicity", () => shotOnFailure(page, "phone-title", async () => {
  await startForm("qianjin", "职称评定参与");
  await pickPerson(page, "申报人", "李明");
  await pickPerson(page, "所在部门", "科技创新", "科技创新中心");
  await field(page, "现职称").selectOption({ label: "工程师" });
  await W().getByLabel("申报职称").selectOption({ label: "高级工程师" });
  await W().getByLabel("现职称取得日期").fill("2020-07-01");
  await W().getByLabel("最高学历").selectOption({ label: "本科" });
  for (const [n, [kind, name]] of [["专利", "一种焊缝在线检测装置"], ["论文", "焊接残余应力研究"]].entries()) {
    await W().getByRole("button", { name: "＋ 添加一行" }).tap();
    await W().getByLabel(`类别（第 ${n + 1} 行）`).selectOption({ label: kind });
    await W().getByLabel(`名称（第 ${n + 1} 行）`).fill(name);
    await W().getByLabel(`年份（第 ${n + 1} 行）`).fill("2024");
  }
  await W().getByLabel("证明材料（PDF）").setInputFiles(pdf("职称申报材料.pdf"));
  await W().getByRole("button", { name: "移除 职称申报材料.pdf" }).waitFor();
  await fits("the candidate");
  await submit("科协意见");

  await openTask("zhaomin", "李明 · 高级工程师");
  await radio(page, "科协意见", "推荐").check();
  await W().getByLabel("科协意见说明").fill("业绩突出，同意推荐。");
  await tapButton("提交意见");
  await expectHeader(page, "职称评审委员会评审");
  await openTask("zhouning", "李明 · 高级工程师");
  await radio(page, "评审委员会决定", "通过").check();
  await W().getByLabel("评审意见").fill("评审通过。");
  await tapButton("同意");
  await expectHeader(page, "结果公示");
  await moveClock(server, 5);
  await approve("qianjin", "李明 · 高级工程师", {}, "已办结", "结束公示");
  assert.deepEqual(page.errors, []);
}));

test("表彰与人才举荐 on a phone: the nomination, the vote, the publicity and the decision", () => shotOnFailure(page, "phone-commendation", async () => {
  const AWARD = "手机举荐优秀青年科技人才";
  await startForm("zhaomin", "表彰与人才举荐");
  await radio(page, "提名类别", "优秀科技人才举荐（报上级科协）").check();
  await W().getByLabel("表彰项目或称号").fill(AWARD);
  await pickPerson(page, "被提名人", "王海燕");
  await W().getByLabel("主要事迹").fill("主持完成高温合金焊接工艺攻关，获授权发明专利3项。");
  await W().locator('[data-field="evidence"] input[type=file]').setInputFiles(pdf("事迹材料.pdf"));
  await W().getByRole("button", { name: "移除 事迹材料.pdf" }).waitFor();
  await fits("the nomination");
  await submit("科协常委会表决");
  for (const member of ["qianxuejun", "lijianguo"]) {
    await openTask(member, AWARD);
    await tapButton("赞成");
    await expectNotice(page, "已办理");
  }
  await expectHeader(page, "结果公示");
  await moveClock(server, 5);
  await approve("chenjing", AWARD, {}, "企业领导班子审定", "结束公示");
  await approve("zhenglihua", AWARD, { "企业领导班子意见": "同意举荐。" }, "报上级科协");
  await approve("sunzhiyuan", AWARD, {}, "已办结", "确认备案");
  assert.deepEqual(page.errors, []);
}));

test("the form designer on a phone: the fields, their tools and the live form one under another", () => shotOnFailure(page, "phone-designer", async () => {
  await become(page, "hejun");
  await page.evaluate(() => { location.hash = "#rules"; });
  await W().getByLabel("流程", { exact: true }).selectOption("kexie-formation");
  await W().getByRole("tab", { name: "表单" }).tap();
  await W().locator(".kx-dz-props").waitFor();
  await W().getByRole("button", { name: "下移「企业名称」" }).tap();
  await W().locator(".kx-dz-row").nth(2).locator(".kx-dz-label", { hasText: "企业名称" }).waitFor();
  await fits("the form designer");
  // The live form comes under the designer, not beside it.
  const [list, live] = await Promise.all([W().locator(".kx-dz-list").boundingBox(), W().locator(".kx-dz-live").boundingBox()]);
  assert.ok(live.y > list.y + list.height, `the live form (y ${live.y}) is under the fields (ending at ${list.y + list.height})`);
  await shot(page, "phone-designer");
  await W().getByRole("button", { name: "放弃修改" }).tap();
  await W().getByRole("alertdialog").getByRole("button", { name: "放弃修改" }).tap();
}));

test("the route designer on a phone: the flow, then the step's panel, then the matrix scrolling on its own", () => shotOnFailure(page, "phone-route", async () => {
  await page.evaluate(() => { location.hash = ""; }); // `become` waits for the inbox.
  await become(page, "hejun");
  await page.evaluate(() => { location.hash = "#rules"; });
  await W().getByLabel("流程", { exact: true }).selectOption("kexie-formation");
  await W().getByRole("tab", { name: "流程" }).tap();
  await W().locator(".kx-rt-pick", { hasText: "企业党组织审批" }).tap();
  await W().locator(".kx-dz-props", { hasText: "企业党组织审批" }).waitFor();
  await fits("the route designer");
  const [flow, panel] = await Promise.all([W().locator(".kx-rt-flow").boundingBox(), W().locator(".kx-rt-side").boundingBox()]);
  assert.ok(panel.y > flow.y + flow.height, `the step's panel (y ${panel.y}) is under the flow (ending at ${flow.y + flow.height})`);
  await shot(page, "phone-route");
}));
