// The Talentflow explorer: a hash-routed page built only on the public GraphQL API.
//   #/flows?level=COUNTRY&...   Sankey of flows + net-flow bars, with filters
//   #/time?level=COUNTRY&o=US&d=CN   moves per quarter for one pair
//   #/researcher/<id>           affiliations, moves with their evidence, candidate matches
//   #/institution/<slug>        inflow/outflow, top origins and destinations, open postings
//   #/live                      the latest moves; new ones also arrive in the Live panel
//   #/rates?years=10            net migration rate and population per country and year
//   #/pipeline?year=2025&country=US   undergraduate → doctorate → work, a three-column Sankey

import { columns, layeredSankey, mirrored, netBars, rateGrid, sankey, smallLegend, timeline } from "./charts.js";
import { clear, debounce, errorBox, fmt, h, loading, outLink } from "./dom.js";
import { query, Subscriptions } from "./gql.js";
import * as Q from "./queries.js";

const SMALL = 5;
const main = document.getElementById("main");
let current = { token: 0, controller: null };
let firstRender = true;

// --- routing ------------------------------------------------------------------------------

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, qs = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { view: parts[0] || "flows", arg: parts[1], params: new URLSearchParams(qs) };
}

function setParams(view, params) {
  const qs = params.toString();
  history.replaceState(null, "", `#/${view}${qs ? `?${qs}` : ""}`);
}

const VIEWS = {
  flows: viewFlows, time: viewTime, rates: viewRates, pipeline: viewPipeline,
  researcher: viewResearcher, institution: viewInstitution, live: viewLive,
};

async function render() {
  const { view, arg, params } = parseHash();
  current.controller?.abort();
  const token = ++current.token;
  const controller = new AbortController();
  current = { token, controller };
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const fn = VIEWS[view] || viewNotFound;
  clear(main, loading());
  const ctx = { signal: controller.signal, alive: () => token === current.token };
  try {
    await fn(main, arg, params, ctx);
  } catch (err) {
    if (err.name === "AbortError" || !ctx.alive()) return;
    clear(main, h("h1", { tabindex: -1 }, "Something went wrong"), errorBox(err));
  }
  if (!ctx.alive()) return;
  const title = main.querySelector("h1");
  document.title = title ? `${title.textContent} · Talentflow` : "Talentflow explorer";
  if (!firstRender && title) {
    title.setAttribute("tabindex", "-1");
    title.focus({ preventScroll: false });
  }
  firstRender = false;
  main.dataset.ready = view;
}

function viewNotFound(el) {
  clear(el, h("h1", {}, "Not found"), h("p", {}, "No such page. ", h("a", { href: "#/flows" }, "Back to the flows.")));
}

// --- helpers --------------------------------------------------------------------------------

const LEVELS = [["COUNTRY", "Countries"], ["PARENT", "Organisations"], ["INSTITUTION", "Institutions and sites"]];
const KINDS = [
  ["", "Any kind"],
  ["ACADEMIA_TO_INDUSTRY", "Academia → industry"],
  ["INDUSTRY_TO_ACADEMIA", "Industry → academia"],
  ["INDUSTRY_TO_INDUSTRY", "Industry → industry"],
  ["ACADEMIA_TO_ACADEMIA", "Academia → academia"],
];

function select(name, label, options, value) {
  return h("label", {}, label,
    h("select", { name }, options.map(([v, t]) => h("option", { value: v, selected: v === value }, t))));
}

// A flow end from the API, as {key, label}; null is an unknown origin or destination.
function end(value) {
  if (value === null || value === undefined) return { key: "", label: "Unknown" };
  if (typeof value !== "object") return { key: String(value), label: String(value) };
  const key = value.key ?? value.code ?? value.slug ?? value.id ?? "";
  return { key: String(key), label: value.name || value.label || String(key) || "Unknown" };
}

function cellsFrom(rows) {
  return rows.map((r) => ({ origin: end(r.origin), destination: end(r.destination), period: r.period, count: r.count, small: r.small ?? r.count < SMALL }));
}

function institutionLink(inst) {
  if (!inst) return h("span", { class: "unknown" }, "unknown");
  return h("a", { href: `#/institution/${encodeURIComponent(inst.slug)}` }, inst.name);
}

function place(inst, country) {
  if (inst) return [institutionLink(inst), inst.country ? ` (${inst.country.code})` : ""];
  return country ? `${country.name}` : h("span", { class: "unknown" }, "unknown");
}

function researcherLink(r) {
  return h("a", { href: `#/researcher/${encodeURIComponent(r.id)}`, class: "researcher" }, r.name, r.nativeName ? ` ${r.nativeName}` : "");
}

function moveDate(m) {
  return m.date ? fmt.date(m.date.date, m.date.precision) : "date unknown";
}

function moveLine(m, { withResearcher = true } = {}) {
  return h("li", { "data-move": m.id },
    h("div", { class: "move-head" },
      withResearcher ? [researcherLink(m.researcher), ": "] : "",
      place(m.from, m.fromCountry), " → ", place(m.to, m.toCountry)),
    h("div", { class: "meta" }, moveDate(m), " · ", fmt.kind(m.kind), " · ", fmt.kind(m.status), " · confidence ", fmt.pct(m.confidence),
      m.provisional ? h("span", { class: "badge provisional" }, "provisional") : ""));
}

