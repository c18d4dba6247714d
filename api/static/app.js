/* conflictkg analyst's workbench: claims explorer, contested figures, network, query, add an article.
 * Plain browser JavaScript, no build step. Libraries (plotly, vis-network) are served by the app
 * under /vendor/ from installed Python packages and loaded only when their view is first opened. */
"use strict";

/** Okabe-Ito: distinguishable with the common colour-vision deficiencies. */
const PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"];
/** After eight claimants the colours repeat with another underline style. */
const LINE_STYLES = ["solid", "dashed", "dotted", "double"];
const PREFIXES = {
  ckg: "https://w3id.org/conflictkg/ontology#", ckgid: "https://w3id.org/conflictkg/id/",
  ckgg: "https://w3id.org/conflictkg/graph/", prov: "http://www.w3.org/ns/prov#", schema: "http://schema.org/",
  skos: "http://www.w3.org/2004/02/skos/core#", oa: "http://www.w3.org/ns/oa#",
  sem: "http://semanticweb.cs.vu.nl/2009/11/sem/", rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#", xsd: "http://www.w3.org/2001/XMLSchema#",
};

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "style") node.setAttribute("style", v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function plural(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }

/** A measure as words: "KilledOrWounded" or "killed_or_wounded" -> "killed or wounded". */
function measureWords(measure) {
  return String(measure).replace(/_/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** Labels that never read the same for two different things: a repeated label gets what tells its
 *  items apart (the given detail, else the end of the IRI). items: [{key, label, detail?}]. */
function distinctLabels(items) {
  const count = new Map();
  for (const x of items) count.set(x.label, (count.get(x.label) || 0) + 1);
  return new Map(items.map((x) => [x.key, count.get(x.label) > 1 ? `${x.label} · ${x.detail || String(x.key).replace(/^.*[/#]/, "")}` : x.label]));
}

function shortIri(iri) {
  for (const [p, ns] of Object.entries(PREFIXES)) if (iri.startsWith(ns)) return `${p}:${iri.slice(ns.length)}`;
  return iri;
}

/** fetch that resolves to {ok, status, body(json or text), raw}. */
async function call(url, options = {}) {
  const response = await fetch(url, options);
  const raw = await response.text();
  let body = raw;
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) { try { body = JSON.parse(raw); } catch (e) { body = raw; } }
  return { ok: response.ok, status: response.status, body, raw, type };
}

function errorText(result) {
  if (result.body && typeof result.body === "object" && result.body.error) {
    return `HTTP ${result.status} · ${result.body.error}: ${result.body.message}`;
  }
  return `HTTP ${result.status}: ${String(result.raw).slice(0, 2000)}`;
}

const scripts = {};
function loadScript(src) {
  if (!scripts[src]) {
    scripts[src] = new Promise((resolve, reject) => {
      const s = el("script", { src });
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(s);
    });
  }
  return scripts[src];
}
function loadStyle(href) {
  if (!$(`link[href="${href}"]`)) document.head.append(el("link", { rel: "stylesheet", href }));
}

function download(name, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const state = { facets: null, claims: { offset: 0, limit: 50, total: 0, rows: [], current: -1 }, opened: {} };

/* ---------------------------------------------------------------- tabs ---- */

const VIEWS = ["claims", "figures", "network", "query", "add"];

function showView(name, focus = false) {
  if (!VIEWS.includes(name)) name = "claims";
  for (const v of VIEWS) {
    const tab = $(`#tab-${v}`);
    const on = v === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`#view-${v}`).hidden = !on;
  }
  if (focus) $(`#tab-${name}`).focus();
  if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  document.body.dataset.view = name;
  if (!state.opened[name]) {
    state.opened[name] = true;
    ({ figures: initFigures, network: initNetwork, query: initQuery, add: () => {} , claims: () => {} })[name]();
  }
}

function initTabs() {
  const tabs = $$("[role=tab]");
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => showView(tab.id.slice(4)));
    tab.addEventListener("keydown", (ev) => {
      let j = null;
      if (ev.key === "ArrowRight") j = (i + 1) % tabs.length;
      else if (ev.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
      else if (ev.key === "Home") j = 0;
      else if (ev.key === "End") j = tabs.length - 1;
      if (j !== null) { ev.preventDefault(); showView(tabs[j].id.slice(4), true); }
    });
  });
}

/* ------------------------------------------------------ claims explorer ---- */

function fillSelect(select, items, value = (x) => x.iri, label = (x) => `${x.label} (${x.count})`) {
  const first = select.options[0] && select.options[0].value === "" ? select.options[0] : null;
  const names = distinctLabels(items.map((x) => ({ key: value(x), label: label(x) })));
  select.replaceChildren(...(first ? [first] : []), ...items.map((x) => el("option", { value: value(x), text: names.get(value(x)), title: names.get(value(x)) })));
}

