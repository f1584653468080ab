// Demo OA portal for `kexie serve --demo`: a user switcher, the three work lists and a
// read-only detail panel, all through the JSON API. Plain DOM, no framework, no build
// step; everything is created with textContent so no server text is parsed as HTML.
"use strict";

const PER_PAGE = 20;
const STORAGE_KEY = "oa-demo-user";

const VIEWS = {
  tasks: { title: "我的待办", path: "/api/v1/tasks", empty: "暂无待办事项。" },
  started: { title: "我发起的", path: "/api/v1/started", empty: "您还没有发起过流程。" },
  cc: { title: "抄送我的", path: "/api/v1/cc", empty: "暂无抄送给您的流程。" },
  start: { title: "发起流程", empty: "您当前没有可发起的流程。" },
};

const STATUS = { draft: "草稿", running: "审批中", completed: "已办结", rejected: "已驳回" };

// The actions this page offers as buttons; the rest need the form widget.
const SIMPLE_ACTIONS = {
  approve: { label: "同意", primary: true },
  reject: { label: "驳回", danger: true },
  comment: { label: "评论" },
  remind: { label: "催办" },
  withdraw: { label: "撤回" },
};
const OTHER_ACTIONS = {
  save_draft: "暂存", submit: "提交", return: "退回", transfer: "转交",
  add_approver: "加签", cc: "抄送",
};

const state = { users: [], user: null, token: null, view: "tasks", page: 1, openId: null };

// Workflow definitions by "key@version", for step and field labels (null if unavailable).
const definitions = new Map();

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

function zh(text) {
  if (text === null || text === undefined) return "";
  if (typeof text === "string") return text;
  return text.zh || text.en || "";
}

