/* conflictkg workbench: the contested-figures chart (plotly, loaded when the view is first opened).
 * Uses app.js's helpers ($, el, call, errorText, claimantColours, escapeHtml, loadScript, measureWords).
 *
 * What the chart promises a reader:
 * - the x axis is a date axis in days: one tick per day (or per few days), labelled "14 Mar 2018",
 *   never hours; a claim dated 14 March sits inside the band of 14 March, whatever the range;
 * - a closed range is a bar from its lower to its upper bound; an open bound ("more than 200",
 *   "up to 6") is a faded bar that runs to the edge of the axis, ending in an arrow, with the
 *   bound in words beside it;
 * - every figure is labelled with what was written and the group it counts;
 * - a source that changed its own figure is a solid line in its colour through its figures, in date order
 *   (the event's revision lines, from its derived graph), beside a table of what the sources' latest
 *   figures allow (the figure summaries) and the event's reports, which an analyst can merge or split. */
"use strict";

const DAY = 86400000;
const figuresState = { data: null, summary: null, reports: null, articles: null, asked: 0 };

async function initFigures() {
  $("#figures-status").textContent = "Loading the chart library…";
  await loadScript("/vendor/plotly.min.js");
  const select = $("#figures-event");
  fillFigureEvents();
  select.addEventListener("change", () => loadFigures(select.value));
  $("#merge-button").addEventListener("click", mergeEvents);
  $("#figures-measure").addEventListener("change", drawFigures);
  $("#figures-lines").addEventListener("change", drawFigures);
  $("#figures-png").addEventListener("click", () => saveChart("png"));
  $("#figures-svg").addEventListener("click", () => saveChart("svg"));
  if (select.value) await loadFigures(select.value);
}

/** The event choices (most claims first); ``chosen``: the event to select. */
function fillFigureEvents(chosen) {
  const events = (state.facets || { events: [] }).events.slice().sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  const names = distinctLabels(events.map((e) => ({ key: e.iri, label: e.label })));
  figuresState.eventNames = names;
  $("#figures-event").replaceChildren(...events.map((e) => el("option", { value: e.iri, text: `${names.get(e.iri)} (${e.count} claims)`, title: names.get(e.iri) })));
  if (chosen) $("#figures-event").value = chosen;
}