function tableToggle(label, buildTable) {
  const id = `t-${Math.random().toString(36).slice(2, 8)}`;
  const box = h("div", { id, hidden: true });
  const btn = h("button", { type: "button", "aria-expanded": "false", "aria-controls": id }, `Show ${label} as a table`);
  btn.addEventListener("click", () => {
    const open = btn.getAttribute("aria-expanded") !== "true";
    btn.setAttribute("aria-expanded", String(open));
    btn.textContent = `${open ? "Hide" : "Show"} ${label} as a table`;
    if (open && !box.firstChild) box.append(buildTable());
    box.hidden = !open;
  });
  return { btn, box };
}

function flowTable(cells) {
  return h("table", {},
    h("caption", { class: "visually-hidden" }, "Moves per origin and destination"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "From"), h("th", { scope: "col" }, "To"), h("th", { scope: "col", class: "num" }, "Moves"))),
    h("tbody", {}, [...cells].sort((a, b) => b.count - a.count).map((c) =>
      h("tr", { class: c.small ? "small" : null },
        h("td", {}, c.origin.label), h("td", {}, c.destination.label),
        h("td", { class: "num" }, fmt.int(c.count), c.small ? h("span", { class: "visually-hidden" }, " (small number)") : "")))));
}

// --- flows ----------------------------------------------------------------------------------

function flowFilter(params) {
  const f = {};
  if (params.get("from")) f.dateFrom = params.get("from");
  if (params.get("to")) f.dateTo = params.get("to");
  if (params.get("kind")) f.kind = [params.get("kind")];
  if (params.get("cross") === "1") f.crossBorderOnly = true;
  if (params.get("conf")) f.minConfidence = Number(params.get("conf"));
  if (params.get("topic")) f.topic = params.get("topic").split(",").map((t) => t.trim()).filter(Boolean);
  return f;
}

async function viewFlows(el, _arg, params, ctx) {
  const level = params.get("level") || "COUNTRY";
  const year = new Date().getUTCFullYear();
  const years = [["", "Any time"]];
  for (let y = year; y >= year - 9; y--) years.push([String(y), String(y)]);
  const form = h("form", { class: "filters", "aria-label": "Filters", onsubmit: (e) => e.preventDefault() },
    select("level", "Between", LEVELS, level),
    select("year", "Year", years, params.get("year") || ""),
    h("label", {}, "From date", h("input", { type: "date", name: "from", value: params.get("from") || "" })),
    h("label", {}, "To date", h("input", { type: "date", name: "to", value: params.get("to") || "" })),
    select("kind", "Kind of move", KINDS, params.get("kind") || ""),
    select("conf", "Minimum confidence", [["", "Any"], ["0.5", "50%"], ["0.7", "70%"], ["0.9", "90%"]], params.get("conf") || ""),
    h("label", {}, "Topic", h("input", { type: "text", name: "topic", placeholder: "e.g. reinforcement learning", value: params.get("topic") || "" })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "cross", id: "cross-border", checked: params.get("cross") === "1" }), "Cross-border only"));
  const chart = h("div", { id: "flows-chart", "aria-busy": "true" });
  const net = h("div", { id: "net-chart" });
  const pair = h("section", { id: "pair", class: "panel", "aria-labelledby": "pair-title", hidden: true });
  const tableSlot = h("div");
  clear(el,
    h("h1", {}, "Where AI researchers move"),
    h("p", { class: "hint" }, "Each band is the number of researchers who moved from one place (left) to another (right). Hover or focus a band for its count; choose it to see the people and the evidence."),
    form,
    h("section", { "aria-labelledby": "flows-title" },
      h("h2", { id: "flows-title" }, "Flows"),
      smallLegend(SMALL), tableSlot, chart),
    pair,
    h("section", { "aria-labelledby": "net-title" },
      h("h2", { id: "net-title" }, "Net flow"),
      h("p", { class: "hint" }, "Arrivals minus departures; moves within one place are left out."),
      net));

  const state = new URLSearchParams(params);
  const load = async () => {
    const lvl = state.get("level") || "COUNTRY";
    chart.setAttribute("aria-busy", "true");
    const data = await query(Q.FLOWS, { level: lvl, period: "ALL", filter: flowFilter(state) }, { signal: ctx.signal });
    if (!ctx.alive()) return;
    const cells = cellsFrom(data.flows);
    const t = tableToggle("the flows", () => flowTable(cells));
    clear(tableSlot, h("div", { class: "toolbar" }, t.btn, h("span", { class: "note", id: "flows-total" }, `${fmt.int(cells.reduce((a, c) => a + c.count, 0))} moves in ${cells.length} flows`)), t.box);
    clear(chart, sankey(cells, { width: chart.clientWidth || 760, title: "Flows between origins and destinations", onSelect: (link) => showPair(pair, lvl, link, state, ctx) }));
    chart.setAttribute("aria-busy", "false");
    const rows = data.netFlows.map((r) => ({ ...end(r.entity), inflow: r.inflow, outflow: r.outflow, net: r.net }));
    clear(net, netBars(rows, {
      width: net.clientWidth || 760,
      title: "Net flow per place",
      onSelect: lvl === "COUNTRY" ? null : (r) => (location.hash = `#/institution/${encodeURIComponent(r.slug || r.key)}`),
    }));
  };
  const onChange = async (e) => {
    const fd = new FormData(form);
    if (e && e.target.name === "year") {
      const y = fd.get("year");
      form.elements.from.value = y ? `${y}-01-01` : "";
      form.elements.to.value = y ? `${y}-12-31` : "";
    } else if (e && (e.target.name === "from" || e.target.name === "to")) {
      form.elements.year.value = "";
    }
    const next = new URLSearchParams();
    for (const k of ["level", "year", "from", "to", "kind", "conf", "topic"]) {
      const v = form.elements[k].value;
      if (v) next.set(k, v);
    }
    if (form.elements.cross.checked) next.set("cross", "1");
    for (const k of [...state.keys()]) state.delete(k);
    for (const [k, v] of next) state.set(k, v);
    setParams("flows", state);
    pair.hidden = true;
    try {
      await load();
    } catch (err) {
      if (err.name !== "AbortError") clear(chart, errorBox(err));
    }
  };
  form.addEventListener("change", onChange);
  form.elements.topic.addEventListener("input", debounce(onChange, 400));
  await load();
}