async function loadFacets() {
  const r = await call("/api/facets");
  if (!r.ok) throw new Error(errorText(r));
  state.facets = r.body;
  const form = $("#claim-filters");
  fillSelect(form.event, r.body.events);
  fillSelect(form.claimant, r.body.claimants);
  fillSelect(form.side, r.body.sides);
  fillSelect(form.measure, r.body.measures, (x) => x.value, (x) => `${measureWords(x.value)} (${x.count})`);
  fillSelect(form.stance, r.body.stances, (x) => x.value, (x) => `${x.value.replaceAll("_", " ")} (${x.count})`);
  if (r.body.date_min) form.from.placeholder = r.body.date_min;
  if (r.body.date_max) form.to.placeholder = r.body.date_max;
}

function claimQuery() {
  const form = $("#claim-filters");
  const params = new URLSearchParams();
  for (const name of ["event", "claimant", "side", "measure", "stance", "from", "to", "q", "sort"]) {
    const v = form[name].value.trim();
    if (v) params.set(name, v);
  }
  if (form.allies.checked) params.set("allies", "true");
  params.set("offset", state.claims.offset);
  params.set("limit", state.claims.limit);
  return params;
}

function figureText(f) {
  return `${f.surface} ${measureWords(f.measure)}${f.group ? ` (${f.group})` : ""}`;
}

async function loadClaims() {
  const status = $("#claims-status");
  status.textContent = "Loading claims…";
  const r = await call(`/api/claims?${claimQuery()}`);
  if (!r.ok) { status.textContent = errorText(r); return; }
  Object.assign(state.claims, { total: r.body.total, rows: r.body.rows, current: -1 });
  const { offset, limit, total } = state.claims;
  status.textContent = total ? `${total} claims match; showing ${offset + 1}–${Math.min(offset + limit, total)}.` : "No claim matches these filters.";
  $("#page-info").textContent = total ? `page ${Math.floor(offset / limit) + 1} of ${Math.ceil(total / limit)}` : "";
  $("#page-prev").disabled = offset === 0;
  $("#page-next").disabled = offset + limit >= total;
  const body = $("#claims-table tbody");
  body.replaceChildren(...r.body.rows.map((row, i) => claimRow(row, i)));
  const first = body.rows[0];
  if (first) first.tabIndex = 0;
  followArticle();
}

/** After the list changes, the open article follows it: its claim's row is selected again, or the
 *  panel closes when that claim is no longer listed. */
function followArticle() {
  const panel = $("#article-panel");
  if (panel.hidden || !state.claims.openClaim) return;
  const i = state.claims.rows.findIndex((row) => row.claim === state.claims.openClaim);
  if (i < 0) { closeArticle(false); return; }
  const row = $("#claims-table tbody").rows[i];
  row.setAttribute("aria-selected", "true");
  row.tabIndex = 0;
  state.claims.current = i;
}

function claimRow(row, i) {
  const chain = row.side_chain.map((a) => a.label).join(" → ");
  const speaksFor = row.side_chain.length > 1 ? row.side_chain[1] : null;
  const sideTitle = row.side ? [chain, row.allies.length ? `allies: ${row.allies.map((a) => a.label).join(", ")}` : ""].filter(Boolean).join("\n")
    : "no side: media, monitors, activists and experts have none unless the dictionary states one";
  const tr = el("tr", { tabindex: "-1", "data-index": i, "data-claim": row.claim, "aria-selected": "false" },
    el("td", { text: row.date || "—", title: row.date_basis ? `date: ${row.date_basis}` : null }),
    el("td", {}, row.claimant.label, speaksFor ? el("div", { class: "side", text: `for ${speaksFor.label}` }) : null),
    el("td", { class: "side", text: row.side ? row.side.label : "—", title: sideTitle }),
    el("td", {}, el("span", { class: `tag stance-${row.stance}`, text: row.stance.replaceAll("_", " ") }),
      row.certainty !== "certain" ? el("span", { class: "tag", text: row.certainty }) : null),
    el("td", {}, row.figures.map((f) => el("span", { class: "tag", text: figureText(f) }))),
    el("td", { class: "evidence", title: row.spans.map((s) => s.exact).join(" … ") }, el("div", { text: row.spans.map((s) => s.exact).join(" … ") })),
    el("td", { class: "article", title: row.article_file }, el("div", { text: row.article_headline || row.article_file })));
  tr.addEventListener("click", () => selectRow(i, true));
  return tr;
}

