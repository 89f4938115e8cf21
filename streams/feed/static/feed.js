// The live newsroom feed. Article text only ever enters the page through textContent / createTextNode:
// nothing from an article is parsed as HTML, so a title "<script>alert(1)</script>" shows as text.
"use strict";
(function () {
  const EXCERPT = 700;          // characters of body shown per article
  const MAX_SHOWN = 200;
  const TYPES = { PER: "شخص", LOC: "مكان", ORG: "منظمة", MISC: "أخرى" };
  const stories = new Map();    // story id -> story (lead article, members), insertion order = first arrival
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

  function when(t) {
    const d = new Date(t);
    return isNaN(d) ? t : d.toLocaleString("ar", { dateStyle: "medium", timeStyle: "short" });
  }

  // One card per story: the lead article (the story's first) in full, the others as its members.
  function render(st, isNew) {
    const a = st.lead;
    const node = $("article-tpl").content.firstElementChild.cloneNode(true);
    node.dataset.id = a.id;
    node.dataset.story = st.id;
    node.querySelector(".title").textContent = a.title || "(بلا عنوان)";
    node.querySelector(".title").dir = "auto";  // a Latin title reads left to right
    node.querySelector(".source").textContent = a.source || "مصدر غير معروف";
    const t = a.published_at || a.ingested_at;
    const time = node.querySelector(".time");
    if (t) { time.dateTime = t; time.textContent = when(t); }
    node.querySelector(".lang").textContent = a.lang || "?";
    node.querySelector(".body").appendChild(highlighted(a.body || "", a.entities));
    const list = node.querySelector(".entities");
    const seen = new Set();
    for (const e of [a, ...st.members].flatMap((m) => m.entities || [])) {  // the story's entities
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
    if (st.members.length > 1) node.appendChild(membersBox(st));
    if (isNew) node.classList.add("new");
    return node;
  }

  function membersBox(st) {
    const box = document.createElement("details");
    box.className = "story";
    const sum = document.createElement("summary");
    const count = document.createElement("span");
    count.className = "story-count";
    count.textContent = "نسخ: " + st.members.length + " · مصادر: " + st.sources.length;
    sum.appendChild(count);
    box.appendChild(sum);
    const ol = document.createElement("ol");
    ol.className = "members";
    for (const m of st.members) {
      const li = document.createElement("li");
      li.dataset.id = m.id;
      const title = document.createElement("span");
      title.className = "m-title";
      title.textContent = m.title || "(بلا عنوان)";
      title.dir = "auto";
      const meta = document.createElement("span");
      meta.className = "m-meta";
      const t = m.published_at || m.ingested_at;
      const parts = [m.source || "?", t ? when(t) : "",
        m.id === st.id ? "الأصل" : (m.similarity != null ? "تشابه " + Math.round(m.similarity * 100) + "٪" : "")];
      for (const text of parts.filter(Boolean)) {  // each part isolated: a Latin source must not reorder the date
        if (meta.childNodes.length) meta.appendChild(document.createTextNode(" · "));
        const part = document.createElement("span");
        part.textContent = text;
        meta.appendChild(part);
      }
      li.append(title, meta);
      ol.appendChild(li);
    }
    box.appendChild(ol);
    return box;
  }

  function storyMatches(st) {
    return st.members.some(matches);
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
    const shown = [...stories.values()].reverse().filter(storyMatches).slice(0, MAX_SHOWN);
    for (const st of shown) box.appendChild(render(st, false));
    if (!shown.length) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = stories.size ? "لا مقالات تطابق التصفية." : "بانتظار المقالات…";
      box.appendChild(p);
    }
  }

  // A story arrives whole (from /stories or a `story` event): a new one goes on top, a known one (a new copy,
  // a new version of a member, a redelivery) is redrawn where it is, never added twice.
  function add(st, live) {
    if (!st || typeof st !== "object" || !st.id) return;
    const box = $("articles");
    const old = box.querySelector(`article[data-story="${CSS.escape(st.id)}"]`);
    if (!st.lead || !st.members || !st.members.length) {  // its last member moved to another story
      stories.delete(st.id);
      if (old) old.remove();
      return;
    }
    stories.set(st.id, st);  // a known story keeps its place in the Map's order
    while (stories.size > 1000) stories.delete(stories.keys().next().value);
    for (const m of st.members) { addOption($("f-source"), m.source); addOption($("f-lang"), m.lang); }
    if (!live) return;
    if (!storyMatches(st)) { if (old) old.remove(); return; }
    const node = render(st, true);
    if (old) {
      const open = old.querySelector("details.story");
      if (open && open.open && node.querySelector("details.story")) node.querySelector("details.story").open = true;
      old.replaceWith(node);
      return;
    }
    const empty = box.querySelector(".empty");
    if (empty) empty.remove();
    box.prepend(node);
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
    const es = connect("/stories/stream", "story", (st) => add(st, true));
    es.onopen = () => { status.textContent = "مباشر"; status.className = "status live"; document.body.dataset.live = "1"; };
    es.onerror = () => { status.textContent = "منقطع، إعادة الاتصال…"; status.className = "status down"; };
    connect("/alerts/stream", "alert", addAlert);
    try {
      const [recent, alerts] = await Promise.all([fetch("/stories?limit=200").then((r) => r.json()),
                                                   fetch("/alerts").then((r) => r.json())]);
      for (const st of recent.reverse()) if (!stories.has(st.id)) add(st, false);
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
