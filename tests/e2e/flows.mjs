// Helpers shared by the workflow walk-throughs (annual plan, title evaluation, major
// project): opening a task as someone, choosing people in a picker, reading the header's
// "waiting for", and running the demo clock ahead. Built on support.mjs.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, SHOTS, become, widget, openRow, press, shot } from "./support.mjs";

/** Switches to `user` and opens their task titled `title` from 我的待办. */
export async function openTask(page, user, title) {
  await become(page, user);
  await openRow(page, "我的待办", title);
}

/** The instance header's line (status, step, waiting for, initiator, due date). */
export async function headerText(page) {
  return (await widget(page).locator(".kx-meta").innerText()).replace(/\s+/g, " ");
}

/**
 * Waits until the header names exactly `names` as the people still to act (any order),
 * at step `step`. A countersign step shrinks this list one person at a time.
 */
export async function expectWaiting(page, step, names) {
  const meta = widget(page).locator(".kx-meta");
  await meta.filter({ hasText: step }).waitFor({ timeout: 10_000 });
  const want = [...names].sort();
  let got = [];
  for (let i = 0; i < 50; i++) {
    const text = await headerText(page);
    const m = text.match(/待办人：(\S+)/);
    got = m ? m[1].split("、").sort() : [];
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(got, want, `waiting for ${want.join("、")} at ${step}`);
}

/** The success / error notice the widget shows after an action (its text). */
export async function expectNotice(page, text, timeout = 10_000) {
  await widget(page).locator(".kx-alert", { hasText: text }).first().waitFor({ timeout });
}

/**
 * Chooses a person (or department) in the picker labelled `label`: types `query`, waits
 * for the option naming `name` and clicks it, then waits for the chip.
 */
export async function pickPerson(page, label, query, name = query) {
  const W = widget(page);
  const input = W.getByRole("combobox", { name: label }); // the name may end in （必填）
  // The field the picker belongs to (a table's cell pickers belong to the table): the
  // picker itself may be rebuilt when the chosen person changes the field's messages.
  const id = await input.evaluate((e) => e.closest("[data-field]").dataset.field);
  await input.fill(query);
  const list = W.locator(`#${await input.getAttribute("aria-controls")}`);
  await list.getByRole("option", { name }).first().click();
  await W.locator(`[data-field="${id}"] .kx-chip`, { hasText: name }).first().waitFor();
}

/** The input labelled exactly `label` (a required field's label ends in " *（必填）"). */
export function field(page, label) {
  const text = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return widget(page).getByLabel(new RegExp(`^${text}(\\s*\\*\\s*（必填）)?$`));
}

/** A radio button `option` in the group (fieldset) whose legend starts with `group`. */
export function radio(page, group, option) {
  return widget(page).getByRole("group", { name: new RegExp(`^${group}`) }).getByRole("radio", { name: option, exact: true });
}

/** Runs the demo server's clock `days` ahead (POST /demo/clock); returns its new date. */
export async function moveClock(server, days) {
  const res = await fetch(server.base + "/demo/clock", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ days }),
  });
  assert.equal(res.status, 200, "the demo clock moves");
  return (await res.json()).today;
}

/** A small PDF to upload. */
export const pdf = (name) => ({ name, mimeType: "application/pdf", buffer: Buffer.from(`%PDF-1.4 ${name}`) });

/** Runs `fn`; if it fails, saves a screenshot `<name>-failed` of where it stopped. */
export async function shotOnFailure(page, name, fn) {
  try {
    await fn();
  } catch (e) {
    await shot(page, `${name}-failed`).catch(() => {});
    throw e;
  }
}

// ─── Setting the scene through the API, as the demo users ────────────────────────────────

export async function api(server, path, token, body, headers = {}) {
  const res = await fetch(server.base + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, ...headers },
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const json = await res.json();
  assert.ok(res.ok, `${path}: ${JSON.stringify(json)}`);
  return json;
}
export const token = async (server, user) => (await api(server, "/demo/token", "", { user })).token;
export const act = (server, id, t, revision, action) =>
  api(server, `/api/v1/instances/${id}/actions`, t, { request_id: crypto.randomUUID(), revision, action });

/** A complete 科协组建 form of 李明's (`li`: his token), with `changes` on top. */
export async function formationForm(server, li, changes = {}) {
  const charter = await api(server, "/api/v1/attachments", li, new TextEncoder().encode("%PDF-1.4 charter"), {
    "Content-Type": "application/pdf", "X-File-Name": encodeURIComponent("章程.pdf"),
  });
  const person = (n) => ({ name: n, title: "工程师", department: "技术中心", is_st_worker: true });
  return {
    enterprise_name: "测试有限公司", st_staff_count: 150, region: "上海市", industry: "装备制造",
    in_dev_zone: false, organising_mode: "standalone", charter_draft: charter,
    committee_candidates: [person("甲"), person("乙"), person("丙")], ...changes,
  };
}