function selectRow(i, open) {
  const rows = $("#claims-table tbody").rows;
  if (!rows.length) return;
  i = Math.max(0, Math.min(rows.length - 1, i));
  for (const r of rows) { r.tabIndex = -1; r.setAttribute("aria-selected", "false"); }
  rows[i].tabIndex = 0;
  rows[i].setAttribute("aria-selected", "true");
  rows[i].focus();
  state.claims.current = i;
  if (open) openArticle(state.claims.rows[i]);
}

function initClaims() {
  const form = $("#claim-filters");
  form.addEventListener("submit", (ev) => { ev.preventDefault(); state.claims.offset = 0; loadClaims(); });
  form.addEventListener("reset", () => setTimeout(() => { state.claims.offset = 0; loadClaims(); }, 0));
  for (const name of ["event", "claimant", "side", "measure", "stance", "sort", "allies"]) {
    form[name].addEventListener("change", () => { state.claims.offset = 0; loadClaims(); });
  }
  $("#page-prev").addEventListener("click", () => { state.claims.offset = Math.max(0, state.claims.offset - state.claims.limit); loadClaims(); });
  $("#page-next").addEventListener("click", () => { state.claims.offset += state.claims.limit; loadClaims(); });
  $("#page-size").addEventListener("change", (ev) => { state.claims.limit = Number(ev.target.value); state.claims.offset = 0; loadClaims(); });
  $("#claims-table tbody").addEventListener("keydown", (ev) => {
    const i = state.claims.current < 0 ? Number(ev.target.dataset.index || 0) : state.claims.current;
    const moves = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: 1e9, PageDown: i + 10, PageUp: i - 10 };
    if (ev.key in moves) { ev.preventDefault(); selectRow(moves[ev.key], false); }
    else if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); selectRow(Number(ev.target.dataset.index), true); }
  });
  $("#claims-table tbody").addEventListener("focusin", (ev) => {
    if (ev.target.dataset.index !== undefined) state.claims.current = Number(ev.target.dataset.index);
  });
  $("#article-close").addEventListener("click", () => closeArticle());
  $("#article-panel").addEventListener("keydown", (ev) => { if (ev.key === "Escape") closeArticle(); });
}

function closeArticle(focusRow = true) {
  $("#article-panel").hidden = true;
  state.claims.openClaim = null;
  const rows = $("#claims-table tbody").rows;
  if (focusRow && rows[state.claims.current]) rows[state.claims.current].focus();
}

/** Colour (and line style) per claimant, in order of first appearance. */
function claimantColours(claims, key = (c) => c.claimant.iri) {
  const colours = new Map();
  for (const c of claims) {
    const k = key(c);
    if (!colours.has(k)) {
      const n = colours.size;
      colours.set(k, { colour: PALETTE[n % PALETTE.length], style: LINE_STYLES[Math.floor(n / PALETTE.length) % LINE_STYLES.length], label: c.claimant.label });
    }
  }
  return colours;
}

function legend(list, colours) {
  list.replaceChildren(...[...colours.values()].map((c) =>
    el("li", {}, el("span", { class: "swatch", style: `background:${c.colour};border-bottom:3px ${c.style} #000` }), c.label)));
}

/** The text with every span marked: marks = [{start, end, claimant, index, title}]; current = index to emphasise. */
function renderMarkedText(container, text, marks, colours, current) {
  const cuts = new Set([0, text.length]);
  for (const m of marks) { cuts.add(m.start); cuts.add(m.end); }
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  const nodes = [];
  let currentNode = null;
  for (let k = 0; k < points.length - 1; k++) {
    const a = points[k], b = points[k + 1];
    const piece = text.slice(a, b);
    const over = marks.filter((m) => m.start <= a && b <= m.end);
    if (!over.length) { nodes.push(document.createTextNode(piece)); continue; }
    const main = over.find((m) => m.index === current) || over[0];
    const c = colours.get(main.claimant);
    const mark = el("mark", {
      style: `--c:${c.colour};--style:${c.style}`,
      title: over.map((m) => m.title).join("\n"),
      "data-claims": over.map((m) => m.index).join(" "),
      "data-start": a, "data-end": b,
      class: over.some((m) => m.index === current) ? "current" : null,
    }, piece);
    if (mark.classList.contains("current") && !currentNode) currentNode = mark;
    nodes.push(mark);
  }
  container.replaceChildren(...nodes);
  return currentNode;
}

