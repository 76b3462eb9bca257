// agentops dashboard: plain JavaScript, no dependencies.
"use strict";

const token = document.body.dataset.token;
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
    else if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return node;
};

let sessionFilter = null;
const rows = [];

function decisionBadge(d) {
  return el("span", { class: `badge ${d}` }, d);
}

function timelineRow(r, fresh) {
  const time = r.ts ? String(r.ts).replace("T", " ").replace(/\..*|Z$/, "") : "";
  const tr = el("tr", { class: fresh ? "new" : "", "data-session": r.session ?? "" },
    el("td", {}, time),
    el("td", {}, (r.session ?? "").slice(0, 8)),
    el("td", {}, r.event ?? ""),
    el("td", {}, r.tool ?? ""),
    el("td", { class: "target", title: r.target ?? "" }, r.target ?? ""),
    el("td", {}, decisionBadge(r.decision ?? "-")),
    el("td", {}, (r.rules ?? []).join(", ")),
    el("td", {}, r.latency_ms ?? ""));
  if (sessionFilter && r.session !== sessionFilter) tr.hidden = true;
  return tr;
}

function addRecords(records, fresh) {
  const body = document.querySelector("#timeline tbody");
  for (const r of records) {
    rows.push(r);
    body.prepend(timelineRow(r, fresh));
  }
  while (body.rows.length > 2000) body.deleteRow(body.rows.length - 1);
}

function renderSummary(s) {
  const d = s.decisions ?? {};
  document.getElementById("totals").textContent =
    `${s.total} events · ${d.deny ?? 0} denied · ${d.ask ?? 0} asked · ${d.block ?? 0} blocked`;

  const gated = document.getElementById("gated");
  gated.replaceChildren(...(s.gated ?? []).map((r) =>
    el("li", {}, decisionBadge(r.decision), " ", r.tool ?? r.event ?? "", " ",
      el("code", {}, (r.rules ?? []).join(", ")),
      el("span", { class: "reason" }, r.reason ?? r.target ?? ""))));
  if (!gated.children.length) gated.append(el("li", { class: "muted" }, "nothing stopped yet"));

  const max = Math.max(1, ...(s.top_rules ?? []).map((r) => r.count));
  document.getElementById("rules").replaceChildren(...(s.top_rules ?? []).map((r) =>
    el("li", {}, el("code", {}, r.id),
      el("div", { class: "bar", style: `width:${(100 * r.count) / max}%` }),
      el("span", {}, String(r.count)))));

  document.getElementById("sessions").replaceChildren(...(s.sessions ?? []).map((x) =>
    el("li", {}, el("a", { onclick: () => filterSession(x.id) }, x.id),
      el("span", { class: "reason" }, `${x.events} events, ${x.gated} stopped · ${x.first ?? ""} → ${x.last ?? ""}`))));
}

function filterSession(id) {
  sessionFilter = sessionFilter === id ? null : id;
  document.getElementById("filter").textContent = sessionFilter ? `session ${sessionFilter} (click again to clear)` : "";
  for (const tr of document.querySelectorAll("#timeline tbody tr")) {
    tr.hidden = Boolean(sessionFilter) && tr.dataset.session !== sessionFilter;
  }
}

function renderCost(c) {
  const box = document.getElementById("cost");
  const series = c.series ?? [];
  if (!series.length) {
    box.replaceChildren(el("p", { class: "muted" }, "no cost recorded yet"));
    return;
  }
  const days = [...new Set(series.map((p) => p.day))].sort();
  const models = [...new Set(series.map((p) => p.model))].sort();
  const total = (day) => series.filter((p) => p.day === day).reduce((a, p) => a + p.usd, 0);
  const max = Math.max(...days.map(total), 0.01);
  const W = 320, H = 140, pad = 24, bw = Math.max(4, (W - pad) / days.length - 4);
  const colours = ["#3e8ed0", "#46a758", "#f5a524", "#e5484d", "#8e4ec6", "#12a594"];
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H + 16}`);
  svg.setAttribute("width", "100%");
  days.forEach((day, i) => {
    let y = H;
    models.forEach((m, j) => {
      const usd = series.filter((p) => p.day === day && p.model === m).reduce((a, p) => a + p.usd, 0);
      const h = ((H - 10) * usd) / max;
      const rect = document.createElementNS(ns, "rect");
      Object.entries({ x: pad + i * (bw + 4), y: y - h, width: bw, height: h, fill: colours[j % colours.length] })
        .forEach(([k, v]) => rect.setAttribute(k, v));
      const tip = document.createElementNS(ns, "title");
      tip.textContent = `${day} ${m}: $${usd.toFixed(2)}`;
      rect.append(tip);
      svg.append(rect);
      y -= h;
    });
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", pad + i * (bw + 4));
    label.setAttribute("y", H + 12);
    label.textContent = day.slice(5);
    svg.append(label);
  });
  const top = document.createElementNS(ns, "text");
  top.setAttribute("x", 0);
  top.setAttribute("y", 10);
  top.textContent = `$${max.toFixed(2)}`;
  svg.append(top);
  const legend = el("p", {}, ...models.map((m, j) => el("span", { style: `color:${colours[j % colours.length]};margin-right:.8rem` }, `■ ${m}`)));
  const sum = series.reduce((a, p) => a + p.usd, 0);
  box.replaceChildren(svg, legend, el("p", { class: "muted" }, `total $${sum.toFixed(2)}${c.budget ? ` of $${c.budget}` : ""}`));
}

function renderStatus(s) {
  const box = document.getElementById("status");
  const entries = Object.entries(s ?? {});
  if (!entries.length) {
    box.replaceChildren(el("p", { class: "muted" }, "no scan recorded yet"));
    return;
  }
  box.replaceChildren(el("dl", {}, ...entries.flatMap(([k, v]) =>
    [el("dt", {}, k), el("dd", {}, typeof v === "object" ? JSON.stringify(v) : String(v))])));
}

let summaryTimer = null;
function refreshSummarySoon() {
  clearTimeout(summaryTimer);
  summaryTimer = setTimeout(() => getJSON("/api/summary").then(renderSummary).catch(console.error), 300);
}

async function start() {
  const [summary, events, cost, status] = await Promise.all([
    getJSON("/api/summary"), getJSON("/api/events?offset=0"), getJSON("/api/cost"), getJSON("/api/status"),
  ]);
  renderSummary(summary);
  addRecords(events.records, false);
  renderCost(cost);
  renderStatus(status);

  const live = document.getElementById("live");
  const stream = new EventSource(api(`/api/stream?audit=${events.offset}`));
  stream.addEventListener("open", () => { live.textContent = "live"; live.className = "pill on"; });
  stream.addEventListener("error", () => { live.textContent = "reconnecting…"; live.className = "pill off"; });
  stream.addEventListener("audit", (e) => {
    const { record } = JSON.parse(e.data);
    addRecords([record], true);
    refreshSummarySoon();
  });
  stream.addEventListener("telemetry", () => getJSON("/api/cost").then(renderCost).catch(console.error));
}

start().catch((e) => {
  document.getElementById("live").textContent = `error: ${e.message}`;
});