/** A 科协组建 application by 李明, submitted through the API: it waits for the party organisation. */
export async function submittedFormation(server, name = "测试有限公司") {
  const li = await token(server, "liming");
  const form = await formationForm(server, li, { enterprise_name: name });
  const view = await api(server, "/api/v1/instances", li, { workflow: "kexie-formation", form });
  return act(server, view.id, li, view.revision, { action: "submit" });
}

/** A 科协年度工作计划 of this year by 赵敏, submitted through the API: it waits for the
 * standing committee's countersign (钱学军, 孙丽华, 李建国), whose step may be handed to
 * the 科协's experts. */
export async function submittedPlan(server, kexieName) {
  const zhao = await token(server, "zhaomin");
  const row = (category, item, owner, budget) => ({ category, item, goal: `${item}目标`, owner, quarter: "Q2", budget });
  const form = {
    plan_year: new Date().getFullYear(), kexie_name: kexieName, annual_goals: "组织技术创新、学术交流和科普活动。",
    work_systems: "常委会季度例会制度。", requested_funds: "20.00",
    items: [row("jiangbi", "合理化建议征集", "qianxuejun", "5.00"), row("academic", "学术沙龙", "sunlihua", "8.00"),
      row("popsci", "科普开放日", "zhaomin", "7.00")],
  };
  const view = await api(server, "/api/v1/instances", zhao, { workflow: "annual-plan", form });
  return act(server, view.id, zhao, view.revision, { action: "submit" });
}

/** A plan of this year taken through to its filing over the API: countersigned by the
 * three committee members, approved by 吴海涛 and filed by 孙志远. Its view at the end. */
export async function filedPlan(server, kexieName) {
  let view = await submittedPlan(server, kexieName);
  const step = async (user, changes = {}) => {
    view = await act(server, view.id, await token(server, user), view.revision, { action: "approve", changes });
  };
  for (const member of ["qianxuejun", "sunlihua", "lijianguo"]) await step(member);
  await step("wuhaitao");
  await step("sunzhiyuan", { filing_no: "市科协备〔2026〕088号" });
  return view;
}

/** The same, approved by the party organisation too: it waits for the leadership (any one). */
export async function atLeadership(server) {
  const view = await submittedFormation(server, "冲突测试有限公司");
  const zhou = await token(server, "zhoujianguo");
  return act(server, view.id, zhou, view.revision, { action: "approve", changes: { party_opinion: "同意。" } });
}

/** The demo directory's login ids (server/assets/portal/users.toml). */
const IDS = [...readFileSync(new URL("../../server/assets/portal/users.toml", import.meta.url), "utf8")
  .matchAll(/^id = "([a-z]+)"/gm)].map((m) => m[1]);

/** No login id shows anywhere in the widget: people read as their names. */
export async function assertNoIds(page) {
  const text = await widget(page).evaluate((host) => host.shadowRoot.querySelector(".kx-root").innerText);
  const shown = IDS.filter((id) => new RegExp(`\\b${id}\\b`).test(text));
  assert.deepEqual(shown, [], "login ids shown in the widget");
}

/**
 * Prints the open instance as its 审批单 (「打印审批单」 opens it in a window of its own) to
 * an A4 PDF `<name>.pdf` with Chromium and reads the PDF back with pdftotext: every string
 * of `expected` (opinions, signers) is in it, and so is the audit chain's head hash that
 * `kexie audit verify --instance` computes from the database. Returns the PDF's text as
 * laid out (a table's row on one line).
 */
export async function printRecord(page, server, name, expected) {
  const [record] = await Promise.all([page.waitForEvent("popup"), press(page, "打印审批单")]);
  const body = record.locator("body.kx-print");
  await body.waitFor();
  const id = await body.getAttribute("data-instance");
  // 「打印」 hands the page to the browser's print dialog (which headless Chromium would keep
  // open): here it only says it was asked.
  await record.evaluate(() => { window.print = () => { document.body.dataset.printed = "yes"; }; });
  await record.getByRole("button", { name: "打印", exact: true }).click();
  assert.equal(await body.getAttribute("data-printed"), "yes", "「打印」 opens the print dialog");
  mkdirSync(SHOTS, { recursive: true });
  await record.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const pdf = join(SHOTS, `${name}.pdf`);
  await record.pdf({ path: pdf, preferCSSPageSize: true });
  await record.close();
  // In reading order each cell's lines follow one another (-layout interleaves the cells
  // of a row), so a wrapped opinion reads whole once the line breaks are gone.
  const text = execFileSync("pdftotext", [pdf, "-"]).toString();
  const flat = text.replace(/\s+/g, "");
  for (const want of expected) assert.ok(flat.includes(want.replace(/\s+/g, "")), `${name}.pdf names ${want}`);
  const verified = execFileSync(BIN, ["audit", "verify", "--db", server.db, "--instance", id]).toString();
  const head = verified.match(/head ([0-9a-f]{64})/)?.[1];
  assert.ok(head, verified);
  assert.ok(flat.includes(head), `${name}.pdf shows the audit head ${head}`);
  const layout = execFileSync("pdftotext", ["-layout", pdf, "-"]).toString();
  assert.match(layout, /第 ?1 ?页 ?\/ ?共 ?\d+ ?页/, "pages are numbered");
  return layout;
}