function formatTime(value) {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

// A rule message with its policy citation, e.g. 「…（依据《意见》第（十）条）」.
function cited(message) {
  const text = zh(message);
  return message && message.article ? `${text}（依据《意见》第（${message.article}）条）` : text;
}

function userName(id) {
  const u = state.users.find((x) => x.id === id);
  return u ? u.name : id;
}

function newRequestId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `req-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

// ---------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new Error("无法连接服务器，请检查网络后重试。");
  }
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    data = null;
  }
  if (!res.ok) {
    const err = data && data.error;
    let message = (err && zh(err.message)) || `请求失败（HTTP ${res.status}）`;
    if (err && err.field) message += `（字段：${err.field}）`;
    throw new Error(message);
  }
  return data;
}

function showError(error) {
  $("oa-banner-text").textContent = error instanceof Error ? error.message : String(error);
  $("oa-banner").hidden = false;
}

function hideError() {
  $("oa-banner").hidden = true;
}

// ---------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------

async function loadUsers() {
  state.users = (await api("GET", "/demo/users")) || [];
  const select = $("oa-user-select");
  select.replaceChildren(
    ...state.users.map((u) => el("option", { value: u.id, text: `${u.name} · ${u.title} · ${u.department}` })),
  );
  const saved = localStorage.getItem(STORAGE_KEY);
  const fallback = state.users.find((u) => (u.roles || []).includes("applicant")) || state.users[0];
  const chosen = state.users.find((u) => u.id === saved) || fallback;
  select.disabled = state.users.length === 0;
  if (chosen) await switchUser(chosen.id);
}

async function switchUser(id) {
  hideError();
  state.user = state.users.find((u) => u.id === id) || null;
  state.token = null;
  $("oa-user-select").value = id;
  $("oa-current-user").textContent = state.user ? `${state.user.name}（${state.user.department}）` : "—";
  localStorage.setItem(STORAGE_KEY, id);
  closeDetail();
  const res = await api("POST", "/demo/token", { user: id });
  state.token = res.token;
  await refreshCounts();
  await showView("tasks");
}

// ---------------------------------------------------------------------------
// Menu and lists
// ---------------------------------------------------------------------------

function setBadge(name, count) {
  const badge = document.querySelector(`[data-count="${name}"]`);
  badge.textContent = count > 99 ? "99+" : String(count);
  badge.hidden = !(count > 0);
  badge.setAttribute("aria-label", `${count} 项`);
}

async function refreshCounts() {
  const lists = ["tasks", "started", "cc"].map(async (name) => {
    const res = await api("GET", `${VIEWS[name].path}?page=1&per_page=1`);
    setBadge(name, res.total || 0);
  });
  const workflows = api("GET", "/api/v1/workflows").then((list) => {
    setBadge("start", (list || []).filter((w) => w.can_start).length);
  });
  const results = await Promise.allSettled([...lists, workflows]);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) showError(failed.reason);
}

async function showView(view, page) {
  state.view = view;
  state.page = page || 1;
  for (const item of document.querySelectorAll(".oa-nav-item")) {
    if (item.dataset.view === view) item.setAttribute("aria-current", "page");
    else item.removeAttribute("aria-current");
  }
  $("oa-view-title").textContent = VIEWS[view].title;
  $("oa-pager").hidden = true;
  $("oa-list").replaceChildren(el("p", { class: "oa-empty", text: "加载中…" }));
  try {
    if (view === "start") await renderWorkflows();
    else await renderList();
  } catch (e) {
    $("oa-list").replaceChildren(el("p", { class: "oa-empty", text: "加载失败。" }));
    showError(e);
  }
}

async function renderList() {
  const { path, empty } = VIEWS[state.view];
  const res = await api("GET", `${path}?page=${state.page}&per_page=${PER_PAGE}`);
  const items = res.items || [];
  if (items.length === 0) {
    $("oa-list").replaceChildren(el("p", { class: "oa-empty", text: empty }));
    return;
  }
  const rows = items.map((item) => {
    const open = () => { hideError(); openDetail(item.id); };
    return el("tr", { class: item.id === state.openId ? "oa-row oa-row-open" : "oa-row", "data-id": item.id, onclick: open },
      el("td", {},
        el("button", { type: "button", class: "oa-link", onclick: (e) => { e.stopPropagation(); open(); } }, zh(item.title)),
        item.overdue ? el("span", { class: "oa-tag oa-tag-overdue", text: "已超时" }) : null),
      el("td", {}, zh(item.step_label) || item.step || "—"),
      el("td", {}, (item.initiator && item.initiator.name) || "—"),
      el("td", { class: "oa-nowrap" }, formatTime(item.updated_at)));
  });
  const table = el("table", { class: "oa-table" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", text: "流程名称" }),
      el("th", { scope: "col", text: "当前步骤" }),
      el("th", { scope: "col", text: "发起人" }),
      el("th", { scope: "col", text: "更新时间" }))),
    el("tbody", {}, rows));
  $("oa-list").replaceChildren(table);

  const pages = Math.max(1, Math.ceil((res.total || 0) / (res.per_page || PER_PAGE)));
  $("oa-pager-info").textContent = `共 ${res.total || 0} 条 · 第 ${state.page} / ${pages} 页`;
  $("oa-prev").disabled = state.page <= 1;
  $("oa-next").disabled = state.page >= pages;
  $("oa-pager").hidden = false;
}

async function renderWorkflows() {
  const list = ((await api("GET", "/api/v1/workflows")) || []).filter((w) => w.can_start);
  if (list.length === 0) {
    $("oa-list").replaceChildren(el("p", { class: "oa-empty", text: VIEWS.start.empty }));
    return;
  }
  $("oa-list").replaceChildren(el("ul", { class: "oa-wf-list" }, list.map((w) =>
    el("li", { class: "oa-wf" },
      el("div", { class: "oa-wf-body" },
        el("h2", { class: "oa-wf-title", text: zh(w.title) }),
        w.description ? el("p", { class: "oa-wf-desc", text: zh(w.description) }) : null,
        el("p", { class: "oa-wf-meta", text: `流程标识 ${w.key} · 版本 ${w.version}` })),
      el("button", { type: "button", class: "oa-btn oa-btn-primary", onclick: (e) => startWorkflow(w, e.currentTarget) }, "发起")))));
}

async function startWorkflow(workflow, button) {
  hideError();
  button.disabled = true;
  try {
    const inst = await api("POST", "/api/v1/instances", { workflow: workflow.key });
    await refreshCounts();
    await showView("started");
    await openDetail(inst.id);
  } catch (e) {
    showError(e);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------
// Detail panel
// ---------------------------------------------------------------------------

function closeDetail() {
  state.openId = null;
  $("oa-detail").hidden = true;
  $("oa-detail").replaceChildren();
  for (const row of document.querySelectorAll(".oa-row-open")) row.classList.remove("oa-row-open");
}

// The definition the instance runs on; the portal falls back to raw ids without it.
function definitionOf(inst) {
  const key = `${inst.workflow}@${inst.version}`;
  if (!definitions.has(key)) {
    const path = `/api/v1/workflows/${encodeURIComponent(inst.workflow)}/versions/${inst.version}`;
    definitions.set(key, api("GET", path).then((v) => (v && v.definition) || null, () => null));
  }
  return definitions.get(key);
}

// quiet: on failure just close the panel (e.g. the instance left my reach after acting).
async function openDetail(id, quiet) {
  try {
    const inst = await api("GET", `/api/v1/instances/${encodeURIComponent(id)}`);
    state.openId = inst.id;
    for (const row of document.querySelectorAll(".oa-row")) {
      row.classList.toggle("oa-row-open", row.dataset.id === inst.id);
    }
    renderDetail(inst, await definitionOf(inst));
    $("oa-detail-title").focus();
  } catch (e) {
    if (quiet) closeDetail();
    else showError(e);
  }
}

function stepLabel(id, inst, def) {
  if (id === inst.step && inst.step_label) return zh(inst.step_label);
  const step = def && (def.steps || []).find((s) => s.id === id);
  return (step && zh(step.label)) || id;
}

function routeTrail(inst, def) {
  const finished = inst.status === "completed" || inst.status === "rejected";
  const steps = (inst.route || []).map((s) => (typeof s === "string"
    ? { id: s, label: stepLabel(s, inst, def) }
    : { id: s.step || s.id, label: zh(s.label || s.step_label) || stepLabel(s.step || s.id, inst, def) }));
  if (inst.status === "completed" && inst.step === "end" && !steps.some((s) => s.id === "end")) {
    steps.push({ id: "end", label: "办结" });
  }
  return el("ol", { class: "oa-trail", "aria-label": "流转路径" }, steps.map((s, i) => {
    const current = !finished && i === steps.length - 1;
    return el("li", { class: current ? "oa-trail-step oa-trail-current" : "oa-trail-step", "aria-current": current ? "step" : false },
      el("span", { class: "oa-trail-dot", "aria-hidden": "true", text: String(i + 1) }),
      el("span", { class: "oa-trail-label", text: s.label }));
  }));
}

// A value as text: option labels, 是/否 and units when the field is known, else raw JSON.
function valueText(value, field) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) return "—";
  if (typeof value === "boolean") return value ? "是" : "否";
  const options = (field && field.options) || [];
  const choice = (v) => { const o = options.find((c) => c.value === v); return o ? zh(o.label) || v : v; };
  if (options.length && typeof value === "string") return choice(value);
  if (options.length && Array.isArray(value) && value.every((v) => typeof v === "string")) return value.map(choice).join("、");
  if (typeof value === "object") return JSON.stringify(value);
  return field && field.unit ? `${value} ${zh(field.unit)}` : String(value);
}

function formList(form, def) {
  const fields = (def && def.fields) || [];
  const known = fields.filter((f) => f.id in (form || {}));
  const rest = Object.keys(form || {}).filter((k) => !known.some((f) => f.id === k));
  const entries = [...known.map((f) => [f.id, f]), ...rest.map((k) => [k, null])];
  if (entries.length === 0) return el("p", { class: "oa-empty", text: "表单尚未填写。" });
  return el("dl", { class: def ? "oa-kv oa-kv-labelled" : "oa-kv" }, entries.map(([key, field]) => {
    const value = form[key];
    const raw = typeof value === "object" && value !== null && !(field && field.options && field.options.length);
    return [
      el("dt", { title: key, text: (field && zh(field.label)) || key }),
      el("dd", { class: raw ? "oa-kv-json" : false, text: valueText(value, field) }),
    ];
  }));
}

function renderDetail(inst, def) {
  const actions = inst.actions || [];
  const buttons = actions.filter((a) => SIMPLE_ACTIONS[a]).map((a) => {
    const spec = SIMPLE_ACTIONS[a];
    const cls = spec.primary ? "oa-btn oa-btn-primary" : spec.danger ? "oa-btn oa-btn-danger" : "oa-btn";
    return el("button", { type: "button", class: cls, onclick: (e) => runAction(inst, a, e.currentTarget) }, spec.label);
  });
  const others = actions.filter((a) => !SIMPLE_ACTIONS[a]).map((a) => OTHER_ACTIONS[a] || a);
  const waiting = (inst.waiting_for || []).map(userName).join("、");
  const statusClass = `oa-tag oa-status-${inst.status}`;

  const parts = [
    el("div", { class: "oa-card-head" },
      el("h2", { class: "oa-card-title", id: "oa-detail-title", tabindex: "-1", text: zh(inst.title) || inst.workflow }),
      el("button", { type: "button", class: "oa-btn oa-btn-plain", "aria-label": "关闭详情", onclick: closeDetail }, "关闭")),
    el("dl", { class: "oa-facts" },
      el("dt", { text: "状态" }),
      el("dd", {}, el("span", { class: statusClass, text: STATUS[inst.status] || inst.status }),
        inst.overdue ? el("span", { class: "oa-tag oa-tag-overdue", text: "已超时" }) : null),
      el("dt", { text: "当前步骤" }),
      el("dd", { text: inst.step === "end" ? "已办结" : stepLabel(inst.step, inst, def) }),
      waiting ? [el("dt", { text: "待处理人" }), el("dd", { text: waiting })] : null,
      inst.due_at ? [el("dt", { text: "办理时限" }), el("dd", { text: formatTime(inst.due_at) })] : null,
      el("dt", { text: "流程编号" }),
      el("dd", { class: "oa-mono", text: inst.id })),
    el("h3", { class: "oa-section-title", text: "流转路径" }),
    routeTrail(inst, def),
    (inst.notes || []).length ? el("ul", { class: "oa-notes", "aria-label": "规则提示" },
      inst.notes.map((n) => el("li", { text: cited(n) }))) : null,
    el("h3", { class: "oa-section-title", text: "表单内容" }),
    formList(inst.form, def),
    buttons.length || others.length ? el("h3", { class: "oa-section-title", text: "办理" }) : null,
    buttons.length ? el("div", { class: "oa-actions" }, buttons) : null,
    others.length ? el("p", { class: "oa-hint", text: `${others.join("、")}等操作请在流程表单中办理（表单组件即将上线）。` }) : null,
  ];
  $("oa-detail").replaceChildren(...parts.filter(Boolean));
  $("oa-detail").hidden = false;
}

// Ask for what an action needs; null means the user cancelled.
function actionBody(name) {
  switch (name) {
    case "approve": {
      const comment = window.prompt("审批意见（可不填）：", "同意");
      if (comment === null) return null;
      return comment.trim() ? { action: "approve", comment: comment.trim() } : { action: "approve" };
    }
    case "reject": {
      const comment = window.prompt("请填写驳回理由：", "");
      if (comment === null) return null;
      if (!comment.trim()) { showError("驳回必须填写理由。"); return null; }
      return { action: "reject", comment: comment.trim() };
    }
    case "comment": {
      const text = window.prompt("评论内容：", "");
      if (text === null || !text.trim()) return null;
      return { action: "comment", text: text.trim() };
    }
    case "withdraw":
      return window.confirm("确定撤回该流程吗？") ? { action: "withdraw" } : null;
    default:
      return { action: name };
  }
}

async function runAction(inst, name, button) {
  hideError();
  const action = actionBody(name);
  if (!action) return;
  button.disabled = true;
  let failed = null;
  try {
    await api("POST", `/api/v1/instances/${encodeURIComponent(inst.id)}/actions`,
      { request_id: newRequestId(), revision: inst.revision, action });
  } catch (e) {
    failed = e;
  }
  // Reload in every case: after a conflict the fresh revision is needed anyway.
  await refreshCounts();
  await showView(state.view, state.page);
  await openDetail(inst.id, true);
  if (failed) showError(failed);
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

function init() {
  $("oa-banner-close").addEventListener("click", hideError);
  $("oa-user-select").addEventListener("change", (e) => switchUser(e.target.value).catch(showError));
  $("oa-refresh").addEventListener("click", () => { hideError(); refreshCounts(); showView(state.view, state.page); });
  $("oa-prev").addEventListener("click", () => showView(state.view, state.page - 1));
  $("oa-next").addEventListener("click", () => showView(state.view, state.page + 1));
  for (const item of document.querySelectorAll(".oa-nav-item")) {
    item.addEventListener("click", () => { closeDetail(); showView(item.dataset.view); });
  }
  loadUsers().catch(showError);
}

document.addEventListener("DOMContentLoaded", init);