async function openArticle(row) {
  const panel = $("#article-panel");
  panel.hidden = false;
  state.claims.openClaim = row.claim;
  $("#article-title").textContent = row.article_headline || row.article_file;
  $("#article-text").textContent = "Loading the article…";
  const r = await call(`/api/articles/${encodeURIComponent(row.article_key)}`);
  if (!r.ok) { $("#article-text").textContent = errorText(r); return; }
  const art = r.body;
  $("#article-title").textContent = art.headline || art.file_name;
  $("#article-meta").textContent = [art.published && `published ${art.published}`, art.publisher, art.file_name,
    `${art.claims.length} claims`, art.text ? `text from the ${art.text_source} folder` : "full text not available: evidence spans only"]
    .filter(Boolean).join(" · ");
  const colours = claimantColours(art.claims);
  legend($("#article-legend"), colours);
  const current = art.claims.findIndex((c) => c.claim === row.claim);
  const marks = [];
  art.claims.forEach((c, index) => c.spans.forEach((s) => marks.push({
    start: s.start, end: s.end, claimant: c.claimant.iri, index,
    title: `${c.claimant.label} · ${c.stance.replaceAll("_", " ")}${c.date ? ` · ${c.date}` : ""}`,
  })));
  let target;
  if (art.text !== null) {
    target = renderMarkedText($("#article-text"), art.text, marks, colours, current);
  } else {
    const list = el("ol", { class: "spans-only" });
    art.claims.forEach((c, index) => c.spans.forEach((s) => {
      const col = colours.get(c.claimant.iri);
      const mark = el("mark", { style: `--c:${col.colour};--style:${col.style}`, class: index === current ? "current" : null, "data-claims": index }, s.exact);
      list.append(el("li", {}, el("span", { class: "offsets", text: `[${s.start}–${s.end}] ` }), mark));
      if (index === current && !target) target = mark;
    }));
    $("#article-text").replaceChildren(list);
  }
  panel.focus({ preventScroll: true });
  if (target) panel.scrollTop = Math.max(0, target.offsetTop - panel.clientHeight / 3);
}

/* --------------------------------------------------------------- network ---- */

/** Above this many nodes the layout is computed more roughly, so that the view stays responsive. */
const LARGE_NETWORK = 800;
const net = { network: null, nodes: null, edges: null, raw: null, byId: new Map() };

async function initNetwork() {
  $("#network-status").textContent = "Loading the network…";
  loadStyle("/vendor/vis-network.css");
  const [, r] = await Promise.all([loadScript("/vendor/vis-network.min.js"), call("/graph/export?format=json&view=actor-event")]);
  if (!r.ok) { $("#network-status").textContent = errorText(r); return; }
  net.raw = r.body;
  nameNodes(r.body.nodes);
  net.byId = new Map(r.body.nodes.map((n) => [n.id, n]));
  const form = $("#network-form");
  fillSelect(form.node, r.body.nodes.slice().sort((a, b) => a.label.localeCompare(b.label)), (n) => n.id, (n) => `${n.label} (${n.node_type})`);
  form.addEventListener("submit", (ev) => { ev.preventDefault(); drawNetwork(); });
  form.node.addEventListener("change", () => { if (form.node.value) focusNode(form.node.value); });
  for (const box of $$("input[type=checkbox]", form)) box.addEventListener("change", drawNetwork);
  drawNetwork();
}

/** Nodes' names as the rest of the page gives them (the explorer names an article's unknown outlet
 *  after its article), and never the same name for two nodes (an event's date or key is added). */
function nameNodes(nodes) {
  const names = new Map(((state.facets || {}).claimants || []).map((c) => [c.iri, c.label]));
  for (const n of nodes) if (n.iri && names.has(n.iri)) n.label = names.get(n.iri);
  const distinct = distinctLabels(nodes.map((n) => ({ key: n.id, label: n.label, detail: n.start || n.date || null })));
  for (const n of nodes) n.label = distinct.get(n.id);
}

