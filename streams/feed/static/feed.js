// The live newsroom feed. Article text only ever enters the page through textContent / createTextNode:
// nothing from an article is parsed as HTML, so a title "<script>alert(1)</script>" shows as text.
"use strict";
(function () {
  const EXCERPT = 700;          // characters of body shown per article
  const MAX_SHOWN = 200;
  const TYPES = { PER: "شخص", LOC: "مكان", ORG: "منظمة", MISC: "أخرى" };
  const articles = new Map();   // id -> article, insertion order = arrival order
  const $ = (id) => document.getElementById(id);
  const filters = { entity: "", source: "", lang: "" };

  function norm(s) {            // a light version of the server's matching text, for filtering
    return (s || "").replace(/[\u064B-\u065F\u0670\u0640]/g, "").replace(/[إأآٱ]/g, "ا").replace(/ى/g, "ي")
      .replace(/ة/g, "ه").trim();
  }

  function matches(a) {
    if (filters.source && a.source !== filters.source) return false;
    if (filters.lang && a.lang !== filters.lang) return false;
    if (filters.entity) {
      const want = norm(filters.entity);
      return (a.entities || []).some((e) => norm(e.canonical) === want || norm(e.text) === want);
    }
    return true;
  }

  function highlighted(body, entities) {
    const frag = document.createDocumentFragment();
    let end = Math.min(body.length, EXCERPT);
    if (end < body.length) { const sp = body.lastIndexOf(" ", end); if (sp > EXCERPT / 2) end = sp; }
    const ents = (entities || []).filter((e) => e.start >= 0 && e.end <= end && e.start < e.end)
      .sort((x, y) => x.start - y.start || y.end - x.end);
    let pos = 0;
    for (const e of ents) {
      if (e.start < pos) continue;  // overlapping: keep the first
      frag.appendChild(document.createTextNode(body.slice(pos, e.start)));
      const m = document.createElement("mark");
      m.className = "ent ent-" + (TYPES[e.type] ? e.type : "MISC");
      m.textContent = body.slice(e.start, e.end);
      m.dataset.canonical = e.canonical || e.text || "";
      m.dataset.type = e.type || "";
      m.title = (TYPES[e.type] || e.type || "") + ": " + (e.canonical || e.text || "");
      frag.appendChild(m);
      pos = e.end;
    }
    frag.appendChild(document.createTextNode(body.slice(pos, end) + (end < body.length ? " …" : "")));
    return frag;
  }

  function render(a, isNew) {
    const node = $("article-tpl").content.firstElementChild.cloneNode(true);
    node.dataset.id = a.id;
    node.querySelector(".title").textContent = a.title || "(بلا عنوان)";
    node.querySelector(".source").textContent = a.source || "مصدر غير معروف";
    const t = a.published_at || a.ingested_at;
    const time = node.querySelector(".time");
    if (t) {
      time.dateTime = t;
      const d = new Date(t);
      time.textContent = isNaN(d) ? t : d.toLocaleString("ar", { dateStyle: "medium", timeStyle: "short" });
    }
    node.querySelector(".lang").textContent = a.lang || "?";
    node.querySelector(".body").appendChild(highlighted(a.body || "", a.entities));
    const list = node.querySelector(".entities");
    const seen = new Set();
    for (const e of a.entities || []) {
      const name = e.canonical || e.text;
      if (!name || seen.has(name)) continue;
      seen.add(name);
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "chip ent-" + (TYPES[e.type] ? e.type : "MISC");
      b.textContent = name;
      b.dataset.canonical = name;
      b.title = "تصفية: " + name;
      li.appendChild(b);
      list.appendChild(li);
    }
    if (isNew) node.classList.add("new");
    return node;
  }

  function addOption(select, value) {
    if (!value || [...select.options].some((o) => o.value === value)) return;
    const o = document.createElement("option");
    o.value = value;
    o.textContent = value;
    select.appendChild(o);
  }

  function redraw() {
    const box = $("articles");
    box.replaceChildren();
    const shown = [...articles.values()].reverse().filter(matches).slice(0, MAX_SHOWN);
    for (const a of shown) box.appendChild(render(a, false));
    if (!shown.length) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = articles.size ? "لا مقالات تطابق التصفية." : "بانتظار المقالات…";
      box.appendChild(p);
    }
  }

  function add(a, live) {
    if (!a || typeof a !== "object" || !a.id) return;
    articles.delete(a.id);
    articles.set(a.id, a);
    while (articles.size > 1000) articles.delete(articles.keys().next().value);
    addOption($("f-source"), a.source);
    addOption($("f-lang"), a.lang);
    if (!live) return;
    const box = $("articles");
    const old = box.querySelector(`article[data-id="${CSS.escape(a.id)}"]`);
    if (old) old.remove();
    if (!matches(a)) return;
    const empty = box.querySelector(".empty");
    if (empty) empty.remove();
    box.prepend(render(a, true));
    while (box.children.length > MAX_SHOWN) box.lastElementChild.remove();
  }

  const alertIds = new Set();
  function addAlert(al) {
    if (!al || alertIds.has(al.id)) return;  // history can arrive both by fetch and by SSE
    alertIds.add(al.id);
    const li = document.createElement("li");
    li.className = "sev-" + (al.severity || "info");
    const head = document.createElement("strong");
    head.textContent = (al.rule_name || al.rule_id || "") + " ";
    const what = document.createElement("span");
    const m = al.matched || {};
    what.textContent = [...(m.entities || []), ...(m.keywords || [])].join("، ") +
      (al.window ? ` (${al.window.count} في ${al.window.size_s} ث)` : "");
    const title = document.createElement("div");
    title.textContent = al.title || al.article_id || "";
    li.append(head, what, title);
    $("alerts").prepend(li);
    while ($("alerts").children.length > 100) $("alerts").lastElementChild.remove();
  }

  function setFilter(name, value) {
    filters[name] = value;
    $("f-" + name).value = value;
    const url = new URL(location.href);
    for (const [k, v] of Object.entries(filters)) { if (v) url.searchParams.set(k, v); else url.searchParams.delete(k); }
    history.replaceState(null, "", url);
    redraw();
  }

  function connect(path, event, onRecord) {
    const es = new EventSource(path);
    es.addEventListener(event, (ev) => { try { onRecord(JSON.parse(ev.data)); } catch (e) { console.error(e); } });
    return es;
  }

  async function start() {
    const params = new URLSearchParams(location.search);
    for (const k of Object.keys(filters)) filters[k] = params.get(k) || "";
    const status = $("status");
    // subscribe first, then load history, so nothing falls between the two
    const es = connect("/stream", "article", (a) => add(a, true));
    es.onopen = () => { status.textContent = "مباشر"; status.className = "status live"; document.body.dataset.live = "1"; };
    es.onerror = () => { status.textContent = "منقطع، إعادة الاتصال…"; status.className = "status down"; };
    connect("/alerts/stream", "alert", addAlert);
    try {
      const [recent, alerts] = await Promise.all([fetch("/articles?limit=200").then((r) => r.json()),
                                                   fetch("/alerts").then((r) => r.json())]);
      for (const a of recent.reverse()) if (!articles.has(a.id)) add(a, false);
      for (const al of alerts.reverse()) addAlert(al);
    } catch (e) { console.error(e); }
    for (const [k, v] of Object.entries(filters)) $("f-" + k).value = v;
    addOption($("f-source"), filters.source); addOption($("f-lang"), filters.lang);
    $("f-source").value = filters.source; $("f-lang").value = filters.lang;
    redraw();
    $("f-entity").addEventListener("input", (ev) => setFilter("entity", ev.target.value.trim()));
    $("f-source").addEventListener("change", (ev) => setFilter("source", ev.target.value));
    $("f-lang").addEventListener("change", (ev) => setFilter("lang", ev.target.value));
    $("f-clear").addEventListener("click", () => { for (const k of Object.keys(filters)) setFilter(k, ""); });
    $("filters").addEventListener("submit", (ev) => ev.preventDefault());
    $("articles").addEventListener("click", (ev) => {
      const t = ev.target.closest("[data-canonical]");
      if (t) setFilter("entity", t.dataset.canonical);
    });
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
