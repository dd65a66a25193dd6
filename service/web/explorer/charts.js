// Plain SVG charts: a two-column Sankey of flows, a three-column Sankey of the pipeline,
// diverging net-flow bars, a grid of rates per place and year, a bar chart over periods,
// mirrored inflow/outflow bars and an affiliation timeline. No library.

import { fmt, h, s } from "./dom.js";

const PALETTE = ["#1f6feb", "#d4542b", "#2e8540", "#8250df", "#b08800", "#0f7b8a", "#c2185b", "#5d6b7a", "#6f42c1", "#9a6700"];
export const color = (i) => PALETTE[i % PALETTE.length];

// Shared defs: the hatch used for small-number cells (a legend explains it).
export function hatchDefs(id = "hatch", colors = ["#57606a"]) {
  return s("defs", {}, colors.map((c, i) =>
    s("pattern", { id: `${id}-${i}`, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      s("rect", { width: 6, height: 6, fill: "#fff", "fill-opacity": 0.6 }),
      s("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: c, "stroke-width": 3.5 }))));
}

export function smallLegend(threshold) {
  return h("p", { class: "legend" },
    h("span", { class: "swatch hatch", "aria-hidden": "true" }),
    ` Hatched: fewer than ${threshold} moves — small numbers, read with care.`);
}

function tooltip(container) {
  const tip = h("div", { class: "tip", role: "tooltip", hidden: true });
  container.append(tip);
  return {
    show(text, evt, target) {
      tip.textContent = text;
      tip.hidden = false;
      const box = container.getBoundingClientRect();
      let x, y;
      if (evt && "clientX" in evt && evt.clientX) {
        x = evt.clientX - box.left + 12;
        y = evt.clientY - box.top + 12;
      } else {
        const r = target.getBoundingClientRect();
        x = r.left - box.left + r.width / 2;
        y = r.top - box.top + r.height / 2;
      }
      tip.style.left = `${Math.min(x, box.width - 200)}px`;
      tip.style.top = `${y}px`;
    },
    hide() {
      tip.hidden = true;
    },
  };
}

function hoverable(el, tip, text) {
  el.addEventListener("pointermove", (e) => tip.show(text, e, el));
  el.addEventListener("pointerleave", () => tip.hide());
  el.addEventListener("focus", () => tip.show(text, null, el));
  el.addEventListener("blur", () => tip.hide());
}

function truncate(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

// cells: [{origin: {key, label}, destination: {key, label}, count, small}]
// onSelect(cell) is called on click or Enter on a link.
export function sankey(cells, { maxNodes = 14, onSelect, title = "Flows", width = 760 } = {}) {
  const wrap = h("div", { class: "chart sankey" });
  if (!cells.length) {
    wrap.append(h("p", { class: "empty" }, "No moves match these filters."));
    return wrap;
  }
  const side = (which) => {
    const totals = new Map();
    for (const c of cells) {
      const n = c[which];
      const t = totals.get(n.key) || { key: n.key, label: n.label, total: 0 };
      t.total += c.count;
      totals.set(n.key, t);
    }
    const sorted = [...totals.values()].sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
    if (sorted.length <= maxNodes) return { nodes: sorted, map: (k) => k };
    const keep = new Set(sorted.slice(0, maxNodes - 1).map((n) => n.key));
    const rest = sorted.slice(maxNodes - 1);
    const other = { key: "__other__", label: `${rest.length} others`, total: rest.reduce((a, n) => a + n.total, 0) };
    return { nodes: [...sorted.slice(0, maxNodes - 1), other], map: (k) => (keep.has(k) ? k : "__other__") };
  };
  const L = side("origin");
  const R = side("destination");
  // Merge cells that fall into "others".
  const merged = new Map();
  for (const c of cells) {
    const o = L.map(c.origin.key);
    const d = R.map(c.destination.key);
    const k = `${o}\u0000${d}`;
    const m = merged.get(k) || { o, d, count: 0, small: false, cells: [] };
    m.count += c.count;
    m.cells.push(c);
    merged.set(k, m);
  }
  const links = [...merged.values()];
  for (const l of links) l.small = l.cells.length === 1 ? Boolean(l.cells[0].small) : l.cells.every((c) => c.small) && l.count < 5;

  const W = Math.max(420, Math.min(760, width)), narrow = W < 600;
  const labelW = narrow ? 118 : 150, nodeW = narrow ? 8 : 12, pad = 10, chars = narrow ? 13 : 18;
  const total = cells.reduce((a, c) => a + c.count, 0);
  const H = Math.max(260, Math.max(L.nodes.length, R.nodes.length) * 34);
  const k = Math.min((H - pad * (L.nodes.length - 1)) / total, (H - pad * (R.nodes.length - 1)) / total);
  const place = (nodes, x) => {
    let y = 0;
    const extra = (H - (nodes.reduce((a, n) => a + n.total * k, 0) + pad * (nodes.length - 1))) / 2;
    y = extra;
    for (const n of nodes) {
      n.x = x;
      n.y = y;
      n.h = Math.max(2, n.total * k);
      n.off = 0;
      y += n.total * k + pad;
    }
    return new Map(nodes.map((n) => [n.key, n]));
  };
  const lx = labelW, rx = W - labelW - nodeW;
  const lmap = place(L.nodes, lx);
  const rmap = place(R.nodes, rx);
  const li = new Map(L.nodes.map((n, i) => [n.key, i]));
  const ri = new Map(R.nodes.map((n, i) => [n.key, i]));
  links.sort((a, b) => li.get(a.o) - li.get(b.o) || ri.get(a.d) - ri.get(b.d));
  // Target offsets are stacked in origin order, source offsets in destination order.
  const bySource = [...links].sort((a, b) => li.get(a.o) - li.get(b.o) || ri.get(a.d) - ri.get(b.d));
  for (const l of bySource) {
    const n = lmap.get(l.o);
    l.w = Math.max(1, l.count * k);
    l.y0 = n.y + n.off + (l.count * k) / 2;
    n.off += l.count * k;
  }
  const byTarget = [...links].sort((a, b) => ri.get(a.d) - ri.get(b.d) || li.get(a.o) - li.get(b.o));
  for (const l of byTarget) {
    const n = rmap.get(l.d);
    l.y1 = n.y + n.off + (l.count * k) / 2;
    n.off += l.count * k;
  }

  const svg = s("svg", { viewBox: `0 0 ${W} ${H + 4}`, role: "group", "aria-label": title, class: `sankey-svg${narrow ? " narrow" : ""}` });
  svg.append(hatchDefs("hatch-sankey", L.nodes.map((_, i) => color(i))));
  const tip = tooltip(wrap);
  const gLinks = s("g", { class: "links" });
  for (const l of links) {
    const a = lmap.get(l.o), b = rmap.get(l.d);
    const x0 = lx + nodeW, x1 = rx, xm = (x0 + x1) / 2;
    const text = `${a.label} → ${b.label}: ${fmt.int(l.count)} move${l.count === 1 ? "" : "s"}${l.small ? " (small number)" : ""}`;
    const path = s("path", {
      class: `link${l.small ? " small" : ""}`,
      d: `M${x0},${l.y0} C${xm},${l.y0} ${xm},${l.y1} ${x1},${l.y1}`,
      stroke: l.small ? `url(#hatch-sankey-${li.get(l.o)})` : color(li.get(l.o)),
      "stroke-width": l.w,
      fill: "none",
      tabindex: 0,
      role: "button",
      "aria-label": text,
      "data-origin": l.o === "__other__" ? "" : l.o,
      "data-destination": l.d === "__other__" ? "" : l.d,
      "data-count": l.count,
    }, s("title", {}, text));
    hoverable(path, tip, text);
    if (onSelect) {
      const pick = () => onSelect({ origin: a, destination: b, count: l.count, cells: l.cells });
      path.addEventListener("click", pick);
      path.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          pick();
        }
      });
    }
    gLinks.append(path);
  }
  svg.append(gLinks);
  const gNodes = s("g", { class: "nodes" });
  for (const [nodes, left] of [[L.nodes, true], [R.nodes, false]]) {
    nodes.forEach((n, i) => {
      const fill = left ? color(i) : "#57606a";
      gNodes.append(
        s("rect", { x: n.x, y: n.y, width: nodeW, height: n.h, fill, class: "node" }, s("title", {}, `${n.label}: ${fmt.int(n.total)}`)),
        s("text", {
          x: left ? n.x - 6 : n.x + nodeW + 6,
          y: n.y + n.h / 2,
          "text-anchor": left ? "end" : "start",
          "dominant-baseline": "middle",
          class: "node-label",
        }, `${truncate(n.label, chars)} ${fmt.int(n.total)}`),
      );
    });
  }
  svg.append(gNodes);
  wrap.append(
    h("div", { class: "sankey-heads", "aria-hidden": "true" }, h("span", {}, "From"), h("span", {}, "To")),
    svg,
  );
  return wrap;
}

// rows: [{key, label, inflow, outflow, net}]
export function netBars(rows, { title = "Net flow", max = 16, onSelect, width = 760 } = {}) {
  const wrap = h("div", { class: "chart netbars" });
  if (!rows.length) {
    wrap.append(h("p", { class: "empty" }, "No net flows for these filters."));
    return wrap;
  }
  const sorted = [...rows].sort((a, b) => b.net - a.net || a.label.localeCompare(b.label));
  const shown = sorted.length > max ? [...sorted.slice(0, max / 2), ...sorted.slice(-max / 2)] : sorted;
  const W = Math.max(420, Math.min(760, width)), labelW = W < 600 ? 124 : 150;
  const row = 24, H = shown.length * row + 24;
  const m = Math.max(1, ...shown.map((r) => Math.abs(r.net)));
  const mid = labelW + (W - labelW - 50) / 2;
  const half = (W - labelW - 50) / 2 - 30;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": title });
  const tip = tooltip(wrap);
  svg.append(s("line", { x1: mid, x2: mid, y1: 0, y2: H - 20, class: "axis" }));
  shown.forEach((r, i) => {
    const y = i * row + 4;
    const w = (Math.abs(r.net) / m) * half;
    const text = `${r.label}: net ${fmt.signed(r.net)} (in ${fmt.int(r.inflow)}, out ${fmt.int(r.outflow)})`;
    const bar = s("rect", {
      x: r.net >= 0 ? mid : mid - w,
      y,
      width: Math.max(1, w),
      height: row - 8,
      class: r.net >= 0 ? "bar gain" : "bar loss",
      tabindex: 0,
      "aria-label": text,
      "data-entity": r.key,
      "data-net": r.net,
    }, s("title", {}, text));
    hoverable(bar, tip, text);
    if (onSelect) bar.addEventListener("click", () => onSelect(r));
    svg.append(
      s("text", { x: labelW - 8, y: y + (row - 8) / 2, "text-anchor": "end", "dominant-baseline": "middle", class: "bar-label" }, truncate(r.label, W < 600 ? 11 : 20)),
      bar,
      s("text", {
        x: r.net >= 0 ? mid + w + 4 : mid - w - 4,
        y: y + (row - 8) / 2,
        "text-anchor": r.net >= 0 ? "start" : "end",
        "dominant-baseline": "middle",
        class: "bar-value",
      }, fmt.signed(r.net)),
    );
  });
  svg.append(
    s("text", { x: mid - 6, y: H - 4, "text-anchor": "end", class: "axis-label" }, "← loses people"),
    s("text", { x: mid + 6, y: H - 4, class: "axis-label" }, "gains people →"),
  );
  wrap.append(svg);
  if (shown.length < sorted.length) wrap.append(h("p", { class: "note" }, `Showing the ${max / 2} largest gains and losses of ${sorted.length}.`));
  return wrap;
}

function niceTicks(max, n = 4) {
  if (max <= 0) return [0];
  const step0 = max / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s2) => s2 >= step0) || mag * 10;
  const ticks = [];
  for (let v = 0; v <= max + 1e-9; v += step) ticks.push(Math.round(v * 1000) / 1000);
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

// points: [{label, value, small}]
export function columns(points, { title = "Moves per period", unit = "moves" } = {}) {
  const wrap = h("div", { class: "chart columns" });
  if (!points.length) {
    wrap.append(h("p", { class: "empty" }, "No moves for this pair."));
    return wrap;
  }
  const W = 760, H = 260, left = 40, bottom = 44, top = 10;
  const ticks = niceTicks(Math.max(1, ...points.map((p) => p.value)));
  const max = ticks[ticks.length - 1];
  const bw = (W - left - 10) / points.length;
  const y = (v) => top + (H - top - bottom) * (1 - v / max);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": title });
  svg.append(hatchDefs("hatch-cols", ["#0b57d0"]));
  const tip = tooltip(wrap);
  for (const t of ticks) {
    svg.append(
      s("line", { x1: left, x2: W - 10, y1: y(t), y2: y(t), class: "grid" }),
      s("text", { x: left - 6, y: y(t), "text-anchor": "end", "dominant-baseline": "middle", class: "tick" }, fmt.int(t)),
    );
  }
  const every = Math.ceil(points.length / 12);
  points.forEach((p, i) => {
    const x = left + i * bw;
    const text = `${p.label}: ${fmt.int(p.value)} ${unit}${p.small ? " (small number)" : ""}`;
    const bar = s("rect", {
      x: x + bw * 0.15,
      y: y(p.value),
      width: bw * 0.7,
      height: Math.max(0, y(0) - y(p.value)),
      class: `bar col${p.small ? " small" : ""}`,
      style: p.small ? "fill: url(#hatch-cols-0)" : null,
      tabindex: p.value ? 0 : null,
      "aria-label": text,
      "data-period": p.label,
      "data-count": p.value,
    }, s("title", {}, text));
    hoverable(bar, tip, text);
    svg.append(bar);
    if (i % every === 0) {
      svg.append(s("text", { x: x + bw / 2, y: H - bottom + 16, "text-anchor": "middle", class: "tick" }, p.label));
    }
  });
  svg.append(s("line", { x1: left, x2: W - 10, y1: y(0), y2: y(0), class: "axis" }));
  wrap.append(svg);
  return wrap;
}

// points: [{label, inflow, outflow}] — inflow above the axis, outflow below.
export function mirrored(points, { title = "Inflow and outflow" } = {}) {
  const wrap = h("div", { class: "chart mirrored" });
  if (!points.length) {
    wrap.append(h("p", { class: "empty" }, "No moves in or out yet."));
    return wrap;
  }
  const W = 760, H = 260, left = 40, top = 10, bottom = 30;
  const m = Math.max(1, ...points.map((p) => Math.max(p.inflow, p.outflow)));
  const mid = top + (H - top - bottom) / 2;
  const half = (H - top - bottom) / 2;
  const bw = (W - left - 10) / points.length;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": title });
  const tip = tooltip(wrap);
  const every = Math.ceil(points.length / 12);
  points.forEach((p, i) => {
    const x = left + i * bw + bw * 0.15;
    const hi = (p.inflow / m) * half, ho = (p.outflow / m) * half;
    const text = `${p.label}: ${fmt.int(p.inflow)} in, ${fmt.int(p.outflow)} out, net ${fmt.signed(p.inflow - p.outflow)}`;
    const g = s("g", { tabindex: 0, "aria-label": text, class: "period", "data-period": p.label, "data-inflow": p.inflow, "data-outflow": p.outflow },
      s("title", {}, text),
      s("rect", { x, y: mid - hi, width: bw * 0.7, height: hi, class: "bar gain" }),
      s("rect", { x, y: mid, width: bw * 0.7, height: ho, class: "bar loss" }));
    hoverable(g, tip, text);
    svg.append(g);
    if (i % every === 0) svg.append(s("text", { x: x + bw * 0.35, y: H - 8, "text-anchor": "middle", class: "tick" }, p.label));
  });
  svg.append(
    s("line", { x1: left, x2: W - 10, y1: mid, y2: mid, class: "axis" }),
    s("text", { x: left - 6, y: top + 10, "text-anchor": "end", class: "tick" }, fmt.int(m)),
    s("text", { x: left - 6, y: mid + half, "text-anchor": "end", class: "tick" }, fmt.int(m)),
  );
  wrap.append(svg, h("p", { class: "legend" }, h("span", { class: "swatch gain" }), " inflow (joined)  ", h("span", { class: "swatch loss" }), " outflow (left)"));
  return wrap;
}

// stints: [{label, start: year|null, end: year|null, href}]
export function timeline(stints, { title = "Affiliations" } = {}) {
  const wrap = h("div", { class: "chart timeline" });
  const dated = stints.filter((x) => x.start || x.end);
  if (!dated.length) {
    wrap.append(h("p", { class: "empty" }, "No dated affiliations."));
    return wrap;
  }
  const now = new Date().getUTCFullYear();
  const y0 = Math.min(...dated.map((x) => x.start || x.end));
  const y1 = Math.max(...dated.map((x) => (x.end || now) + 1));
  const W = 760, labelW = 170, row = 26, H = dated.length * row + 26, right = 24;
  const x = (yr) => labelW + ((W - labelW - right) * (yr - y0)) / Math.max(1, y1 - y0);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title });
  const step = Math.ceil((y1 - y0) / 10) || 1;
  for (let yr = y0; yr <= y1; yr += step) {
    svg.append(s("line", { x1: x(yr), x2: x(yr), y1: 0, y2: H - 20, class: "grid" }), s("text", { x: x(yr), y: H - 6, "text-anchor": "middle", class: "tick" }, yr));
  }
  dated.forEach((st, i) => {
    const a = st.start || st.end, b = (st.end || (st.start ? now : st.end)) + 1;
    const y = i * row + 4;
    svg.append(
      s("text", { x: labelW - 8, y: y + 9, "text-anchor": "end", "dominant-baseline": "middle", class: "bar-label" }, truncate(st.label, 22)),
      s("rect", { x: x(a), y, width: Math.max(4, x(b) - x(a)), height: row - 8, rx: 3, fill: color(i), class: "stint" },
        s("title", {}, `${st.label}: ${st.start || "?"}–${st.end || "now"}`)),
    );
  });
  wrap.append(svg);
  return wrap;
}