/** A label on a few short lines, cut only between words: the whole label is always shown. */
function wrapLabel(label, width = 24) {
  const lines = [];
  let line = "";
  for (const word of String(label).split(/\s+/)) {
    if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

/** Whether a date or year-month overlaps the range [from, to] (each YYYY-MM[-DD] or empty). */
function inRange(date, from, to) {
  if (!date) return true;
  const first = date.length === 7 ? `${date}-01` : date.slice(0, 10);
  const last = date.length === 7 ? `${date}-31` : date.slice(0, 10);
  const lo = from ? (from.length === 7 ? `${from}-01` : from) : "";
  const hi = to ? (to.length === 7 ? `${to}-31` : to) : "9999";
  return last >= lo && first <= hi;
}

function drawNetwork() {
  const form = $("#network-form");
  const types = new Set($$("input[name=type]:checked", form).map((b) => b.value));
  const from = form.from.value.trim(), to = form.to.value.trim();
  const dated = Boolean(from || to);
  const edgeStyle = {
    claim: { dashes: false, width: 1.2, color: "#555" },
    affiliation: { dashes: [6, 4], width: 1.5, color: "#0072B2" },
    backing: { dashes: false, width: 4, color: "#E69F00" },
    participation: { dashes: false, width: 0.6, color: "#999" },
  };
  const keepNode = new Set(net.raw.nodes.filter((n) => types.has(n.node_type) &&
    !(n.node_type === "Event" && dated && !inRange(n.start || n.date, from, to))).map((n) => n.id));
  const edges = net.raw.edges.filter((e) => keepNode.has(e.source) && keepNode.has(e.target) && !(e.edge_class === "claim" && dated && !inRange(e.date, from, to)));
  if (dated || form.connected.checked) {
    const touched = new Set(edges.flatMap((e) => [e.source, e.target]));
    for (const id of [...keepNode]) if (net.byId.get(id).node_type === "Actor" && !touched.has(id)) keepNode.delete(id);
  }
  const nodes = [...keepNode].map((id) => {
    const n = net.byId.get(id);
    const actor = n.node_type === "Actor";
    return { id, label: wrapLabel(n.label), title: `${n.label}\n${n.node_type} · ${n.subtype || ""}`,
      shape: actor ? "dot" : "diamond", size: actor ? 12 : 18,
      color: { background: actor ? "#0072B2" : "#D55E00", border: "#000", highlight: { background: "#F0E442", border: "#000" } },
      font: { size: 13, color: "#1b1b1b", strokeWidth: 3, strokeColor: "#ffffff" } };
  });
  const visEdges = edges.map((e) => ({ id: e.key, from: e.source, to: e.target, arrows: "to", ...(edgeStyle[e.edge_class] || {}),
    title: `${e.relation}${e.stance ? ` · ${e.stance}` : ""}${e.date ? ` · ${e.date}` : ""}`, smooth: { type: "continuous" } }));
  net.nodes = new vis.DataSet(nodes);
  net.edges = new vis.DataSet(visEdges);
  const options = {
    interaction: { hover: true, keyboard: { enabled: true, bindToWindow: false }, navigationButtons: true, tooltipDelay: 150 },
    physics: { solver: "forceAtlas2Based", stabilization: { iterations: 250 } },
    layout: { randomSeed: 7, improvedLayout: nodes.length <= LARGE_NETWORK },
  };
  if (nodes.length > LARGE_NETWORK) options.physics.stabilization.iterations = 60;
  if (net.network) net.network.destroy();
  net.network = new vis.Network($("#network-canvas"), { nodes: net.nodes, edges: net.edges }, options);
  net.network.on("click", (p) => { if (p.nodes.length) showNode(p.nodes[0]); });
  net.network.once("stabilizationIterationsDone", () => {
    net.network.setOptions({ physics: false });
    $("#network-canvas").dataset.ready = "true";
  });
  $("#network-status").textContent = `${nodes.length} nodes, ${visEdges.length} edges.`;
  $("#network-canvas").dataset.nodes = String(nodes.length);
}

function focusNode(id) {
  if (!net.network || !net.nodes.get(id)) return;
  net.network.selectNodes([id]);
  net.network.focus(id, { scale: 1.2, animation: false });
  showNode(id);
}

async function showNode(id) {
  const n = net.byId.get(id);
  const panel = $("#node-panel");
  panel.dataset.node = id;
  $("#node-title").textContent = n.label;
  const skip = new Set(["id", "label"]);
  $("#node-attrs").replaceChildren(...Object.entries(n).filter(([k]) => !skip.has(k)).flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: String(v) })]));
  const param = n.node_type === "Event" ? "event" : "claimant";
  const r = await call(`/api/claims?${new URLSearchParams({ [param]: n.iri, limit: "100", sort: "date" })}`);
  const list = $("#node-claims");
  $("#node-claims-title").hidden = false;
  if (!r.ok) { list.replaceChildren(el("li", { text: errorText(r) })); return; }
  $("#node-claims-title").textContent = `Claims ${param === "event" ? "about this event" : "by this actor"} (${r.body.total})`;
  list.replaceChildren(...r.body.rows.map((c) => el("li", {},
    el("strong", { text: `${c.date || "undated"} · ${c.claimant.label}: ` }), c.spans[0].exact, " ",
    el("button", { type: "button", onclick: () => { showView("claims"); openArticle(c); } }, "open article"))));
}

/* ----------------------------------------------------------------- query ---- */

const KEYWORDS = new Set(("select construct describe ask where filter optional union minus graph service bind values " +
  "prefix base order by group having limit offset distinct reduced as from named not exists in a asc desc " +
  "count sum min max avg sample group_concat separator str lang langmatches datatype bound iri uri bnode " +
  "regex replace concat contains strstarts strends lcase ucase coalesce if year month day now true false " +
  "insert delete data with using load clear drop create add move copy default all silent").split(" "));