async function showPair(panel, level, link, state, ctx) {
  const filter = flowFilter(state);
  const o = link.origin.key, d = link.destination.key;
  if (level === "COUNTRY") {
    if (o) filter.fromCountry = [o];
    if (d) filter.toCountry = [d];
  } else {
    if (o) filter.fromInstitution = o;
    if (d) filter.toInstitution = d;
  }
  panel.hidden = false;
  clear(panel, h("h2", { id: "pair-title", tabindex: -1 }, `${link.origin.label} → ${link.destination.label}`), loading());
  panel.querySelector("h2").focus();
  try {
    const data = await query(Q.PAIR_MOVES, { filter, first: 50 }, { signal: ctx.signal });
    const conn = data.moves;
    const list = h("ul", { class: "moves" }, conn.nodes
      .filter((m) => level !== "COUNTRY" || (!o || m.fromCountry?.code === o) && (!d || m.toCountry?.code === d))
      .map((m) => moveLine(m)));
    clear(panel,
      h("h2", { id: "pair-title", tabindex: -1 }, `${link.origin.label} → ${link.destination.label}`),
      h("p", { class: "meta" }, `${fmt.int(conn.totalCount)} moves`, conn.pageInfo.hasNextPage ? " (the latest 50 shown)" : "", " · ",
        h("a", { href: `#/time?level=${level}&o=${encodeURIComponent(o)}&d=${encodeURIComponent(d)}` }, "this pair over time")),
      list,
      h("button", { type: "button", onclick: () => (panel.hidden = true) }, "Close"));
  } catch (err) {
    if (err.name !== "AbortError") panel.append(errorBox(err));
  }
}

// --- time -----------------------------------------------------------------------------------

function quarters(from, to) {
  const out = [];
  let [y, q] = [Number(from.slice(0, 4)), Math.floor((Number(from.slice(5, 7)) - 1) / 3)];
  const [ty, tq] = [Number(to.slice(0, 4)), Math.floor((Number(to.slice(5, 7)) - 1) / 3)];
  while (y < ty || (y === ty && q <= tq)) {
    out.push(`${y}-${String(q * 3 + 1).padStart(2, "0")}-01`);
    if (++q === 4) [y, q] = [y + 1, 0];
  }
  return out;
}