// A Sankey of several columns (the pipeline: undergraduate → doctorate → work).
// columns: [{title, nodes: [{key, label, total}]}], largest first; a column's totals add up
// to the same whole. links: [{from: column index, source: key, target: key, count}], each from
// column `from` to column `from + 1`. Columns with more than maxNodes nodes keep the largest and
// group the rest as "others".
export function layeredSankey(columns, links, { maxNodes = 10, title = "Pipeline", width = 760 } = {}) {
  const wrap = h("div", { class: "chart sankey layered" });
  const total = columns.length ? columns[0].nodes.reduce((a, n) => a + n.total, 0) : 0;
  if (!total) {
    wrap.append(h("p", { class: "empty" }, "No researchers match these filters."));
    return wrap;
  }
  const OTHER = "__other__";
  const cols = columns.map((c) => {
    const nodes = [...c.nodes];
    if (nodes.length <= maxNodes) return { ...c, nodes, map: (k) => k };
    const keep = new Set(nodes.slice(0, maxNodes - 1).map((n) => n.key));
    const rest = nodes.slice(maxNodes - 1);
    const other = { key: OTHER, label: `${rest.length} others`, total: rest.reduce((a, n) => a + n.total, 0) };
    return { ...c, nodes: [...nodes.slice(0, maxNodes - 1), other], map: (k) => (keep.has(k) ? k : OTHER) };
  });
  const merged = new Map();
  for (const l of links) {
    const source = cols[l.from].map(l.source), target = cols[l.from + 1].map(l.target);
    const k = `${l.from}\u0000${source}\u0000${target}`;
    const m = merged.get(k) || { from: l.from, source, target, count: 0 };
    m.count += l.count;
    merged.set(k, m);
  }
  const bands = [...merged.values()];
  const W = Math.max(420, Math.min(760, width)), narrow = W < 600;
  const nodeW = narrow ? 8 : 12, pad = 10, chars = narrow ? 9 : 14, labelW = narrow ? 84 : 120;
  const most = Math.max(...cols.map((c) => c.nodes.length));
  const H = Math.max(240, most * 34);
  const k = Math.min(...cols.map((c) => (H - pad * (c.nodes.length - 1)) / total));
  const step = (W - 2 * labelW - nodeW) / Math.max(1, cols.length - 1);
  const index = cols.map((c) => new Map(c.nodes.map((n, i) => [n.key, i])));
  const placed = cols.map((c, ci) => {
    let y = (H - (total * k + pad * (c.nodes.length - 1))) / 2;
    const out = new Map();
    for (const n of c.nodes) {
      out.set(n.key, { ...n, x: labelW + ci * step, y, h: Math.max(2, n.total * k), outOff: 0, inOff: 0 });
      y += n.total * k + pad;
    }
    return out;
  });
  // Leaving a node, bands are stacked in the order of their targets; arriving, of their sources.
  const order = (a, b) => a.from - b.from || index[a.from].get(a.source) - index[a.from].get(b.source)
    || index[a.from + 1].get(a.target) - index[a.from + 1].get(b.target);
  for (const b of [...bands].sort(order)) {
    const n = placed[b.from].get(b.source);
    b.y0 = n.y + n.outOff + (b.count * k) / 2;
    n.outOff += b.count * k;
  }
  const arriving = (a, b) => a.from - b.from || index[a.from + 1].get(a.target) - index[a.from + 1].get(b.target)
    || index[a.from].get(a.source) - index[a.from].get(b.source);
  for (const b of [...bands].sort(arriving)) {
    const n = placed[b.from + 1].get(b.target);
    b.y1 = n.y + n.inOff + (b.count * k) / 2;
    n.inOff += b.count * k;
  }
  const svg = s("svg", { viewBox: `0 0 ${W} ${H + 4}`, role: "group", "aria-label": title, class: `sankey-svg${narrow ? " narrow" : ""}` });
  const tip = tooltip(wrap);
  const gLinks = s("g", { class: "links" });
  for (const b of bands.sort(order)) {
    const a = placed[b.from].get(b.source), z = placed[b.from + 1].get(b.target);
    const x0 = a.x + nodeW, x1 = z.x, xm = (x0 + x1) / 2;
    const text = `${cols[b.from].title} ${a.label} → ${cols[b.from + 1].title.toLowerCase()} ${z.label}: ${fmt.int(b.count)} researcher${b.count === 1 ? "" : "s"}`;
    const path = s("path", {
      class: "link",
      d: `M${x0},${b.y0} C${xm},${b.y0} ${xm},${b.y1} ${x1},${b.y1}`,
      stroke: color(index[b.from].get(b.source)),
      "stroke-width": Math.max(1, b.count * k),
      fill: "none",
      tabindex: 0,
      "aria-label": text,
      "data-stage": `${cols[b.from].key}-${cols[b.from + 1].key}`,
      "data-source": b.source === OTHER ? "" : b.source,
      "data-target": b.target === OTHER ? "" : b.target,
      "data-count": b.count,
    }, s("title", {}, text));
    hoverable(path, tip, text);
    gLinks.append(path);
  }
  svg.append(gLinks);
  const gNodes = s("g", { class: "nodes" });
  placed.forEach((nodes, ci) => {
    const last = ci === cols.length - 1;
    [...nodes.values()].forEach((n, i) => {
      const text = `${cols[ci].title}: ${n.label}, ${fmt.int(n.total)} (${fmt.pct(n.total / total)})`;
      gNodes.append(
        s("rect", {
          x: n.x, y: n.y, width: nodeW, height: n.h, fill: ci === 0 ? color(i) : "#57606a", class: "node",
          "data-column": cols[ci].key, "data-key": n.key === OTHER ? "" : n.key, "data-count": n.total,
        }, s("title", {}, text)),
        s("text", {
          x: last ? n.x + nodeW + 6 : n.x - 6,
          y: n.y + n.h / 2,
          "text-anchor": last ? "start" : "end",
          "dominant-baseline": "middle",
          class: "node-label",
        }, `${truncate(n.label, chars)} ${fmt.int(n.total)}`),
      );
    });
  });
  svg.append(gNodes);
  wrap.append(h("div", { class: "sankey-heads", "aria-hidden": "true" }, cols.map((c) => h("span", {}, c.title))), svg);
  return wrap;
}