const TOKEN = /(#[^\n]*)|("""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z0-9_\u00B7-\uFFFF]+)|([A-Za-z][\w-]*(?:\.[\w-]+)*)?:((?:[\w\-.%]|\\.)*[\w\-%])?|(\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)|([A-Za-z_][\w]*)/gu;

function escapeHtml(s) { return s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" }[c])); }

/** SPARQL text -> HTML with token classes (comments, strings, IRIs, variables, prefixed names, keywords, numbers). */
function highlight(text) {
  let out = "", last = 0, m;
  TOKEN.lastIndex = 0;
  while ((m = TOKEN.exec(text)) !== null) {
    if (m[0] === "") { TOKEN.lastIndex++; continue; }
    out += escapeHtml(text.slice(last, m.index));
    let cls = null;
    if (m[1]) cls = "com"; else if (m[2]) cls = "str"; else if (m[3]) cls = "iri"; else if (m[4]) cls = "var";
    else if (m[0].includes(":") && m[7] === undefined && m[8] === undefined) cls = "pfx";
    else if (m[7]) cls = "num"; else if (m[8] && KEYWORDS.has(m[8].toLowerCase())) cls = "kw";
    out += cls ? `<span class="tok-${cls}">${escapeHtml(m[0])}</span>` : escapeHtml(m[0]);
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last)) + "\n";
}

const query = { examples: [], last: null };

function syncEditor() {
  const input = $("#editor-input");
  $("#editor-code").innerHTML = highlight(input.value);
  const pre = $(".editor-hl");
  pre.scrollTop = input.scrollTop;
  pre.scrollLeft = input.scrollLeft;
}

async function initQuery() {
  const input = $("#editor-input");
  input.addEventListener("input", syncEditor);
  input.addEventListener("scroll", syncEditor);
  input.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); runEditor(); } });
  syncEditor();
  $("#query-run").addEventListener("click", runEditor);
  $("#example-run").addEventListener("click", runExample);
  $("#query-csv").addEventListener("click", () => query.last && download("results.csv", "text/csv", resultsCsv(query.last)));
  $("#query-json").addEventListener("click", () => query.last && download("results.json", "application/sparql-results+json", JSON.stringify(query.last, null, 2)));
  const r = await call("/api/examples");
  if (!r.ok) { $("#query-status").textContent = errorText(r); return; }
  query.examples = r.body;
  const select = $("#example-select");
  fillSelect(select, r.body, (q) => q.name, (q) => q.title);
  select.addEventListener("change", () => loadExample(select.value));
}

function defaultParam(p) {
  const f = state.facets || { events: [], claimants: [] };
  if (p.name === "event" && f.events.length) return f.events.slice().sort((a, b) => b.count - a.count)[0].iri;
  if (p.name === "actor" && f.claimants.length) return f.claimants.slice().sort((a, b) => b.count - a.count)[0].iri;
  return "";
}

function loadExample(name) {
  const q = query.examples.find((x) => x.name === name);
  const holder = $("#example-params");
  if (!q) { holder.replaceChildren(); $("#example-description").textContent = ""; return; }
  $("#editor-input").value = q.text;
  syncEditor();
  $("#example-description").textContent = q.description;
  holder.replaceChildren(...q.params.map((p) => el("label", {}, `${p.name}${p.required ? "" : " (optional)"}`,
    el("input", { name: p.name, "data-param": p.name, size: 48, value: p.required ? defaultParam(p) : "", title: p.description, "aria-description": p.description }))));
}

const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";

async function runEditor() {
  await showResults(call("/sparql", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: ACCEPT },
    body: new URLSearchParams({ query: $("#editor-input").value }) }));
}

async function runExample() {
  const name = $("#example-select").value;
  if (!name) { $("#query-status").textContent = "Choose a named query first."; return; }
  const params = new URLSearchParams();
  for (const input of $$("[data-param]")) if (input.value.trim()) params.set(input.dataset.param, input.value.trim());
  await showResults(call(`/queries/${encodeURIComponent(name)}?${params}`, { headers: { Accept: ACCEPT } }));
}

function termText(t) {
  if (!t) return "";
  if (t.type === "uri") return shortIri(t.value);
  if (t.type === "bnode") return `_:${t.value}`;
  return t.value;
}

/** Labels of IRIs (from the store), for result tables that name things instead of showing IRIs. */
async function iriLabels(iris) {
  const wanted = [...new Set(iris)].slice(0, 5000);
  if (!wanted.length) return new Map();
  const r = await call("/api/labels", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ iris: wanted }) });
  return new Map(r.ok ? Object.entries(r.body) : []);
}

