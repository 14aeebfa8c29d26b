// The search page: results as you type, kept in the URL (/?q=…&lang=…&page=…).
// Document text is only ever set with textContent; the one HTML inserted is the
// API's snippet HTML, which the server escapes (only <mark> tags are its own).
"use strict";

const PARAMS = ["q", "lang", "category", "since", "until", "sort", "page"];
const FACETS = ["lang", "category", "year"];
const DEBOUNCE_MS = 200;
const LIMIT = 10;

const $ = (id) => document.getElementById(id);
let state = fromURL();
let latest = 0;          // number of the newest request; older answers are dropped
let controller = null;   // aborts the request in flight when a newer one starts
let timer = 0;

function fromURL() {
  const url = new URLSearchParams(location.search);
  const s = {};
  for (const k of PARAMS) {
    const v = url.get(k);
    if (v) s[k] = v;
  }
  return s;
}

function toURL(s) {
  const url = new URLSearchParams();
  for (const k of PARAMS) {
    if (s[k] && !(k === "page" && s[k] === "1") && !(k === "sort" && s[k] === "relevance")) url.set(k, s[k]);
  }
  const text = url.toString();
  return text ? "/?" + text : "/";
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);  // strings become text nodes
  return node;
}

function update(changes, push) {
  state = { ...state, ...changes };
  for (const k of Object.keys(state)) if (!state[k]) delete state[k];
  const url = toURL(state);
  if (url !== location.pathname + location.search) {
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }
  run();
}

async function run() {
  const n = ++latest;
  if (controller) controller.abort();
  controller = new AbortController();
  if (!state.q) {
    render(null);
    return;
  }
  const api = new URLSearchParams();
  for (const k of PARAMS) if (state[k]) api.set(k, state[k]);
  api.set("limit", String(LIMIT));
  for (const f of FACETS) api.append("facet", f);
  let body;
  try {
    const resp = await fetch("/search?" + api.toString(), { signal: controller.signal });
    body = await resp.json();
    if (!resp.ok) body = { error: body.error || resp.statusText };
  } catch (err) {
    if (err.name === "AbortError") return;
    body = { error: String(err) };
  }
  if (n !== latest) return;  // a newer search has started: this answer is stale
  render(body);
}

function render(res) {
  const hits = $("hits");
  hits.replaceChildren();
  hits.dataset.query = res && res.query !== undefined ? res.query : "";
  $("facets").replaceChildren();
  $("suggestion").hidden = true;
  $("crossscript").hidden = true;
  $("pager").hidden = true;
  if (res === null) {
    $("status").textContent = "";
    return;
  }
  if (res.error) {
    $("status").textContent = "Error: " + res.error;
    return;
  }
  const page = res.page;
  const pages = Math.max(1, Math.ceil(res.total / res.limit));
  $("status").textContent = `${res.total} result${res.total === 1 ? "" : "s"}` +
    (res.total ? `, page ${page} of ${pages}` : "") + ` · ${res.took_ms} ms`;
  if (res.suggestion) {
    $("suggest").textContent = res.suggestion;
    $("suggestion").hidden = false;
  }
  renderCrossScript(res);
  renderFacets(res.facets);
  for (const hit of res.hits) hits.append(renderHit(hit));
  if (pages > 1) {
    $("pager").hidden = false;
    $("pageinfo").textContent = `${page} / ${pages}`;
    $("prev").disabled = page <= 1;
    $("next").disabled = page >= pages;
  }
}

function renderCrossScript(res) {
  const seen = new Set();
  for (const hit of res.hits) {
    for (const m of hit.matches) {
      if (m.how === "reading" || m.how === "alias") seen.add(m.query + " → " + m.word);
    }
  }
  for (const e of res.expansions) seen.add(e.word + " → " + e.alternative);
  if (seen.size) {
    $("crossscript").textContent = "Also matched: " + [...seen].slice(0, 6).join(", ");
    $("crossscript").hidden = false;
  }
}