function eventKey(iri) { return iri.replace(/^.*\/id\/event\//, ""); }

async function loadFigures(iri) {
  $("#figures-status").textContent = "Loading figures…";
  const asked = ++figuresState.asked;
  const key = encodeURIComponent(eventKey(iri));
  const [r, summary, reports, articles] = await Promise.all([
    figuresOf(key), call(`/graph/events/${key}/summary`), call(`/graph/events/${key}/reports`),
    figuresState.articles || call("/api/articles")]);
  if (asked !== figuresState.asked) return;  // another event was chosen meanwhile: its answer is the one to show
  if (articles.ok) figuresState.articles = articles;
  figuresState.summary = summary.ok ? summary.body : null;
  figuresState.reports = reports.ok ? reports.body : null;
  showReports(iri);
  if (!r.ok) { $("#figures-status").textContent = errorText(r); return; }
  figuresState.data = r.body;
  const measures = r.body.measures.slice().sort((a, b) => b.figures.length - a.figures.length);
  $("#figures-measure").replaceChildren(...measures.map((m) => el("option", { value: m.measure, text: `${measureWords(m.measure)} (${m.figures.length})` })));
  drawFigures();
}

/** An event's figures. Right after a write (an article added, a merge, a split) the graph's claims view is
 *  rebuilt in the background and may not know a new event for a moment (404): asked again until it does. */
async function figuresOf(key) {
  for (let tries = 0; ; tries++) {
    const r = await call(`/graph/events/${key}/figures`);
    if (r.ok || r.status !== 404 || tries >= 120) return r;
    $("#figures-status").textContent = "The graph is being updated after a write…";
    await new Promise((done) => setTimeout(done, 500));
  }
}

/** Who a figure counts: the population it was assigned to when the graph has one, else the group as written. */
function countedLabel(f) {
  if (f.population && f.population.label) return f.population.label;
  return f.counted_group || "";
}

/** A figure's bounds in words: "more than 200", "at least 12", "up to 6", "24 or more", "about 100", "5". */
function boundWords(f) {
  const q = String(f.qualifier || "").toLowerCase().replace(/_/g, "");
  if (f.low !== null && f.high === null) {
    if (q === "morethan") return `more than ${f.low - 1}`;
    if (q === "atleast") return `at least ${f.low}`;
    return `${f.low} or more`;
  }
  if (f.low === null && f.high !== null) {
    if (q === "lessthan") return `fewer than ${f.high + 1}`;
    return `up to ${f.high}`;
  }
  if (f.low === f.high) return q === "approximately" ? `about ${f.low}` : `${f.low}`;
  return `${f.low} to ${f.high}`;
}

function isOpen(f) { return (f.low === null) !== (f.high === null); }

/** What the chart writes beside a figure: what was written, the bound in words when it says more, and who is counted. */
function figureLabel(f) {
  const words = boundWords(f);
  const written = f.surface.trim().toLowerCase() === words ? f.surface : isOpen(f) ? `${f.surface} (${words})` : f.surface;
  const who = countedLabel(f);
  return who ? `${written} · ${who}` : written;
}

/** Midnight (UTC) of a claim date's day; a year-month stands at its 15th. */
function dayStart(date) {
  const [y, m, d] = date.split("-").map(Number);
  return Date.UTC(y, m - 1, d || 15);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function dayText(ms) { const d = new Date(ms); return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`; }

/** Where each figure stands on the day axis, and the axis' ticks: one band per day, figures of a day
 *  spread inside its band; undated figures in a band of their own after the last day. */
function dayAxis(figs) {
  const dated = figs.filter((f) => f.date).map((f) => dayStart(f.date));
  const first = dated.length ? Math.min(...dated) : Date.UTC(2000, 0, 1);
  const last = dated.length ? Math.max(...dated) : first;
  const undatedDay = last + 2 * DAY;
  const perDay = new Map();
  const day = figs.map((f) => (f.date ? dayStart(f.date) : undatedDay));
  for (const d of day) perDay.set(d, (perDay.get(d) || 0) + 1);
  const seen = new Map();
  const xs = day.map((d) => {
    const k = seen.get(d) || 0;
    seen.set(d, k + 1);
    return d + ((k + 0.5) / perDay.get(d)) * DAY;  // inside [d, d + 1 day)
  });
  const days = Math.round((last - first) / DAY) + 1;
  const step = [1, 2, 3, 7, 14, 28, 56, 91, 182, 365].find((s) => days / s <= 16) || Math.ceil(days / 16);
  const tickvals = [], ticktext = [];
  for (let d = first; d <= last; d += step * DAY) { tickvals.push(d + DAY / 2); ticktext.push(dayText(d)); }
  const hasUndated = figs.some((f) => !f.date);
  if (hasUndated) { tickvals.push(undatedDay + DAY / 2); ticktext.push("undated"); }
  const range = [first - DAY / 2, (hasUndated ? undatedDay : last) + 1.5 * DAY];
  return { xs, tickvals, ticktext, range, undatedDay: hasUndated ? undatedDay : null, bandWidth: DAY };
}

function drawFigures() {
  const data = figuresState.data;
  const chart = $("#figures-chart");
  const m = data && data.measures.find((x) => x.measure === $("#figures-measure").value);
  if (!m) { Plotly.purge(chart); $("#figures-status").textContent = "No figures are claimed about this event."; return; }
  const names = new Map(((state.facets || {}).claimants || []).map((c) => [c.node, c.label]));
  const figs = m.figures.map((f) => ({ ...f, claimant: { ...f.claimant, label: names.get(f.claimant.id) || f.claimant.label } }));
  const measure = measureWords(m.measure);
  const finite = figs.flatMap((f) => [f.low, f.high]).filter((v) => v !== null);
  const top = Math.max(10, ...finite) * 1.18;  // the axis edge open upper bounds run to
  const colours = claimantColours(figs, (f) => f.claimant.id);
  const axis = dayAxis(figs);
  const iso = (ms) => new Date(ms).toISOString();
  const traces = [];
  const anchors = new Map();
  const annotations = [];
  const labelAt = [];
  for (const [iri, c] of colours) {
    const idx = figs.map((f, i) => i).filter((i) => figs[i].claimant.id === iri);
    // Plotly reads a little HTML in texts: the graph's strings are escaped.
    const hover = (i) => {
      const f = figs[i];
      const who = countedLabel(f);
      return `${escapeHtml(f.claimant.label)}<br>“${escapeHtml(f.surface)}”${who ? ` · ${escapeHtml(who)}` : ""}<br>${escapeHtml(boundWords(f))} · ${measure}<br>${f.date || "undated"} · ${escapeHtml(f.source.headline || "")}`;
    };
    const bars = idx.filter((i) => figs[i].low !== figs[i].high);
    if (bars.length) {
      traces.push({
        type: "bar", name: escapeHtml(c.label), legendgroup: iri, showlegend: false,
        x: bars.map((i) => iso(axis.xs[i])),
        base: bars.map((i) => figs[i].low ?? 0),
        y: bars.map((i) => (figs[i].high ?? top) - (figs[i].low ?? 0)),
        width: bars.map(() => axis.bandWidth / Math.max(3, figs.length)),
        marker: { color: c.colour, opacity: bars.map((i) => (isOpen(figs[i]) ? 0.35 : 0.9)), line: { color: "#000", width: 1 } },
        customdata: bars.map((i) => figs[i].id), hovertext: bars.map(hover), hoverinfo: "text",
      });
    }
    const pts = idx.map((i) => {
      const f = figs[i];
      let y, symbol;
      if (f.low !== null && f.high !== null && f.low === f.high) { y = f.low; symbol = f.qualifier === "Exact" ? "circle" : "diamond"; }
      else if (f.high === null) { y = f.low; symbol = "triangle-up"; }
      else if (f.low === null) { y = f.high; symbol = "triangle-down"; }
      else { y = (f.low + f.high) / 2; symbol = "line-ew-open"; }
      anchors.set(f.id, { x: axis.xs[i], y });
      if (isOpen(f)) {  // an arrow from the known bound to the edge of the axis: the bound is open
        annotations.push({ x: iso(axis.xs[i]), y: f.high === null ? top : 0, ax: iso(axis.xs[i]), ay: y, xref: "x", yref: "y",
          axref: "x", ayref: "y", showarrow: true, arrowhead: 2, arrowsize: 1.3, arrowwidth: 1.6, arrowcolor: c.colour,
          text: "", captureevents: false, name: `open-${f.id}` });
      }
      return { i, y, symbol };
    });
    traces.push({
      type: "scatter", mode: "markers", name: escapeHtml(c.label), legendgroup: iri,
      x: pts.map((p) => iso(axis.xs[p.i])), y: pts.map((p) => p.y),
      marker: { color: c.colour, size: 12, symbol: pts.map((p) => p.symbol), line: { color: "#000", width: 1 } },
      customdata: pts.map((p) => figs[p.i].id), hovertext: pts.map((p) => hover(p.i)), hoverinfo: "text", cliponaxis: false,
    });
    for (const p of pts) labelAt.push({ f: figs[p.i], x: axis.xs[p.i], y: p.y });
  }
  const lx = [], ly = [];
  for (const c of m.conflicts) {
    const a = anchors.get(c.first), b = anchors.get(c.second);
    if (!a || !b) continue;
    lx.push(iso(a.x), iso(b.x), null);
    ly.push(a.y, b.y, null);
  }
  if (lx.length && $("#figures-lines").checked) {
    traces.push({ type: "scatter", mode: "lines", name: "conflicting pair", x: lx, y: ly, hoverinfo: "skip",
      line: { color: "rgba(0,0,0,0.45)", dash: "dot", width: 1.2 } });
  }
  const byId = new Map(figs.map((f) => [f.id, f]));
  const revisions = (m.revision_lines || []).map((line) => ({
    figures: line.figures.map((id) => byId.get(id)).filter(Boolean),
    who: line.claimants.map((c) => names.get(c.id) || c.label).join(" / "),
  })).filter((line) => line.figures.length > 1);
  for (const line of revisions) {  // the same source over time: a solid line in its colour, earlier figure first
    const pts = line.figures.map((f) => anchors.get(f.id));
    traces.push({ type: "scatter", mode: "lines", name: `revised by ${escapeHtml(line.who)}`, x: pts.map((p) => iso(p.x)),
      y: pts.map((p) => p.y), customdata: line.figures.map((f) => f.id), hoverinfo: "name",
      line: { color: colours.get(line.figures[0].claimant.id).colour, width: 2.5 } });
  }
  annotations.push(...placeLabels(labelAt, axis.range, top * 1.04, chart.clientWidth - 100, 480 - 120));
  const shapes = [];
  if (axis.undatedDay !== null) {
    const edge = iso(axis.undatedDay - DAY / 2);
    shapes.push({ type: "line", x0: edge, x1: edge, yref: "paper", y0: 0, y1: 1, line: { color: "#999", dash: "dot", width: 1 } });
  }
  const layout = {
    title: { text: `${escapeHtml(data.event.label)}: ${measure} by claim date` },
    barmode: "overlay", bargap: 0, hovermode: "closest", height: 480, margin: { t: 50, r: 40, b: 70, l: 60 },
    xaxis: { type: "date", title: { text: "claim date (days)" }, range: [iso(axis.range[0]), iso(axis.range[1])],
      tickmode: "array", tickvals: axis.tickvals.map(iso), ticktext: axis.ticktext, showgrid: false,
      minor: { tickmode: "array", tickvals: axis.tickvals.map((t) => iso(t - DAY / 2)), showgrid: true, gridcolor: "#e6e6e6" } },
    yaxis: { title: { text: measure }, range: [0, top * 1.04], rangemode: "tozero" },
    legend: { orientation: "h", y: -0.22 },
    annotations,
    shapes,
  };
  Plotly.react(chart, traces, layout, { responsive: true, displaylogo: false, toImageButtonOptions: { format: "svg", filename: "contested-figures" } });
  chart.dataset.figures = String(figs.length);
  chart.dataset.bars = String(figs.filter((f) => f.low !== f.high).length);
  chart.dataset.open = String(figs.filter(isOpen).length);
  chart.dataset.conflicts = String(m.conflicts.length);
  chart.dataset.revisions = String(revisions.length);
  $("#figures-status").textContent = `${figs.length} ${measure} figures from ${colours.size} claimants; ${m.conflicts.length} conflicting pairs; ${plural(revisions.length, "revision line")}.`;
  $("#figures-conflicts").replaceChildren(...m.conflicts.map((c) => {
    const a = byId.get(c.first), b = byId.get(c.second);
    return el("li", {}, `${a.claimant.label}: “${a.surface}”${countedLabel(a) ? ` (${countedLabel(a)})` : ""}, ${a.date || "undated"} vs ${b.claimant.label}: “${b.surface}”${countedLabel(b) ? ` (${countedLabel(b)})` : ""}, ${b.date || "undated"} — ${c.reason}`);
  }));
  $("#figures-revisions").replaceChildren(...(revisions.length ? revisions.map((line) => el("li", {},
    `${line.who}: ${line.figures.map((f) => `“${f.surface}” (${f.date || "undated"})`).join(" → ")}`))
    : [el("li", { class: "note", text: `No source changed its own ${measure} figure.` })]));
  showSummary(m.measure);
  $("#figures-table tbody").replaceChildren(...figs.map((f) => el("tr", {},
    el("td", { text: f.date || "—" }), el("td", { text: f.claimant.label }), el("td", { text: f.surface }),
    el("td", { text: f.low ?? "open" }), el("td", { text: f.high ?? "open" }), el("td", { text: boundWords(f) }),
    el("td", { text: countedLabel(f) }), el("td", { text: f.source.headline || f.source.id }))));
}

/** The figure summaries of the event's derived graph for one measure: per group counted, the range the
 *  sources' latest figures allow, their median, and who stated the bounds. */
function showSummary(measure) {
  const rows = ((figuresState.summary || {}).summaries || []).filter((x) => x.measure === measure);
  const names = new Map(((state.facets || {}).claimants || []).map((c) => [c.node, c.label]));
  const who = (list) => [...new Set(list.map((b) => (b.claimant ? names.get(b.claimant.id) || b.claimant.label : "unnamed")))].join(", ");
  $("#figures-summary tbody").replaceChildren(...rows.map((x) => el("tr", {},
    el("td", { text: x.population.label || x.population.id }), el("td", { text: x.low ?? "open" }),
    el("td", { text: x.best ?? "—" }), el("td", { text: x.high ?? "open" }), el("td", { text: x.sources }),
    el("td", { text: `low: ${who(x.low_from)} · high: ${who(x.high_from)}` }))));
}

/** The event's reports, each with why it was linked and a button to split it out; the events it could merge with. */
function showReports(iri) {
  const body = figuresState.reports;
  const articles = new Map(((figuresState.articles || {}).body || []).map((a) => [a.key, a]));
  const reports = body ? body.reports : [];
  $("#event-reports").replaceChildren(...reports.map((r) => {
    const a = articles.get(r.article);
    const title = a ? `${a.headline || a.file_name}${a.published ? ` (${a.published})` : ""}` : r.article;
    const via = r.linked_to && articles.get(r.linked_to.replace(/-\d+$/, ""));  // a report id is <article key>-<n>
    const through = via ? `“${via.headline || via.file_name}”` : r.linked_to;
    const why = r.linked_to ? `linked through ${through}: ${r.features.join(", ")}${r.score !== null ? `; score ${r.score}` : ""}` : "its first report";
    return el("li", { "data-article": r.article }, el("strong", { text: title }), ` — ${why} `,
      el("button", { type: "button", class: "split", disabled: reports.length < 2, onclick: () => splitReport(iri, r.article) }, "Not this event"));
  }));
  const names = figuresState.eventNames || new Map();
  const others = ((state.facets || {}).events || []).filter((e) => e.iri !== iri);
  $("#merge-other").replaceChildren(el("option", { value: "", text: "another event…" }),
    ...others.map((e) => el("option", { value: e.iri, text: names.get(e.iri) || e.label })));
}

function curationHeaders() {
  const token = $("#event-curation").token.value || $("#add-form").token.value;
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

async function curate(url, body, done) {
  $("#curation-status").textContent = "Writing…";
  const r = await call(url, { method: "POST", headers: curationHeaders(), body: JSON.stringify(body) });
  if (!r.ok) { $("#curation-status").textContent = errorText(r); return; }
  await loadFacets();
  figuresState.articles = null;
  const [iri, text] = done(r.body);
  fillFigureEvents(iri);
  await loadFigures(iri);
  $("#curation-status").textContent = text;
}

async function mergeEvents() {
  const form = $("#event-curation");
  const current = $("#figures-event").value;
  if (!current || !form.other.value) { $("#curation-status").textContent = "Choose the event this one is the same as."; return; }
  await curate("/graph/events/merge", { event: eventKey(current), other: eventKey(form.other.value), note: form.note.value || null },
    (b) => [b.event, `Merged: ${b.label} now has ${plural(b.reports.length, "report")}.`]);
}

async function splitReport(iri, article) {
  const note = $("#event-curation").note.value || null;
  await curate(`/graph/events/${encodeURIComponent(eventKey(iri))}/split`, { article, note },
    (b) => [b.rest.event, `Split: the article is now ${b.split.label}; ${b.rest.label} keeps ${plural(b.rest.reports.length, "report")}.`]);
}

/** Labels beside their figures, each where it overlaps no label placed before it (a greedy search over a
 *  few places around the marker, in approximate pixels of a plot ``width`` x ``height``). */
function placeLabels(items, xRange, yTop, width, height) {
  const px = (x) => ((x - xRange[0]) / (xRange[1] - xRange[0])) * width;
  const py = (y) => height - (y / yTop) * height;
  const placed = items.map(({ x, y }) => ({ x0: px(x) - 8, x1: px(x) + 8, y0: py(y) - 8, y1: py(y) + 8 }));  // the markers
  const overlaps = (b) => placed.some((o) => b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1);
  const out = [];
  const order = items.map((it, i) => i).sort((a, b) => items[a].x - items[b].x || items[b].y - items[a].y);
  for (const i of order) {
    const { f, x, y } = items[i];
    const text = figureLabel(f);
    const w = 6.1 * text.length + 4, h = 14;
    const cx = px(x), cy = py(y);
    let best = null;
    for (const lift of [0, 16, 32, 48, 64]) {
      for (const [dx, dy] of [[9, -9 - lift], [9, 9 + lift], [-9 - w, -9 - lift], [-9 - w, 9 + lift]]) {
        const box = { x0: cx + dx, x1: cx + dx + w, y0: cy + dy - h / 2, y1: cy + dy + h / 2 };
        if (box.x0 < -50 || box.x1 > width + 30 || box.y0 < -10 || box.y1 > height - 2) continue;
        if (!overlaps(box)) { best = { dx, dy, box }; break; }
        if (!best) best = { dx, dy, box, clash: true };
      }
      if (best && !best.clash) break;
    }
    best = best || { dx: 9, dy: -9, box: { x0: cx, x1: cx + w, y0: cy, y1: cy + h } };
    placed.push(best.box);
    out.push({ x: new Date(x).toISOString(), y, xref: "x", yref: "y", showarrow: false, text: escapeHtml(text),
      xanchor: "left", yanchor: "middle", xshift: best.dx, yshift: -best.dy, font: { size: 11 },
      bgcolor: "rgba(255,255,255,0.7)", name: `label-${f.id}`, captureevents: false });
  }
  return out;
}

function saveChart(format) {
  const chart = $("#figures-chart");
  if (!figuresState.data) return;
  const name = `contested-figures-${eventKey(figuresState.data.event.id.replace(/^event\./, ""))}`;
  Plotly.downloadImage(chart, { format, filename: name, width: 1100, height: 520 });
}