/** A result cell: an IRI shows its label (its short form when it has none), the IRI itself on hover. */
function resultCell(t, labels) {
  if (!t) return el("td", {});
  if (t.type === "uri") {
    const label = labels.get(t.value);
    return el("td", { class: label ? "named" : "iri", title: t.value, "data-iri": t.value, text: label || shortIri(t.value) });
  }
  return el("td", { text: termText(t), title: t.datatype ? shortIri(t.datatype) : null });
}

function resultsCsv(json) {
  const vars = json.head.vars;
  const esc = (s) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [vars.join(",")];
  for (const b of json.results.bindings) lines.push(vars.map((v) => esc(b[v] ? b[v].value : "")).join(","));
  return lines.join("\r\n") + "\r\n";
}

async function showResults(pending) {
  const status = $("#query-status"), error = $("#query-error"), table = $("#query-results"), graph = $("#query-graph");
  status.textContent = "Running…";
  error.hidden = true;
  graph.hidden = true;
  $("#query-csv").disabled = $("#query-json").disabled = true;
  const r = await pending;
  table.tHead.replaceChildren();
  table.tBodies[0].replaceChildren();
  if (!r.ok) {
    status.textContent = `The endpoint refused the query (HTTP ${r.status}).`;
    error.hidden = false;
    error.textContent = typeof r.body === "object" ? `${errorText(r)}\n\n${JSON.stringify(r.body, null, 2)}` : errorText(r);
    return;
  }
  if (typeof r.body === "object" && "boolean" in r.body) {
    status.textContent = `ASK: ${r.body.boolean}`;
    return;
  }
  if (typeof r.body === "object" && r.body.head) {
    query.last = r.body;
    const vars = r.body.head.vars, rows = r.body.results.bindings;
    const labels = await iriLabels(rows.flatMap((b) => vars.map((v) => b[v]).filter((t) => t && t.type === "uri").map((t) => t.value)));
    table.tHead.append(el("tr", {}, vars.map((v) => el("th", { scope: "col", text: `?${v}` }))));
    table.tBodies[0].append(...rows.map((b) => el("tr", {}, vars.map((v) => resultCell(b[v], labels)))));
    status.textContent = `${rows.length} rows.`;
    $("#query-csv").disabled = $("#query-json").disabled = false;
    return;
  }
  graph.hidden = false;
  graph.textContent = r.raw;
  status.textContent = "Graph result (Turtle).";
}

/* -------------------------------------------------------- add an article ---- */

function articleBody() {
  const form = $("#add-form");
  const body = { text: form.text.value };
  for (const name of ["title", "published", "publisher", "url", "file_name", "date_basis"]) if (form[name].value.trim()) body[name] = form[name].value.trim();
  return body;
}

function addMessage(text, isError) {
  $("#add-status").textContent = isError ? "" : text;
  $("#add-error").hidden = !isError;
  $("#add-error").textContent = isError ? text : "";
}

function tokenHeaders() {
  const token = $("#add-form").token.value;
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

/** Put an article read from a file or an address into the form: its text and metadata. */
function fillArticle(article) {
  const form = $("#add-form");
  form.text.value = article.text || "";
  for (const name of ["title", "published", "publisher", "url", "file_name", "date_basis"]) form[name].value = article[name] || "";
}

async function previewArticle() {
  $("#add-report").hidden = true;
  addMessage("Extracting…", false);
  const body = articleBody();
  const r = await call("/api/extract", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!r.ok) { addMessage(errorText(r), true); return; }
  showExtraction(r.body);
  addMessage(`Preview (nothing stored): ${r.body.claims.length} claims, ${r.body.events.length} events in “${r.body.title}”.`, false);
}

function showExtraction(x) {
  const colours = claimantColours(x.claims);
  legend($("#add-legend"), colours);
  const marks = x.claims.map((c, index) => ({ start: c.start, end: c.end, claimant: c.claimant.iri, index, title: `${c.claimant.label} · ${c.stance}` }));
  renderMarkedText($("#add-text"), x.text, marks, colours, -1);
  $("#add-claims").replaceChildren(...x.claims.map((c) => el("li", {}, el("strong", { text: `${c.claimant.label}` }),
    ` · ${c.stance.replaceAll("_", " ")}${c.date ? ` · ${c.date}` : ""}${c.figures.length ? ` · ${c.figures.map(figureText).join("; ")}` : ""}: `, c.evidence)));
  $("#add-preview-out").hidden = false;
}

/** A chosen text or HTML file: the server reads it like `conflictkg add FILE` (main text, title, site, date). */
async function chooseFile(ev) {
  const file = ev.target.files[0];
  if (!file) return;
  $("#add-report").hidden = true;
  addMessage(`Reading ${file.name}…`, false);
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const r = await call("/api/extract", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ file_base64: btoa(binary), file_name: file.name }) });
  ev.target.value = "";
  if (!r.ok) { addMessage(errorText(r), true); return; }
  fillArticle({ ...r.body.article, text: r.body.text });
  showExtraction(r.body);
  addMessage(`Read ${file.name}: ${r.body.claims.length} claims, ${r.body.events.length} events (nothing stored yet; Commit stores it).`, false);
}

