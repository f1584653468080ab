// Two leaders open the same any-one (或签) task; the slower one is told what changed and
// keeps what they typed. Also: files the form does not accept are refused before upload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, portal, become, widget, tab, openRow, press, expectHeader, shot } from "./support.mjs";

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

async function api(path, token, body, headers = {}) {
  const res = await fetch(server.base + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, ...headers },
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const json = await res.json();
  assert.ok(res.ok, `${path}: ${JSON.stringify(json)}`);
  return json;
}
const token = async (user) => (await api("/demo/token", "", { user })).token;
const act = (id, t, revision, action) =>
  api(`/api/v1/instances/${id}/actions`, t, { request_id: crypto.randomUUID(), revision, action });

/** A 科协组建 application submitted and approved by the party organisation, through the API. */
async function atLeadership() {
  const li = await token("liming");
  const charter = await api("/api/v1/attachments", li, new TextEncoder().encode("%PDF-1.4 charter"), {
    "Content-Type": "application/pdf", "X-File-Name": encodeURIComponent("章程.pdf"),
  });
  const person = (name) => ({ name, title: "工程师", department: "技术中心", is_st_worker: true });
  const form = {
    enterprise_name: "冲突测试有限公司", st_staff_count: 150, region: "上海市", industry: "装备制造",
    in_dev_zone: false, organising_mode: "standalone", charter_draft: charter,
    committee_candidates: [person("甲"), person("乙"), person("丙")],
  };
  let view = await api("/api/v1/instances", li, { workflow: "kexie-formation", form });
  view = await act(view.id, li, view.revision, { action: "submit" });
  view = await act(view.id, await token("zhoujianguo"), view.revision, { action: "approve", changes: { party_opinion: "同意。" } });
  return view;
}

test("the slower of two any-one approvers sees what changed and keeps what they typed", async () => {
  await atLeadership();
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

test("a file of the wrong type or size is refused in the browser, naming the file and the limit", async () => {
  const page = await portal(browser, server.base);
  await become(page, "liming");
  await tab(page, "发起流程");
  await widget(page).locator(".kx-row-open", { hasText: "科协组建" }).click();
  const input = widget(page).locator("input[type=file]");
  await input.setInputFiles({ name: "照片.png", mimeType: "image/png", buffer: Buffer.from("png") });
  await widget(page).getByRole("alert").filter({ hasText: "「照片.png」的类型（PNG）不在允许范围内" }).waitFor();
  await input.setInputFiles({ name: "大文件.pdf", mimeType: "application/pdf", buffer: Buffer.alloc(21 * 1024 * 1024) });
  await widget(page).getByRole("alert").filter({ hasText: "「大文件.pdf」大小为 21 MB，超过 20 MB 的上限" }).waitFor();
  await input.setInputFiles({ name: "章程.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4") });
  await widget(page).getByRole("button", { name: /章程\.pdf/ }).waitFor();
  await shot(page, "attachments-refused-and-uploaded");
  assert.deepEqual(page.errors, []);
});
