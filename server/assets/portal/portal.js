// Demo OA portal for `kexie serve --demo`: an imitation intranet page that embeds the
// Kexie Flow widget as <kexie-workflow> and signs a demo token for the user chosen in
// the switcher, as a real OA signs one for whoever is logged in.
import init from "/kexie/kexie_widget.js";

const STORAGE_KEY = "oa-demo-user";
let switches = 0; // completed user switches, for scripts that drive the page (the e2e tests)
const $ = (id) => document.getElementById(id);

function showError(message) {
  $("oa-banner").textContent = message;
  $("oa-banner").hidden = false;
}

async function post(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`请求失败（HTTP ${res.status}）`);
  return res.json();
}

// "#rules" opens the rule editor (the widget refuses it to anyone but an administrator);
// anything else, the inbox.
function route() {
  const rules = location.hash === "#rules";
  $("oa-widget").setAttribute("view", rules ? "editor" : "inbox");
  for (const [id, on] of [["oa-nav-flows", !rules], ["oa-nav-rules", rules]]) {
    $(id).classList.toggle("oa-nav-on", on);
    if (on) $(id).setAttribute("aria-current", "page");
    else $(id).removeAttribute("aria-current");
  }
}

async function switchUser(users, id) {
  const user = users.find((u) => u.id === id) || users[0];
  $("oa-nav-rules-item").hidden = !user.roles.includes("admin");
  $("oa-user-select").value = user.id;
  localStorage.setItem(STORAGE_KEY, user.id);
  const { token } = await post("/demo/token", { user: user.id });
  const widget = $("oa-widget");
  // A fresh token when the old one expires, as a host's single sign-on would give.
  widget.getToken = async () => (await post("/demo/token", { user: user.id })).token;
  widget.setAttribute("token", token);
  document.body.dataset.switches = String(++switches);
}

// Demo only: runs the server's clock a day ahead, then reloads the widget.
async function moveClock() {
  const { today } = await post("/demo/clock", { days: 1 });
  $("oa-today").textContent = `演示日期：${today}`;
  const widget = $("oa-widget");
  widget.setAttribute("token", widget.getAttribute("token"));
}

async function start() {
  try {
    await init();
  } catch (e) {
    showError("科协流程组件未能加载：请先运行 scripts/build.sh（scripts/run.sh 会自动构建）。");
    return;
  }
  const users = await (await fetch("/demo/users")).json();
  const select = $("oa-user-select");
  select.replaceChildren(...users.map((u) => {
    const option = document.createElement("option");
    option.value = u.id;
    option.textContent = `${u.name} · ${u.title} · ${u.department}`;
    return option;
  }));
  select.disabled = false;
  $("oa-clock").addEventListener("click", () => moveClock().catch((e) => showError(e.message)));
  select.addEventListener("change", () => switchUser(users, select.value).catch((e) => showError(e.message)));
  route();
  window.addEventListener("hashchange", route);
  const saved = localStorage.getItem(STORAGE_KEY);
  const first = users.find((u) => u.id === saved) || users.find((u) => u.roles.includes("applicant")) || users[0];
  await switchUser(users, first.id);
}

for (const name of ["submitted", "approved", "rejected", "returned"]) {
  document.addEventListener(`kexie:${name}`, (e) => console.info(`kexie:${name}`, e.detail));
}
document.addEventListener("kexie:error", (e) => console.warn("kexie:error", e.detail));

start().catch((e) => showError(e.message));