// A grid of rates: one row per place, one column per year. cells: [{key, label, year, rate,
// population, inflow, outflow, small}]; rate null where the population is 0 or unknown.
export function rateGrid(rows, years, cells, { title = "Net migration rate", width = 760 } = {}) {
  const wrap = h("div", { class: "chart rategrid" });
  if (!rows.length || !years.length) {
    wrap.append(h("p", { class: "empty" }, "No populations or moves for these years."));
    return wrap;
  }
  const W = Math.max(420, Math.min(760, width)), narrow = W < 600;
  const labelW = narrow ? 90 : 140, top = 22, rowH = 34;
  const colW = (W - labelW) / years.length;
  const H = top + rows.length * rowH + 4;
  const by = new Map(cells.map((c) => [`${c.key}\u0000${c.year}`, c]));
  const m = Math.max(0.01, ...cells.map((c) => (c.rate === null ? 0 : Math.abs(c.rate))));
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": title, class: "rategrid-svg" });
  svg.append(hatchDefs("hatch-rates", ["#57606a"]));
  const tip = tooltip(wrap);
  years.forEach((y, j) => {
    svg.append(s("text", { x: labelW + j * colW + colW / 2, y: 14, "text-anchor": "middle", class: "tick" }, narrow ? `'${String(y).slice(2)}` : String(y)));
  });
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    svg.append(s("text", { x: labelW - 8, y: y + rowH / 2, "text-anchor": "end", "dominant-baseline": "middle", class: "bar-label" }, truncate(r.label, narrow ? 10 : 18)));
    years.forEach((year, j) => {
      const c = by.get(`${r.key}\u0000${year}`);
      const x = labelW + j * colW;
      if (!c) {
        svg.append(s("rect", { x: x + 1, y: y + 1, width: colW - 2, height: rowH - 2, class: "cell none" }));
        return;
      }
      const rate = c.rate;
      const text = `${r.label} ${year}: ${rate === null ? "no rate (no population known)" : `net rate ${fmt.rate(rate)}`}, population ${fmt.int(c.population ?? 0)}, in ${fmt.int(c.inflow)}, out ${fmt.int(c.outflow)}${c.small ? " (small numbers)" : ""}`;
      const fill = rate === null || rate === 0 ? "#eaeef2" : rate > 0 ? "var(--gain)" : "var(--loss)";
      const g = s("g", {
        class: `cell${c.small ? " small" : ""}`, tabindex: 0, "aria-label": text,
        "data-entity": r.key, "data-year": year, "data-rate": rate === null ? "" : rate,
        "data-population": c.population ?? "", "data-inflow": c.inflow, "data-outflow": c.outflow,
      },
      s("title", {}, text),
      s("rect", { x: x + 1, y: y + 1, width: colW - 2, height: rowH - 2, fill, "fill-opacity": rate ? 0.2 + 0.8 * Math.min(1, Math.abs(rate) / m) : 1 }),
      c.small ? s("rect", { x: x + 1, y: y + 1, width: colW - 2, height: rowH - 2, fill: "url(#hatch-rates-0)", "fill-opacity": 0.35 }) : "",
      s("text", { x: x + colW / 2, y: y + 13, "text-anchor": "middle", class: "cell-value" }, rate === null ? "–" : fmt.rate(rate, narrow ? 0 : 1)),
      s("text", { x: x + colW / 2, y: y + 27, "text-anchor": "middle", class: "cell-pop" }, `${narrow ? "" : "pop "}${fmt.int(c.population ?? 0)}`));
      hoverable(g, tip, text);
      svg.append(g);
    });
  });
  wrap.append(svg);
  return wrap;
}