async function viewTime(el, _arg, params, ctx) {
  const level = params.get("level") || "COUNTRY";
  const data = await query(Q.SERIES, { level, filter: {} }, { signal: ctx.signal });
  const cells = cellsFrom(data.flows);
  const totals = (which) => {
    const m = new Map();
    for (const c of cells) {
      const t = m.get(c[which].key) || { ...c[which], n: 0 };
      t.n += c.count;
      m.set(c[which].key, t);
    }
    return [...m.values()].sort((a, b) => b.n - a.n);
  };
  const origins = totals("origin"), dests = totals("destination");
  const byPair = new Map();
  for (const c of cells) byPair.set(`${c.origin.key}>${c.destination.key}`, (byPair.get(`${c.origin.key}>${c.destination.key}`) || 0) + c.count);
  const top = [...byPair.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]?.split(">") || ["", ""];
  let o = params.get("o") ?? (level === "COUNTRY" && origins.some((x) => x.key === "US") ? "US" : top[0]);
  let d = params.get("d") ?? (level === "COUNTRY" && o === "US" && dests.some((x) => x.key === "CN") ? "CN" : "");
  const opt = (list, value, any) => [...(any ? [["", any]] : []), ...list.map((x) => [x.key, `${x.label} (${fmt.int(x.n)})`])]
    .map(([v, t]) => h("option", { value: v, selected: v === value }, t));
  const form = h("form", { class: "filters", "aria-label": "Pair", onsubmit: (e) => e.preventDefault() },
    select("level", "Between", LEVELS.slice(0, 2), level),
    h("label", {}, "From", h("select", { name: "o" }, opt(origins, o, "Anywhere"))),
    h("label", {}, "To", h("select", { name: "d" }, opt(dests, d, "Anywhere"))),
    h("div", { class: "field" }, "\u00a0", h("button", { type: "button", name: "swap" }, "Swap directions")));
  const out = h("div", { id: "time-chart" });
  clear(el,
    h("h1", {}, "Moves over time"),
    h("p", { class: "hint" }, "Moves per quarter for one direction. A move known only to the year counts in its first quarter."),
    form, out);
  const draw = () => {
    const picked = cells.filter((c) => c.period && (!o || c.origin.key === o) && (!d || c.destination.key === d));
    const per = new Map();
    for (const c of picked) per.set(String(c.period).slice(0, 10), (per.get(String(c.period).slice(0, 10)) || 0) + c.count);
    const keys = [...per.keys()].sort();
    const qs = keys.length ? quarters(keys[0], keys[keys.length - 1]) : [];
    const points = qs.map((k) => ({ label: fmt.quarter(k), value: per.get(k) || 0, small: (per.get(k) || 0) > 0 && (per.get(k) || 0) < SMALL }));
    const name = (list, k) => (k ? list.find((x) => x.key === k)?.label || k : "anywhere");
    const title = `${name(origins, o)} → ${name(dests, d)}`;
    const t = tableToggle("the series", () => h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Quarter"), h("th", { scope: "col", class: "num" }, "Moves"))),
      h("tbody", {}, points.map((p) => h("tr", { class: p.small ? "small" : null }, h("td", {}, p.label), h("td", { class: "num" }, fmt.int(p.value)))))));
    clear(out,
      h("h2", {}, title),
      h("p", { class: "meta" }, `${fmt.int(points.reduce((a, p) => a + p.value, 0))} dated moves`),
      columns(points, { title: `Moves per quarter, ${title}` }),
      smallLegend(SMALL),
      h("div", { class: "toolbar" }, t.btn), t.box);
  };
  const sync = () => {
    const p = new URLSearchParams({ level });
    p.set("o", o);
    p.set("d", d);
    setParams("time", p);
  };
  form.addEventListener("change", (e) => {
    if (e.target.name === "level") {
      location.hash = `#/time?level=${e.target.value}`;
      return;
    }
    o = form.elements.o.value;
    d = form.elements.d.value;
    sync();
    draw();
  });
  form.elements.swap.addEventListener("click", () => {
    [o, d] = [d, o];
    if (![...form.elements.o.options].some((x) => x.value === o)) o = "";
    if (![...form.elements.d.options].some((x) => x.value === d)) d = "";
    form.elements.o.value = o;
    form.elements.d.value = d;
    sync();
    draw();
  });
  draw();
}

// --- rates ----------------------------------------------------------------------------------

const YEAR_SPANS = [["5", "Last 5 years"], ["10", "Last 10 years"], ["20", "Last 20 years"]];

// One cell per (country, year) with a population or a move: net flows carry their population
// and rates; a population with no move in or out has a net rate of 0.
function rateCells(netFlows, populations, first, last) {
  const cells = new Map();
  const names = new Map();
  for (const p of populations) {
    if (p.year < first || p.year > last) continue;
    names.set(p.entity.code, p.entity.name);
    cells.set(`${p.entity.code}\u0000${p.year}`, {
      key: p.entity.code, year: p.year, population: p.population, inflow: 0, outflow: 0,
      rate: p.population > 0 ? 0 : null, small: p.small,
    });
  }
  for (const r of netFlows) {
    const year = r.period ? Number(String(r.period).slice(0, 4)) : null;
    if (year === null || year < first || year > last) continue;
    names.set(r.entity.code, r.entity.name);
    cells.set(`${r.entity.code}\u0000${year}`, {
      key: r.entity.code, year, population: r.population, inflow: r.inflow, outflow: r.outflow,
      rate: r.netRate, small: r.small,
    });
  }
  return { cells: [...cells.values()], names };
}

