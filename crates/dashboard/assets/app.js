// agentops dashboard: plain JavaScript, no dependencies.
//
// The server renders the first paint (every panel already filled); this
// script only keeps it live: it follows the event stream from the offsets
// the page was rendered at and redraws a panel with the same markup when
// its data changes. No inline styles anywhere: widths and colours are
// classes from app.css, so the Content-Security-Policy needs no
// 'unsafe-inline'.
"use strict";

const body = document.body;
const token = body.dataset.token;
const api = (path) => `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
const getJSON = async (path) => {
  const res = await fetch(api(path));
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
};

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return node;
};

// The width class of part/whole, as the server computes it (render.rs).
const widthClass = (part, whole) => {
  const pct = whole > 0 ? (100 * part) / whole : 0;
  return `w-${part > 0 ? Math.min(100, Math.max(1, Math.round(pct))) : 0}`;
};

let sessionFilter = null;

const badge = (d) => el("span", { class: `badge ${d}` }, d);

const copyButton = (id) => el("button", { type: "button", class: "copy", "data-copy": id, title: "copy the session id" }, "copy");

const time = (ts) => (ts ? String(ts).replace("T", " ").replace(/\..*$/, "").replace(/Z$/, "") : "");

function timelineRow(r, fresh) {
  const session = r.session ?? "";
  const tr = el("tr", { class: fresh ? "new" : "", "data-session": session },
    el("td", {}, time(r.ts)),
    el("td", { class: "session" }, ...(session ? [el("code", { class: "session-id" }, session), " ", copyButton(session)] : [])),
    el("td", {}, r.event ?? ""),
    el("td", {}, r.tool ?? ""),
    el("td", { class: "target", title: r.target ?? "" }, r.target ?? ""),
    el("td", {}, badge(r.decision ?? "-")),
    el("td", {}, (r.rules ?? []).join(", ")),
    el("td", { class: "ms" }, r.latency_ms == null ? "" : String(r.latency_ms)));
  if (sessionFilter && session !== sessionFilter) tr.hidden = true;
  return tr;
}

function addRecords(records, fresh) {
  const tbody = document.querySelector("#timeline tbody");
  for (const r of records) tbody.prepend(timelineRow(r, fresh));
  while (tbody.rows.length > 2000) tbody.deleteRow(tbody.rows.length - 1);
}

function renderSummary(s) {
  const d = s.decisions ?? {};
  document.getElementById("totals").textContent =
    `${s.total} events · ${d.deny ?? 0} denied · ${d.ask ?? 0} asked · ${d.block ?? 0} blocked`;

  const gated = document.getElementById("gated");
  gated.replaceChildren(...(s.gated ?? []).map((r) =>
    el("li", {}, badge(r.decision), " ", r.tool ?? r.event ?? "", " ",
      el("code", {}, (r.rules ?? []).join(", ")),
      el("span", { class: "reason" }, r.reason ?? r.target ?? ""))));
  if (!gated.children.length) gated.append(el("li", { class: "muted" }, "nothing stopped yet"));

  const max = Math.max(1, ...(s.top_rules ?? []).map((r) => r.count));
  document.getElementById("rules").replaceChildren(...(s.top_rules ?? []).map((r) =>
    el("li", {}, el("code", {}, r.id), el("div", { class: `bar ${widthClass(r.count, max)}` }), el("span", {}, String(r.count)))));

  const custom = document.getElementById("custom-rules");
  custom.replaceChildren(
    ...(s.custom_rule_files_invalid ?? []).map((f) =>
      el("li", { class: "problem" }, el("code", {}, f.path), ` does not load: ${f.problem}`)),
    ...(s.custom_rules ?? []).map((r) =>
      el("li", r.path ? { title: `${r.verdict} · ${r.path}` } : {}, el("code", {}, r.id), " ",
        el("span", { class: "origin" }, r.origin), " ", el("span", {}, String(r.count)))));
  if (!custom.children.length) custom.append(el("li", { class: "muted" }, "no custom rule fired yet"));

  document.getElementById("sessions").replaceChildren(...(s.sessions ?? []).map((x) =>
    el("li", {}, el("a", { class: "session-link", "data-session": x.id }, x.id), " ", copyButton(x.id),
      el("span", { class: "reason" }, `${x.events} events, ${x.gated} stopped · ${x.first ?? ""} → ${x.last ?? ""}`))));
}

function renderCost(c) {
  const box = document.getElementById("cost");
  const series = c.series ?? [];
  if (!series.length) {
    box.replaceChildren(el("p", { class: "muted" }, "no cost recorded yet"));
    return;
  }
  const models = [...new Set(series.map((p) => p.model))].sort();
  const colour = (m) => models.indexOf(m) % 6;
  const max = Math.max(0, ...series.map((p) => p.usd));
  const rows = [...series].sort((a, b) => b.day.localeCompare(a.day) || a.model.localeCompare(b.model));
  const table = el("table", { class: "cost" },
    el("thead", {}, el("tr", {}, el("th", {}, "day"), el("th", {}, "model"), el("th", {}, "USD"), el("th", {}))),
    el("tbody", {}, ...rows.map((p) => el("tr", {},
      el("td", {}, p.day), el("td", { class: `c-${colour(p.model)}` }, p.model),
      el("td", { class: "num" }, `$${p.usd.toFixed(2)}`),
      el("td", { class: "barcell" }, el("div", { class: `bar fill-${colour(p.model)} ${widthClass(p.usd, max)}` }))))));
  const legend = el("p", {}, ...models.map((m) => el("span", { class: `legend c-${colour(m)}` }, `■ ${m}`)));
  const sum = series.reduce((a, p) => a + p.usd, 0);
  box.replaceChildren(table, legend,
    el("p", { class: "muted" }, `total $${sum.toFixed(2)}${c.budget != null ? ` of $${Number(c.budget).toFixed(2)}` : ""}`));
}

// Clicks, delegated: copy a session id, or filter the timeline by one.
document.addEventListener("click", (e) => {
  const copy = e.target.closest("button.copy");
  if (copy) {
    const id = copy.dataset.copy;
    const done = () => { copy.textContent = "copied"; copy.classList.add("done"); };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(id).then(done, () => selectText(copy.previousElementSibling));
    } else {
      selectText(copy.previousElementSibling);
    }
    return;
  }
  const link = e.target.closest("a.session-link");
  if (link) filterSession(link.dataset.session);
});

// Without clipboard access, select the id so the user can copy it.
function selectText(node) {
  if (!node) return;
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

function filterSession(id) {
  sessionFilter = sessionFilter === id ? null : id;
  document.getElementById("filter").textContent = sessionFilter ? `session ${sessionFilter} (click again to clear)` : "";
  for (const tr of document.querySelectorAll("#timeline tbody tr")) {
    tr.hidden = Boolean(sessionFilter) && tr.dataset.session !== sessionFilter;
  }
}

let summaryTimer = null;
function refreshSummarySoon() {
  clearTimeout(summaryTimer);
  summaryTimer = setTimeout(() => getJSON("/api/summary").then(renderSummary).catch(console.error), 300);
}

// Where the stream has got to in each log: a reconnect resumes there, so
// no record is shown twice.
const offsets = { audit: body.dataset.auditOffset ?? "0", telemetry: body.dataset.telemetryOffset ?? "0" };

function follow() {
  const live = document.getElementById("live");
  const stream = new EventSource(api(`/api/stream?audit=${offsets.audit}&telemetry=${offsets.telemetry}`));
  stream.addEventListener("open", () => { live.textContent = "live"; live.className = "pill on"; });
  stream.addEventListener("error", () => {
    live.textContent = "reconnecting…";
    live.className = "pill off";
    // The browser would reconnect with the offsets of the first request.
    stream.close();
    setTimeout(follow, 2000);
  });
  stream.addEventListener("audit", (e) => {
    const { record, offset } = JSON.parse(e.data);
    offsets.audit = offset;
    addRecords([record], true);
    refreshSummarySoon();
  });
  stream.addEventListener("telemetry", (e) => {
    offsets.telemetry = JSON.parse(e.data).offset;
    getJSON("/api/cost").then(renderCost).catch(console.error);
  });
}

follow();