/** Fetch an address (needs the token): a page fills the form; a feed lists its items. */
async function fetchSource() {
  const url = $("#add-source").value.trim();
  if (!url) { addMessage("Give the web address of a page or a feed first.", true); return; }
  $("#add-feed").hidden = true;
  addMessage(`Fetching ${url}…`, false);
  const r = await call("/api/fetch", { method: "POST", headers: tokenHeaders(), body: JSON.stringify({ url }) });
  if (!r.ok) { addMessage(errorText(r), true); return; }
  if (r.body.kind === "page") {
    fillArticle(r.body.article);
    addMessage(`Fetched “${r.body.article.title || url}”${r.body.in_store ? " (already in the store)" : ""}: Preview or Commit it.${r.body.warnings.length ? ` ${r.body.warnings.join(" ")}` : ""}`, false);
    return;
  }
  $("#add-feed").hidden = false;
  $("#add-feed").dataset.url = url;
  $("#add-feed-title").textContent = `${r.body.title || "Feed"}: ${plural(r.body.items.length, "item")}, ${r.body.items.filter((i) => !i.in_store).length} new`;
  $("#add-feed-items").replaceChildren(...r.body.items.map((i) => el("li", { "data-new": String(!i.in_store) },
    el("a", { href: i.url, target: "_blank", rel: "noopener noreferrer", text: i.title || i.url }),
    ` ${i.published || "undated"}${i.in_store ? " · already in the store" : " · new"}`)));
  $("#add-feed-report").replaceChildren();
  addMessage("Feed read: “Add the new items” adds those not in the store yet.", false);
}

async function addFeedItems() {
  const url = $("#add-feed").dataset.url;
  addMessage(`Adding the new items of ${url}…`, false);
  const r = await call("/api/add", { method: "POST", headers: tokenHeaders(), body: JSON.stringify({ url }) });
  if (!r.ok) { addMessage(errorText(r), true); return; }
  $("#add-feed-report").replaceChildren(...r.body.outcomes.map((o) => el("li", { "data-status": o.status },
    el("strong", { text: `${o.status}: ` }), o.status === "added" ? `${o.title || o.source} (${plural(o.claims, "claim")})` : (o.message || o.source))));
  addMessage(`${r.body.added} added, ${r.body.skipped} already in the store, ${r.body.failed} failed.`, r.body.failed > 0 && r.body.added === 0);
  if (r.body.added) { await loadFacets(); state.claims.offset = 0; await loadClaims(); }
}

async function commitArticle(ev) {
  ev.preventDefault();
  $("#add-report").hidden = true;
  addMessage("Committing…", false);
  const r = await call("/api/articles", { method: "POST", headers: tokenHeaders(), body: JSON.stringify(articleBody()) });
  if (r.ok) {
    addMessage(`Stored: article ${r.body.key} with ${plural(r.body.claims, "claim")} and ${plural(r.body.events, "event")} (graph ${r.body.graph}).`, false);
    await loadFacets();
    state.claims.offset = 0;
    await loadClaims();
    return;
  }
  addMessage(errorText(r), true);
  if (r.status === 422 && r.body && r.body.report) {
    $("#add-report").hidden = false;
    $("#add-report-table tbody").replaceChildren(...r.body.report.results.map((x) => el("tr", {},
      el("td", { text: x.severity }), el("td", { text: x.focusNode }), el("td", { text: x.path || "" }),
      el("td", { text: x.value ?? "" }), el("td", { text: x.message }))));
  }
}

function initAdd() {
  $("#add-preview").addEventListener("click", previewArticle);
  $("#add-form").addEventListener("submit", commitArticle);
  $("#add-file").addEventListener("change", chooseFile);
  $("#add-fetch").addEventListener("click", fetchSource);
  $("#add-feed-add").addEventListener("click", addFeedItems);
  $("#add-source").addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); fetchSource(); } });
}

/* ------------------------------------------------------------------ start ---- */

async function start() {
  initTabs();
  initClaims();
  initAdd();
  try {
    await loadFacets();
  } catch (e) {
    $("#claims-status").textContent = String(e.message || e);
  }
  await loadClaims();
  showView(location.hash.slice(1) || "claims");
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