async function viewRates(el, _arg, params, ctx) {
  const span = params.get("years") || "10";
  const last = new Date().getUTCFullYear();
  const first = last - Number(span) + 1;
  const form = h("form", { class: "filters", "aria-label": "Span", onsubmit: (e) => e.preventDefault() },
    select("years", "Years", YEAR_SPANS, span));
  const out = h("div", { id: "rates-chart", "aria-busy": "true" });
  clear(el,
    h("h1", {}, "Net migration rate per country"),
    h("p", { class: "hint" }, "For each country and year: arrivals minus departures over the country's researcher population that year (MPIDR's net migration rate), with the population beneath. Moves within a country are left out. Hatched cells rest on few moves or a population under 20: read with care."),
    form,
    out);
  form.addEventListener("change", () => {
    const next = new URLSearchParams({ years: form.elements.years.value });
    location.hash = `#/rates?${next}`;
  });
  const data = await query(Q.RATES, { filter: { dateFrom: `${first}-01-01` }, yearFrom: first, yearTo: last }, { signal: ctx.signal });
  if (!ctx.alive()) return;
  const { cells, names } = rateCells(data.netFlows, data.populations, first, last);
  const years = [...new Set(cells.map((c) => c.year))].sort((a, b) => a - b);
  const span0 = years.length ? years[0] : first;
  const allYears = [];
  for (let y = span0; years.length && y <= years[years.length - 1]; y++) allYears.push(y);
  const latest = (key) => {
    const mine = cells.filter((c) => c.key === key).sort((a, b) => b.year - a.year);
    return mine.length ? mine[0].population ?? 0 : 0;
  };
  const rows = [...names.entries()].map(([key, label]) => ({ key, label, n: latest(key) }))
    .sort((a, b) => b.n - a.n || a.label.localeCompare(b.label));
  const MAX = 20;
  const shown = rows.slice(0, MAX);
  const t = tableToggle("the rates", () => h("table", {},
    h("caption", { class: "visually-hidden" }, "Net migration rate and population per country and year"),
    h("thead", {}, h("tr", {}, ["Country", "Year", "Population", "In", "Out", "Net rate"].map((x, i) => h("th", { scope: "col", class: i > 1 ? "num" : null }, x)))),
    h("tbody", {}, [...cells].sort((a, b) => a.key.localeCompare(b.key) || a.year - b.year).map((c) =>
      h("tr", { class: c.small ? "small" : null },
        h("td", {}, names.get(c.key) || c.key), h("td", {}, String(c.year)),
        h("td", { class: "num" }, fmt.int(c.population ?? 0)), h("td", { class: "num" }, fmt.int(c.inflow)),
        h("td", { class: "num" }, fmt.int(c.outflow)), h("td", { class: "num" }, c.rate === null ? "–" : fmt.rate(c.rate)))))));
  clear(out,
    h("div", { class: "toolbar" }, t.btn, h("span", { class: "note", id: "rates-total" }, `${fmt.int(rows.length)} countries, ${years.length ? `${allYears[0]}–${allYears[allYears.length - 1]}` : "no years"}`)),
    t.box,
    rateGrid(shown, allYears, cells.filter((c) => shown.some((r) => r.key === c.key)), { width: out.clientWidth || 760, title: "Net migration rate per country and year" }),
    rows.length > MAX ? h("p", { class: "note" }, `Showing the ${MAX} largest populations of ${rows.length} countries; the table has them all.`) : "",
    h("p", { class: "legend" }, h("span", { class: "swatch gain" }), " gains researchers  ", h("span", { class: "swatch loss" }), " loses researchers  – no population known"));
  out.setAttribute("aria-busy", "false");
}

// --- pipeline -------------------------------------------------------------------------------

const STAGES = [["undergraduate", "Undergraduate"], ["doctorate", "Doctorate"], ["current", "Work"]];

function countryLabel(code) {
  return code ?? "Unknown";
}

async function viewPipeline(el, _arg, params, ctx) {
  const now = new Date().getUTCFullYear();
  const year = Number(params.get("year")) || now;
  const country = (params.get("country") || "").toUpperCase();
  const years = [];
  for (let y = now; y >= now - 14; y--) years.push([String(y), String(y)]);
  if (!years.some(([v]) => v === String(year))) years.push([String(year), String(year)]);
  const form = h("form", { class: "filters", "aria-label": "Cohort", onsubmit: (e) => e.preventDefault() },
    select("year", "Working in the year", years, String(year)),
    h("label", {}, "Working in the country", h("input", { type: "text", name: "country", placeholder: "any, e.g. US", maxlength: 2, value: country })));
  const out = h("div", { id: "pipeline-chart", "aria-busy": "true" });
  clear(el,
    h("h1", {}, "Talent pipeline"),
    h("p", { class: "hint" }, "Where the researchers working in a year took their first bachelor's degree and their last doctorate, and where they work: each band is a group of researchers. Unknown: the sources do not say."),
    form,
    out);
  const go = () => {
    const next = new URLSearchParams({ year: form.elements.year.value });
    const c = form.elements.country.value.trim().toUpperCase();
    if (c) next.set("country", c);
    location.hash = `#/pipeline?${next}`;
  };
  form.addEventListener("change", go);
  const data = await query(Q.PIPELINE, { year, countries: country ? [country] : null }, { signal: ctx.signal });
  if (!ctx.alive()) return;
  const p = data.pipeline;
  const key = (c) => c ?? "";
  const cols = STAGES.map(([stage, title]) => ({
    key: stage,
    title,
    nodes: p[stage].map((x) => ({ key: key(x.country), label: countryLabel(x.country), total: x.count })),
  }));
  const links = [];
  for (const [from, a, b] of [[0, "undergraduate", "doctorate"], [1, "doctorate", "current"]]) {
    for (const path of p.paths) links.push({ from, source: key(path[a]), target: key(path[b]), count: path.count });
  }
  const t = tableToggle("the pipeline", () => h("table", {},
    h("caption", { class: "visually-hidden" }, "Researchers by undergraduate, doctorate and work country"),
    h("thead", {}, h("tr", {}, ["Undergraduate", "Doctorate", "Work", "Researchers", "Share"].map((x, i) => h("th", { scope: "col", class: i > 2 ? "num" : null }, x)))),
    h("tbody", {}, p.paths.map((x) => h("tr", {},
      h("td", {}, countryLabel(x.undergraduate)), h("td", {}, countryLabel(x.doctorate)), h("td", {}, countryLabel(x.current)),
      h("td", { class: "num" }, fmt.int(x.count)), h("td", { class: "num" }, fmt.pct(x.share)))))));
  clear(out,
    h("div", { class: "toolbar" }, t.btn, h("span", { class: "note", id: "pipeline-total" }, `${fmt.int(p.total)} researcher${p.total === 1 ? "" : "s"} working ${country ? `in ${country} ` : ""}in ${p.year}`)),
    t.box,
    layeredSankey(cols, links, { width: out.clientWidth || 760, title: `Pipeline of the researchers working ${country ? `in ${country} ` : ""}in ${p.year}` }));
  out.setAttribute("aria-busy", "false");
}

