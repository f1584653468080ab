// Markup in every text the widget shows from someone else — an administrator's labels and
// titles, a rule's message quoting a form value, a form value, a file name, a comment — is
// shown as text and never runs (SECURITY.md, "XSS").
import { test } from "node:test";
import assert from "node:assert/strict";
import { session, portal, become, widget, tab, openRow, shot } from "./support.mjs";
import { api, token, act, formationForm } from "./flows.mjs";

// Each payload sets window.__xss to its number if it ever runs (short: fields have limits).
const run = (n) => `__xss=${n}`;
const TITLE = `XSS探针<img src=x onerror=${run(1)}>`;
const LABEL = `企业名称<svg onload=${run(2)}>`;
const REGION = `<img src=x onerror=${run(3)}>`;
const FILE = `<img src=x onerror=${run(4)}>.pdf`;
const COMMENT = `<script>${run(5)}</script><b>粗体</b>`;
const NAME = `<iframe srcdoc="<script>parent.${run(6)}</script>">`;

let server, browser;
session(async (s, b) => {
  [server, browser] = [s, b];
});

/** kexie-formation published again as `xss-probe`, with markup in its title and a label,
 * and a rule whose message quotes the region a person types. */
async function publishProbe() {
  const hejun = await token(server, "hejun");
  const res = await fetch(`${server.base}/api/v1/workflows/kexie-formation/versions/1/bundle`, {
    headers: { Authorization: `Bearer ${hejun}` },
  });
  const { bundle } = await res.json();
  const rule = `    if filled(form.region) && form.region.contains("<") {
        v.error("region", msg(\`地区「\${form.region}」含有尖括号\`, \`the region \${form.region} has angle brackets\`, "十"));
    }\n`;
  const probe = {
    workflow_toml: bundle.workflow_toml
      .replace('key = "kexie-formation"', 'key = "xss-probe"')
      .replace('title = { zh = "科协组建"', `title = { zh = "${TITLE}"`)
      .replace('label = { zh = "企业名称"', `label = { zh = "${LABEL}"`),
    rules_rhai: bundle.rules_rhai.replace("    let v = verdict();\n", `    let v = verdict();\n${rule}`),
  };
  await api(server, "/api/v1/workflows/xss-probe/versions", hejun, { bundle: probe, note: "XSS 探针" });
}

/** An application of 李明's on the probe, submitted, with a payload in a value, a file
 * name and a comment. */
async function submittedProbe() {
  const li = await token(server, "liming");
  const form = await formationForm(server, li, { enterprise_name: NAME });
  form.charter_draft = await api(server, "/api/v1/attachments", li, new TextEncoder().encode("%PDF-1.4 x"), {
    "Content-Type": "application/pdf", "X-File-Name": encodeURIComponent(FILE),
  });
  const view = await api(server, "/api/v1/instances", li, { workflow: "xss-probe", form });
  const submitted = await act(server, view.id, li, view.revision, { action: "submit" });
  await act(server, view.id, li, submitted.revision, { action: "comment", text: COMMENT });
}

async function expectInert(page) {
  assert.equal(await page.evaluate(() => window.__xss), undefined, "no payload ran");
  for (const sel of ['img[src="x"]', "svg[onload]", "script", "iframe", "b"]) {
    assert.equal(await widget(page).locator(sel).count(), 0, `no ${sel} was made from a text`);
  }
  assert.deepEqual(page.errors, []);
}

test("markup in labels, titles, rule messages, values, file names and comments is shown as text", async () => {
  await publishProbe();
  await submittedProbe();
  const page = await portal(browser, server.base);
  await become(page, "liming");

  // The administrator's title and label, in the list and on a new form.
  await tab(page, "发起流程");
  await widget(page).locator(".kx-row-open", { hasText: TITLE }).click();
  await widget(page).getByText(LABEL).first().waitFor();
  // A rule's message quoting what was typed.
  const region = widget(page).locator('[data-field="region"] input');
  await region.fill(REGION);
  await region.blur();
  await widget(page).locator(".kx-error", { hasText: `地区「${REGION}」含有尖括号` }).waitFor();
  // A file's name, as chosen.
  await widget(page).locator('[data-field="charter_draft"] input[type=file]').setInputFiles({
    name: FILE, mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 x"),
  });
  await widget(page).getByText(FILE).first().waitFor();
  await expectInert(page);

  // The submitted application: a value, the stored file's name and a comment in its history.
  await become(page, "liming");
  await openRow(page, "我发起的", "XSS探针");
  await widget(page).getByText(NAME).first().waitFor();
  await widget(page).getByText(FILE).first().waitFor();
  await widget(page).getByText(COMMENT).first().waitFor();
  await shot(page, "xss-shown-as-text");
  await expectInert(page);
});
