// DOM helpers: elements are built with text nodes, never from HTML strings, so quotes and names
// from sources can never inject markup.

const SVG_NS = "http://www.w3.org/2000/svg";
const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href"]);

// The http(s) URL `value` names, or null: a URL from a source (a document, a website, a job) is
// a link only when its scheme is http or https. A browser drops tabs and newlines and ignores
// case before reading a scheme (`JaVa\tScRiPt:`), so a value with any control character is
// refused outright, and the scheme is read by the browser's own URL parser.
export function webUrl(value) {
  if (typeof value !== "string" || /[\u0000-\u001f\u007f]/.test(value)) return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

// A URL attribute is set only to an in-page link (`#/...`) or an http(s) URL, whoever builds it.
function safeUrl(value) {
  const text = String(value);
  return text.startsWith("#") && !/[\u0000-\u001f\u007f]/.test(text) ? text : webUrl(text);
}

// A link to an outside page, or just its text when the URL is not http(s).
export function outLink(url, text, attrs = {}) {
  const href = webUrl(url);
  return href ? h("a", { ...attrs, href, rel: "noopener noreferrer" }, text) : text;
}

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (URL_ATTRS.has(k.toLowerCase()) && !(el instanceof SVGElement && String(v).startsWith("url("))) {
      const safe = safeUrl(v);
      if (safe !== null) el.setAttribute(k, safe);
      continue;
    }
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear(el, ...children) {
  el.replaceChildren();
  return build(el, {}, children);
}

export const fmt = {
  int: (n) => Number(n).toLocaleString("en"),
  signed: (n) => (n > 0 ? `+${fmt.int(n)}` : fmt.int(n)),
  pct: (x) => `${Math.round(Number(x) * 100)}%`,
  // A rate (a fraction) as a signed percentage: 0.5 -> "+50.0%".
  rate: (x, digits = 1) => `${x > 0 ? "+" : x < 0 ? "−" : ""}${Math.abs(Number(x) * 100).toFixed(digits)}%`,
  date(value, precision) {
    if (!value) return "date unknown";
    const [y, m, d] = String(value).slice(0, 10).split("-");
    const p = (precision || "day").toLowerCase();
    if (p === "year") return y;
    const month = new Date(Date.UTC(+y, +m - 1, 1)).toLocaleString("en", { month: "short", timeZone: "UTC" });
    if (p === "quarter") return `${y} Q${Math.floor((+m - 1) / 3) + 1}`;
    if (p === "month") return `${month} ${y}`;
    return `${+d} ${month} ${y}`;
  },
  quarter(value) {
    if (!value) return "all time";
    const [y, m] = String(value).split("-");
    return `${y} Q${Math.floor((+m - 1) / 3) + 1}`;
  },
  kind: (k) => (k ? String(k).toLowerCase().replaceAll("_", " ") : "unknown"),
};

export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

export function errorBox(err) {
  return h("p", { class: "error", role: "alert" }, `Could not load: ${err.message || err}`);
}

export function loading(label = "Loading…") {
  return h("p", { class: "loading", role: "status" }, label);
}