// --- researcher -----------------------------------------------------------------------------

function year(pd) {
  return pd ? Number(String(pd.date).slice(0, 4)) : null;
}

function evidenceItem(ev) {
  const doc = ev.document || {};
  return h("li", { class: "evidence" },
    ev.quote ? h("blockquote", { class: "quote" }, ev.quote) : h("p", { class: "meta" }, "No quote: a structured record."),
    h("p", { class: "source" },
      doc.publisher || fmt.kind(doc.kind), doc.publishedAt ? ` · ${fmt.date(doc.publishedAt, "day")}` : "", " · ",
      doc.url ? outLink(doc.url, doc.title || doc.url, { target: "_blank" }) : doc.title || "",
      ` · read by ${ev.extractor}`));
}

async function viewResearcher(el, id, _params, ctx) {
  const data = await query(Q.RESEARCHER, { id }, { signal: ctx.signal });
  const r = data.researcher;
  if (!r) {
    clear(el, h("h1", {}, "Researcher not found"), h("p", {}, "No researcher with this id. ", h("a", { href: "#/flows" }, "Back to the flows.")));
    return;
  }
  const stints = r.affiliations.map((a) => ({
    label: a.institution.name,
    start: year(a.start) ?? (a.years.length ? Math.min(...a.years) : null),
    end: a.current ? null : year(a.end) ?? (a.years.length ? Math.max(...a.years) : null),
  }));
  const facts = [
    ["ORCID", r.orcid ? h("a", { href: `https://orcid.org/${r.orcid}`, rel: "noopener noreferrer" }, r.orcid) : null],
    ["OpenAlex", r.openalexId ? h("a", { href: `https://openalex.org/${r.openalexId}`, rel: "noopener noreferrer" }, r.openalexId) : null],
    ["Works", r.worksCount != null ? fmt.int(r.worksCount) : null],
    ["Citations", r.citedByCount != null ? fmt.int(r.citedByCount) : null],
    ["h-index", r.hIndex],
    ["Also known as", r.aliases.filter((a) => a !== r.name).join(", ") || null],
  ].filter(([, v]) => v !== null && v !== undefined);
  const open = r.candidateMatches.filter((c) => c.status === "OPEN");
  clear(el,
    h("p", { class: "meta" }, h("a", { href: "#/flows" }, "Flows"), " / researcher"),
    h("h1", {}, r.name, r.nativeName ? h("span", { lang: "zh" }, ` ${r.nativeName}`) : ""),
    r.topics.length ? h("ul", { class: "topics", "aria-label": "Topics" }, r.topics.map((t) => h("li", {}, t))) : "",
    facts.length ? h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])) : "",
    h("section", { "aria-labelledby": "aff-title" },
      h("h2", { id: "aff-title" }, "Affiliations"),
      timeline(stints, { title: `Affiliation timeline of ${r.name}` }),
      h("ul", { class: "moves" }, r.affiliations.map((a) => h("li", {},
        institutionLink(a.institution), a.role ? ` · ${a.role}` : "", h("span", { class: "meta" },
          ` · ${a.start ? a.start.text : a.years.length ? Math.min(...a.years) : "?"}–${a.current ? "now" : a.end ? a.end.text : a.years.length ? Math.max(...a.years) : "?"}`))))),
    h("section", { "aria-labelledby": "moves-title" },
      h("h2", { id: "moves-title" }, `Moves (${r.moves.length})`),
      r.moves.length ? h("ul", { class: "moves" }, r.moves.map((m) => {
        const li = moveLine(m, { withResearcher: false });
        li.append(h("h3", { class: "visually-hidden" }, "Evidence"), h("ul", { class: "moves evidence-list" }, m.evidence.map(evidenceItem)));
        return li;
      })) : h("p", { class: "empty" }, "No moves recorded.")),
    r.visits.length ? h("section", { "aria-labelledby": "visits-title" },
      h("h2", { id: "visits-title" }, `Visits (${r.visits.length})`),
      h("p", { class: "meta" }, "Short stays away from home (a visiting year, a sabbatical, a paper at a partner lab): not counted as moves."),
      h("ul", { class: "moves" }, r.visits.map((m) => moveLine(m, { withResearcher: false })))) : "",
    h("section", { "aria-labelledby": "cand-title" },
      h("h2", { id: "cand-title" }, "Possible duplicates awaiting review"),
      open.length ? h("ul", { class: "moves" }, open.map((c) => {
        const other = c.candidate.id === r.id ? c.researcher : c.candidate;
        const reasons = Array.isArray(c.reasons) ? c.reasons.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join("; ") : "";
        return h("li", {}, researcherLink(other), h("span", { class: "meta" }, ` · match score ${fmt.pct(c.score)}${reasons ? ` · ${reasons}` : ""}`));
      })) : h("p", { class: "empty" }, "None.")));
}