function renderFacets(facets) {
  const box = $("facets");
  for (const name of FACETS) {
    const counts = facets[name];
    if (!counts || !Object.keys(counts).length) continue;
    const active = name === "year" ? (state.since && state.since === state.until ? state.since : "") : state[name];
    const list = el("ul");
    if (active) {
      list.append(el("li", {}, el("button", { type: "button", class: "facet clear", "data-facet": name,
        onclick: () => update(name === "year" ? { since: "", until: "", page: "" } : { [name]: "", page: "" }, true) },
        `× all`)));
    }
    for (const [value, count] of Object.entries(counts).slice(0, 12)) {
      const selectable = !["unknown", "none", "undated"].includes(value);
      const button = el("button", { type: "button", class: "facet" + (value === active ? " active" : ""),
        "data-facet": name, "data-value": value, "aria-pressed": String(value === active) },
        value, " ", el("span", { class: "count" }, String(count)));
      if (selectable) {
        button.addEventListener("click", () => update(name === "year"
          ? { since: value, until: value, page: "" } : { [name]: value, page: "" }, true));
      } else {
        button.disabled = true;
      }
      list.append(el("li", {}, button));
    }
    box.append(el("h2", {}, { lang: "Language", category: "Category", year: "Year" }[name]), list);
  }
}

function safeURL(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
}

function renderHit(hit) {
  const title = el("h3", { class: "title" });
  const href = safeURL(hit.url);
  const inner = href ? el("a", { href, rel: "noopener noreferrer" }) : el("span");
  if (hit.title_snippet.text) inner.innerHTML = hit.title_snippet.html;  // escaped by the API
  else inner.textContent = "(untitled)";
  title.append(inner);
  const meta = el("p", { class: "meta" },
    [hit.published ? hit.published.slice(0, 10) : "", hit.lang || "", hit.category || "", hit.id]
      .filter(Boolean).join(" · "));
  const snippet = el("p", { class: "snippet" });
  snippet.innerHTML = hit.snippet.html;  // escaped by the API
  const related = el("div", { class: "related" });
  const button = el("button", { type: "button", class: "link related-toggle", "aria-expanded": "false" },
    "Related articles");
  button.addEventListener("click", () => toggleRelated(hit.id, button, related));
  return el("li", { class: "hit", "data-id": hit.id }, title, meta, snippet, button, related);
}

async function toggleRelated(id, button, box) {
  if (button.getAttribute("aria-expanded") === "true") {
    button.setAttribute("aria-expanded", "false");
    box.replaceChildren();
    return;
  }
  button.setAttribute("aria-expanded", "true");
  box.replaceChildren(el("p", { class: "meta" }, "Loading…"));
  let res;
  try {
    const resp = await fetch("/related/" + encodeURIComponent(id) + "?limit=5");
    res = await resp.json();
    if (!resp.ok) throw new Error(res.error || resp.statusText);
  } catch (err) {
    box.replaceChildren(el("p", { class: "meta" }, "Error: " + err.message));
    return;
  }
  const list = el("ul", { class: "related-list" });
  for (const r of res.hits) {
    const href = safeURL(r.url);
    const name = r.title || "(untitled)";
    list.append(el("li", {}, href ? el("a", { href, rel: "noopener noreferrer" }, name) : name,
      " ", el("span", { class: "meta" }, [r.published ? r.published.slice(0, 10) : "", r.lang || ""]
        .filter(Boolean).join(" · "))));
  }
  box.replaceChildren(res.hits.length ? list : el("p", { class: "meta" }, "No related articles."));
}

function start() {
  const input = $("q");
  input.value = state.q || "";
  $("sort").value = state.sort || "relevance";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => update({ q: input.value.trim(), page: "" }, false), DEBOUNCE_MS);
  });
  $("form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(timer);
    update({ q: input.value.trim(), page: "" }, true);
  });
  $("sort").addEventListener("change", () => update({ sort: $("sort").value, page: "" }, true));
  $("prev").addEventListener("click", () => { update({ page: String(Number(state.page || 1) - 1) }, true); scrollTo(0, 0); });
  $("next").addEventListener("click", () => { update({ page: String(Number(state.page || 1) + 1) }, true); scrollTo(0, 0); });
  $("suggest").addEventListener("click", () => {
    input.value = $("suggest").textContent;
    update({ q: input.value, page: "" }, true);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && document.activeElement !== input) {
      e.preventDefault();
      input.focus();
    }
  });
  window.addEventListener("popstate", () => {
    state = fromURL();
    input.value = state.q || "";
    $("sort").value = state.sort || "relevance";
    run();
  });
  run();
}

start();
