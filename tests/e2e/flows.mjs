// Helpers shared by the workflow walk-throughs (annual plan, title evaluation, major
// project): opening a task as someone, choosing people in a picker, reading the header's
// "waiting for", and running the demo clock ahead. Built on support.mjs.
import assert from "node:assert/strict";
import { become, widget, openRow, shot } from "./support.mjs";

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