// --- institution ----------------------------------------------------------------------------

function topCounts(moves, side) {
  const m = new Map();
  for (const mv of moves) {
    const inst = mv[side];
    const key = inst ? inst.slug : "";
    const t = m.get(key) || { inst, n: 0 };
    t.n += 1;
    m.set(key, t);
  }
  return [...m.values()].sort((a, b) => b.n - a.n).slice(0, 8);
}

async function viewInstitution(el, slug, _params, ctx) {
  const data = await query(Q.INSTITUTION, { slug }, { signal: ctx.signal });
  const inst = data.institution;
  if (!inst) {
    clear(el, h("h1", {}, "Institution not found"), h("p", {}, "No institution with this name. ", h("a", { href: "#/flows" }, "Back to the flows.")));
    return;
  }
  const series = inst.flowSeries.filter((p) => p.period);
  let points = [];
  if (series.length) {
    const keys = series.map((p) => String(p.period).slice(0, 10)).sort();
    const by = new Map(series.map((p) => [String(p.period).slice(0, 10), p]));
    points = quarters(keys[0], keys[keys.length - 1]).map((k) => ({ label: fmt.quarter(k), inflow: by.get(k)?.inflow || 0, outflow: by.get(k)?.outflow || 0 }));
  }
  const ins = inst.movesIn.nodes, outs = inst.movesOut.nodes;
  const topList = (rows, verb) => rows.length
    ? h("ol", {}, rows.map((t) => h("li", {}, t.inst ? institutionLink(t.inst) : "unknown", h("span", { class: "meta" }, ` · ${fmt.int(t.n)}`))))
    : h("p", { class: "empty" }, `No one ${verb} yet.`);
  const recent = [...ins, ...outs].sort((a, b) => String(b.date?.date || "").localeCompare(String(a.date?.date || ""))).slice(0, 12);
  const postings = inst.jobPostings.nodes;
  clear(el,
    h("p", { class: "meta" }, h("a", { href: "#/flows?level=PARENT" }, "Flows"), " / institution"),
    h("h1", {}, inst.name, inst.nativeName ? ` ${inst.nativeName}` : ""),
    h("dl", { class: "facts" },
      h("dt", {}, "Kind"), h("dd", {}, fmt.kind(inst.kind)),
      inst.country ? [h("dt", {}, "Country"), h("dd", {}, inst.country.name, inst.city ? ` · ${inst.city}` : "")] : "",
      inst.parent ? [h("dt", {}, "Part of"), h("dd", {}, institutionLink(inst.parent))] : "",
      inst.children.length ? [h("dt", {}, "Units"), h("dd", {}, inst.children.map((c, i) => [i ? ", " : "", institutionLink(c)]))] : "",
      inst.website ? [h("dt", {}, "Website"), h("dd", {}, outLink(inst.website, inst.website))] : ""),
    h("section", { "aria-labelledby": "io-title" },
      h("h2", { id: "io-title" }, "Inflow and outflow per quarter"),
      h("p", { class: "meta" }, `${fmt.int(inst.movesIn.totalCount)} arrivals, ${fmt.int(inst.movesOut.totalCount)} departures (with its units)`),
      mirrored(points, { title: `Arrivals and departures per quarter at ${inst.name}` })),
    h("div", { class: "grid2" },
      h("section", { "aria-labelledby": "orig-title" }, h("h2", { id: "orig-title" }, "Top origins"), topList(topCounts(ins, "from"), "has arrived")),
      h("section", { "aria-labelledby": "dest-title" }, h("h2", { id: "dest-title" }, "Top destinations"), topList(topCounts(outs, "to"), "has left"))),
    h("section", { "aria-labelledby": "recent-title" },
      h("h2", { id: "recent-title" }, "Recent moves"),
      recent.length ? h("ul", { class: "moves" }, recent.map((m) => moveLine(m))) : h("p", { class: "empty" }, "None yet.")),
    h("section", { "aria-labelledby": "jobs-title" },
      h("h2", { id: "jobs-title" }, `Open research postings (${fmt.int(inst.jobPostings.totalCount)})`),
      postings.length ? h("ul", { class: "moves" }, postings.map((p) => h("li", {},
        p.url ? outLink(p.url, p.title, { target: "_blank" }) : p.title,
        h("div", { class: "meta" }, [p.team, p.location || p.country?.name, p.remote ? "remote" : null, p.postedAt ? `posted ${fmt.date(p.postedAt, "day")}` : null].filter(Boolean).join(" · ")))))
        : h("p", { class: "empty" }, "No open research postings seen.")));
}

