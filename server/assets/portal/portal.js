// Demo OA portal for `kexie serve --demo`: an imitation intranet page that embeds the
// Kexie Flow widget as <kexie-workflow> and signs a demo token for the user chosen in
// the switcher, as a real OA signs one for whoever is logged in.
import init from "/kexie/element.js";

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
// "#reports" 统计分析 (each reader sees the reports and instances that are theirs);
// "#instance/<id>" an instance (a to-do item clicked in the header); anything else, the
// widget's work lists.
function route() {
  const rules = location.hash === "#rules";
  const reports = location.hash === "#reports";
  const instance = location.hash.startsWith("#instance/") ? decodeURIComponent(location.hash.slice(10)) : null;
  const widget = $("oa-widget");
  if (instance) widget.setAttribute("instance", instance);
  else widget.removeAttribute("instance");
  widget.setAttribute("view", rules ? "editor" : reports ? "reports" : instance ? "instance" : "inbox");
  const nav = [["oa-nav-flows", !rules && !reports], ["oa-nav-reports", reports], ["oa-nav-rules", rules]];
  for (const [id, on] of nav) {
    $(id).classList.toggle("oa-nav-on", on);
    if (on) $(id).setAttribute("aria-current", "page");
    else $(id).removeAttribute("aria-current");
  }
  showMenu(false);
}

// The header's 待办 and 消息: what this portal's own webhook receiver was told (the server
// checks each delivery's signature), as an OA's to-do centre shows what its systems push.
let inbox = { todo: [], messages: [] };
let panel = null; // "todo", "messages" or null

function seenKey() {
  return `oa-demo-seen-${$("oa-user-select").value}`;
}

function unread() {
  const seen = localStorage.getItem(seenKey());
  const at = inbox.messages.findIndex((m) => m.event === seen);
  return at < 0 ? inbox.messages.length : at;
}

function item(label, title, detail, instance, late) {
  const li = document.createElement("li");
  const open = document.createElement("a");
  open.className = "oa-panel-item";
  open.href = `#instance/${encodeURIComponent(instance)}`;
  const tag = document.createElement("span");
  tag.className = late ? "oa-tag oa-tag-late" : "oa-tag";
  tag.textContent = label;
  const text = document.createElement("span");
  text.className = "oa-panel-text";
  text.textContent = title;
  const small = document.createElement("small");
  small.textContent = detail;
  text.append(small);
  open.append(tag, text);
  open.addEventListener("click", () => showPanel(null));
  li.append(open);
  return li;
}

function render() {
  $("oa-todo-count").textContent = String(inbox.todo.length);
  $("oa-todo-count").classList.toggle("oa-count-quiet", inbox.todo.length === 0);
  $("oa-msg-count").textContent = String(unread());
  $("oa-msg-count").classList.toggle("oa-count-quiet", unread() === 0);
  $("oa-todo-btn").setAttribute("aria-expanded", String(panel === "todo"));
  $("oa-msg-btn").setAttribute("aria-expanded", String(panel === "messages"));
  $("oa-panel").hidden = panel === null;
  if (panel === null) return;
  const when = (at) => at.slice(0, 16).replace("T", " ");
  const rows = panel === "todo"
    ? inbox.todo.map((t) => item(t.overdue ? "已逾期" : "待办", t.title, `${t.step} · ${when(t.at)}`, t.instance, t.overdue))
    : inbox.messages.map((m) => item(m.label, m.title, when(m.at), m.instance, m.label === "已逾期"));
  $("oa-panel-title").textContent = panel === "todo" ? `我的待办（${inbox.todo.length}）` : "消息";
  const empty = document.createElement("li");
  empty.className = "oa-panel-empty";
  empty.textContent = panel === "todo" ? "没有待办事项" : "没有消息";
  $("oa-panel-list").replaceChildren(...(rows.length ? rows : [empty]));
}

function showPanel(which) {
  panel = panel === which ? null : which;
  if (panel === "messages" && inbox.messages.length) localStorage.setItem(seenKey(), inbox.messages[0].event);
  render();
}

async function refreshInbox() {
  const token = $("oa-widget").getAttribute("token");
  if (!token) return;
  const res = await fetch("/demo/inbox", { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) return;
  inbox = await res.json();
  $("oa-inbox").hidden = false;
  render();
}

async function switchUser(users, id) {
  const user = users.find((u) => u.id === id) || users[0];
  $("oa-nav-rules-item").hidden = !user.roles.includes("admin");
  // Those the upper levels' reports are for (the widget shows each only what is theirs).
  const oversight = ["upper_kexie", "sasac", "kexie_secretariat", "admin"];
  $("oa-nav-reports-item").hidden = !user.roles.some((r) => oversight.includes(r));
  $("oa-user-select").value = user.id;
  localStorage.setItem(STORAGE_KEY, user.id);
  const { token } = await post("/demo/token", { user: user.id });
  const widget = $("oa-widget");
  // A fresh token when the old one expires, as a host's single sign-on would give.
  widget.getToken = async () => (await post("/demo/token", { user: user.id })).token;
  widget.setAttribute("token", token);
  panel = null;
  await refreshInbox();
  document.body.dataset.switches = String(++switches);
}

// On a phone the user switch, the clock and the menu fold away behind 菜单, so that the
// widget starts at the top of the screen.
function showMenu(open) {
  document.body.classList.toggle("oa-menu-open", open);
  $("oa-menu-btn").setAttribute("aria-expanded", String(open));
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
  $("oa-menu-btn").addEventListener("click", () => showMenu(!document.body.classList.contains("oa-menu-open")));
  select.addEventListener("change", () => showMenu(false));
  $("oa-todo-btn").addEventListener("click", () => showPanel("todo"));
  $("oa-msg-btn").addEventListener("click", () => showPanel("messages"));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && panel !== null) showPanel(null);
  });
  route();
  window.addEventListener("hashchange", route);
  setInterval(() => refreshInbox().catch(() => {}), 2000);
  const saved = localStorage.getItem(STORAGE_KEY);
  const first = users.find((u) => u.id === saved) || users.find((u) => u.roles.includes("applicant")) || users[0];
  await switchUser(users, first.id);
}

for (const name of ["submitted", "approved", "rejected", "returned"]) {
  document.addEventListener(`kexie:${name}`, (e) => console.info(`kexie:${name}`, e.detail));
}
document.addEventListener("kexie:error", (e) => console.warn("kexie:error", e.detail));

start().catch((e) => showError(e.message));
