// 科协组建 from application to SASAC filing, by five people switching in the demo portal,
// with a return to the applicant on the way (art. 十, 十五).
import { createHash } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, openRow, press, expectHeader, shot } from "./support.mjs";
import { expectNotice, printRecord } from "./flows.mjs";

let server, browser, page;
session(async (s, b) => {
  [server, browser] = [s, b];
  page = await portal(browser, server.base);
});

const W = () => widget(page);

async function approve(user, opinionLabel, text, nextStep) {
  await become(page, user);
  await openRow(page, "我的待办", "科协组建");
  await W().getByLabel(opinionLabel).fill(text);
  await press(page, "同意");
  await expectHeader(page, nextStep);
}

test("an application goes through party, leadership, upper 科协 and SASAC, with a return", async () => {
  await become(page, "liming");
  await tab(page, "发起流程");
  await W().locator(".kx-row-open", { hasText: "科协组建" }).click();
  await W().getByLabel("企业名称").waitFor();
  await shot(page, "formation-1-start");

  // Submitting an empty form is refused in the browser, at the fields.
  await press(page, "提交");
  await W().getByText("表单有").waitFor();
  assert.ok(await W().locator(".kx-invalid").count() >= 5, "the empty required fields are marked");
  await shot(page, "formation-2-errors");

  await W().getByLabel("企业名称").fill("中化新材料研究院有限公司");
  await W().getByLabel("科技人员总数").fill("80");
  await W().getByLabel("所在地区").fill("江苏省南京市");
  await W().getByLabel("所属行业").fill("化工新材料");
  await W().getByLabel("拟采用的组建方式").selectOption("standalone");
  // With 80 S&T staff where small enterprises cluster, art. 十 advises a regional or an
  // industry-wide 科协 but never bars a standalone one: a note citing it, no error; with
  // 180 a standalone 科协 is what it expects, and the note goes.
  await W().getByLabel("位于中小企业集中的区域").check();
  const advice = W().locator(".kx-notes li", { hasText: "宜根据所属行业分布采取区域联建、行业统建等方式" });
  await advice.filter({ hasText: "（十）" }).waitFor();
  assert.equal(await W().locator('[data-field="organising_mode"] .kx-error').count(), 0, "advice, not an error");
  await shot(page, "formation-2b-sme-advice");
  await W().getByLabel("科技人员总数").fill("180");
  await advice.waitFor({ state: "detached" });
  await W().locator("input[type=file]").setInputFiles({
    name: "科协章程草案.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 demo charter"),
  });
  await W().getByText("科协章程草案.pdf").first().waitFor();
  for (const [name, title, dept] of [["王建华", "总工程师", "技术中心"], ["刘芳", "高级工程师", "研发一部"], ["张磊", "工程师", "工艺部"]]) {
    await W().getByRole("button", { name: "＋ 添加一行" }).click();
    const row = (await W().locator(".kx-table tbody tr").count()) - 1;
    await W().getByLabel(`姓名（第 ${row + 1} 行）`).fill(name);
    await W().getByLabel(`职务/职称（第 ${row + 1} 行）`).fill(title);
    await W().getByLabel(`所在部门（第 ${row + 1} 行）`).fill(dept);
    await W().getByLabel(`科技工作者（第 ${row + 1} 行）`).check();
  }
  await W().getByLabel("学会服务站").check();
  await shot(page, "formation-3-filled");
  await press(page, "提交");
  await expectHeader(page, "企业党组织审批");
  await shot(page, "formation-4-submitted");

  await approve("zhoujianguo", "企业党组织意见", "同意组建企业科协。", "企业领导班子审批");
  await approve("wuhaitao", "企业领导班子意见", "同意，请按程序报上级科协审核。", "上级科协审核");

  // The upper 科协 sends it back to the applicant with a reason.
  await become(page, "sunzhiyuan");
  await openRow(page, "我的待办", "科协组建");
  await press(page, "退回…");
  await W().getByLabel("退回到").selectOption("apply");
  await W().getByLabel("退回原因（必填）").fill("请补充第四名委员候选人。");
  await shot(page, "formation-5-return");
  await press(page, "确认退回");
  await expectHeader(page, "提出申请");

  await become(page, "liming");
  await openRow(page, "我的待办", "科协组建");
  await W().getByText("请补充第四名委员候选人。").first().waitFor();
  await W().getByRole("button", { name: "＋ 添加一行" }).click();
  await W().getByLabel("姓名（第 4 行）").fill("赵敏");
  // The charter is replaced by a revised one.
  await W().getByRole("button", { name: "移除 科协章程草案.pdf" }).click();
  await W().locator("input[type=file]").setInputFiles({
    name: "科协章程（修订）.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 revised charter"),
  });
  await W().getByRole("button", { name: "移除 科协章程（修订）.pdf" }).waitFor();
  await press(page, "提交");
  await expectHeader(page, "企业党组织审批");
  await expectNotice(page, "已提交。当前环节：企业党组织审批。");
  // The history reads as words: the row added with its cells, the files by name and linked.
  const resubmitted = W().locator(".kx-event", { hasText: "李明 提交" }).last();
  await resubmitted.locator(".kx-diff summary").click();
  await resubmitted.locator("li li", { hasText: "新增第 4 行：姓名：赵敏" }).waitFor();
  for (const file of ["科协章程草案.pdf", "科协章程（修订）.pdf"]) {
    await resubmitted.locator("button.kx-file-name", { hasText: file }).waitFor(); // a click downloads it
  }
  assert.equal(await resubmitted.getByText(/media_type|sha256|[{}]/).count(), 0, "no JSON in the history");
  await shot(page, "formation-5b-history");

  await approve("zhoujianguo", "企业党组织意见", "同意。", "企业领导班子审批");
  await approve("zhenglihua", "企业领导班子意见", "同意。", "上级科协审核");
  await approve("sunzhiyuan", "上级科协审核意见", "材料齐全，同意组建。", "国资委备案");
  await become(page, "fengxiaodong");
  await openRow(page, "我的待办", "科协组建");
  await W().getByLabel("国资委备案意见").fill("予以备案。");
  await press(page, "确认备案");
  await expectHeader(page, "已办结");
  await W().getByText("流程办结").waitFor();
  await shot(page, "formation-6-completed");
  const record = await printRecord(page, server, "formation-7-record", [
    "中国某某集团有限公司", "科协组建审批单", "中化新材料研究院有限公司", "已办结",
    "李明", "周建国", "吴海涛", "郑丽华", "孙志远", "冯晓东",
    "同意组建企业科协。", "同意，请按程序报上级科协审核。", "请补充第四名委员候选人。", "材料齐全，同意组建。", "予以备案。",
    "科协章程（修订）.pdf", createHash("sha256").update("%PDF-1.4 revised charter").digest("hex"), "赵敏", "退回到",
  ]);
  assert.doesNotMatch(record, /科协章程草案\.pdf/, "the form as it stands: the replaced charter is gone");
  assert.deepEqual(page.errors, []);
});