// --- live -----------------------------------------------------------------------------------

async function viewLive(el, _arg, _params, ctx) {
  const data = await query(Q.RECENT_MOVES, { first: 30 }, { signal: ctx.signal });
  clear(el,
    h("h1", {}, "Latest moves"),
    h("p", { class: "hint" }, "The most recently recorded moves. New ones arrive in the Live panel as sources report them, without reloading."),
    h("ul", { class: "moves" }, data.moves.nodes.map((m) => moveLine(m))));
}

const liveList = document.getElementById("live-list");
const liveState = document.getElementById("live-state");

function liveItem(m, fresh) {
  const li = h("li", { class: fresh ? "fresh" : null, "data-move": m.id },
    researcherLink(m.researcher), h("br"),
    h("span", {}, m.from ? m.from.name : m.fromCountry?.name || "unknown", " → ", m.to ? m.to.name : m.toCountry?.name || "unknown"),
    h("div", { class: "meta" }, moveDate(m)));
  return li;
}

function startLive() {
  const subs = new Subscriptions(undefined, {
    onStatus(status) {
      liveState.textContent = status === "open" ? "on" : status === "closed" ? "offline" : "connecting";
      liveState.className = `pill ${status}`;
    },
  });
  subs.subscribe(Q.MOVE_RECORDED, {}, (data) => {
    const m = data.moveRecorded;
    if (!m || liveList.querySelector(`[data-move="${CSS.escape(m.id)}"]`)) return;
    liveList.prepend(liveItem(m, true));
    while (liveList.children.length > 25) liveList.lastElementChild.remove();
  }, (err) => console.warn("live:", err.message));
  query(Q.RECENT_MOVES, { first: 5 }).then((data) => {
    for (const m of data.moves.nodes) {
      if (!liveList.querySelector(`[data-move="${CSS.escape(m.id)}"]`)) liveList.append(liveItem(m, false));
    }
  }).catch((err) => console.warn("recent moves:", err.message));
}

// --- search ---------------------------------------------------------------------------------

function startSearch() {
  const input = document.getElementById("q");
  const list = document.getElementById("q-results");
  const status = document.getElementById("q-status");
  let options = [];
  let active = -1;
  let seq = 0;
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (i) => {
    options.forEach((o, j) => o.setAttribute("aria-selected", String(i === j)));
    active = i;
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const go = (li) => {
    location.hash = li.dataset.href;
    input.value = "";
    close();
  };
  const run = debounce(async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 2) {
      close();
      return;
    }
    let data;
    try {
      data = await query(Q.SEARCH, { query: q });
    } catch (err) {
      status.textContent = `Search failed: ${err.message}`;
      return;
    }
    if (mine !== seq) return;
    const researchers = data.search.filter((x) => x.__typename === "Researcher");
    const institutions = data.search.filter((x) => x.__typename === "Institution");
    let n = 0;
    const opt = (href, label, kind) => h("li", { role: "option", id: `q-opt-${n++}`, "data-href": href, "aria-selected": "false" }, h("span", {}, label), h("span", { class: "kind" }, kind));
    const items = [
      ...researchers.map((r) => opt(`#/researcher/${encodeURIComponent(r.id)}`, `${r.name}${r.nativeName ? ` ${r.nativeName}` : ""}`, "researcher")),
      ...institutions.map((i) => opt(`#/institution/${encodeURIComponent(i.slug)}`, i.name, `institution${i.country ? ` · ${i.country.code}` : ""}`)),
    ];
    options = items;
    clear(list, items.length ? items : h("li", { class: "group", role: "presentation" }, "No matches"));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
    status.textContent = `${items.length} result${items.length === 1 ? "" : "s"}`;
  }, 200);
  input.addEventListener("input", run);
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && options.length) {
      e.preventDefault();
      if (list.hidden) list.hidden = false;
      highlight((active + 1) % options.length);
    } else if (e.key === "ArrowUp" && options.length) {
      e.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0) go(options[active]);
      else if (options.length === 1) go(options[0]);
    } else if (e.key === "Escape") {
      close();
    }
  });
  list.addEventListener("mousedown", (e) => e.preventDefault());
  list.addEventListener("click", (e) => {
    const li = e.target.closest("li[role=option]");
    if (li) go(li);
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

// --- boot -----------------------------------------------------------------------------------

window.addEventListener("hashchange", render);
startSearch();
startLive();
render();
