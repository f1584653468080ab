// Files the form does not accept are refused in the browser before upload, naming the
// file and the limit; an accepted one uploads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, shot } from "./support.mjs";

let server, browser;
session(async (s, b) => {
  [server, browser] = [s, b];
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
