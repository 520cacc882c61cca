// escalation studio: the page. Plain JavaScript, no build step. The server
// does the work (validation, diagrams, schedules, the engine); this draws
// what it answers and redraws when it says the folder changed.
"use strict";

const $ = (id) => document.getElementById(id);
const views = ["problems", "picture", "timeline", "play", "scenarios", "document"];
let state = null;          // the last /api/state
let file = "";             // the chosen policy file
const lastGood = {};       // the last policy view that loaded, by file
let story = null;          // the case being played: {raise, steps}
let drawing = 0;           // numbers diagram renders, so a late one is dropped

// el makes an element: el("li", {class: "x"}, "text", child, ...).
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) {
    if (k !== undefined && k !== null && k !== false) e.append(k instanceof Node ? k : String(k));
  }
  return e;
}

async function api(path, body) {
  const opts = body === undefined ? {} : {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const res = await fetch(path, opts);
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch (e) { data = {error: text.trim()}; }
  return {status: res.status, ok: res.ok, data};
}

function policy() {
  return state ? state.policies.find((p) => p.file === file) : null;
}

// The policy view to draw from: the current one, or the last one that
// loaded while the file has errors.
function usable() {
  const p = policy();
  return p && p.loaded ? p : lastGood[file] || null;
}

// ---- the frame: views, the policy choice, the status ----

function currentView() {
  const v = location.hash.slice(1);
  return views.includes(v) ? v : (state && state.errors > 0 ? "problems" : "picture");
}

function showView() {
  const v = currentView();
  for (const name of views) {
    $("view-" + name).hidden = name !== v;
    document.querySelector(`nav a[data-view="${name}"]`).classList.toggle("active", name === v);
  }
  return render(v);
}

async function render(v) {
  if (!state) return;
  switch (v) {
    case "problems": renderProblems(); break;
    case "picture": await renderPicture(); break;
    case "timeline": await renderTimeline(); break;
    case "play": await renderPlay(); break;
    case "scenarios": renderScenarios(); break;
    case "document": await renderDocument(); break;
  }
}

function renderFrame() {
  $("folder").textContent = state.dir;
  const choice = $("policy");
  const files = state.policies.map((p) => p.file);
  if (!files.includes(file)) file = files[0] || "";
  choice.replaceChildren(...files.map((f) => el("option", {value: f, selected: f === file}, f)));
  $("policy-choice").hidden = files.length < 2;
  const status = $("status");
  const failing = state.scenarios.filter((s) => !s.ok).length;
  status.textContent = `${plural(state.errors, "error")}, ${plural(state.warnings, "warning")}; ` +
    `${state.scenarios.length - failing} of ${plural(state.scenarios.length, "scenario")} passing`;
  status.className = "status " + (state.errors > 0 || failing > 0 ? "bad" : "good");
  const cp = $("count-problems");
  cp.textContent = state.problems.length;
  cp.className = "count " + (state.errors > 0 ? "bad" : "");
  const cs = $("count-scenarios");
  cs.textContent = failing > 0 ? `${failing} failing` : state.scenarios.length;
  cs.className = "count " + (failing > 0 ? "bad" : state.scenarios.length ? "good" : "");
  for (const p of state.policies) if (p.loaded) lastGood[p.file] = p;
}

function plural(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }

// ---- Problems ----

function renderProblems() {
  const list = $("problems");
  if (state.problems.length === 0) {
    list.replaceChildren(el("li", {class: "empty"}, "No problems: every file in the folder validates."));
    return;
  }
  list.replaceChildren(...state.problems.map((p) => {
    const where = p.file + (p.line ? `:${p.line}` + (p.column ? `:${p.column}` : "") : "");
    const context = el("pre", {class: "context"}, ...(p.context || []).map((l) =>
      el("span", {class: l.n === p.line ? "l hit" : "l"}, `${String(l.n).padStart(4)} | ${l.text}`)));
    const li = el("li", {class: p.severity, "data-line": p.line, "data-file": p.file},
      el("span", {class: "sev"}, p.severity), el("span", {class: "where"}, where), " ", el("strong", {}, p.message),
      el("pre", {class: "snippet"}, p.text.split("\n").slice(1).join("\n").trimEnd() || p.hint || ""),
      context);
    li.addEventListener("click", () => li.classList.toggle("open"));
    return li;
  }));
}

// ---- The picture ----

async function renderPicture() {
  const p = usable();
  const note = $("picture-note");
  const current = policy();
  note.hidden = !(current && !current.loaded);
  note.textContent = lastGood[file]
    ? "The policy file has errors (see Problems): this is the last version that loaded."
    : "The policy file has errors (see Problems), so there is nothing to draw yet.";
  const box = $("diagram");
  box.classList.toggle("stale", !!(current && !current.loaded));
  if (!p) { box.replaceChildren(); return; }
  if (box.dataset.drawn === p.mermaid) return;
  const n = ++drawing;
  let svg;
  try {
    ({svg} = await window.mermaid.render("chart" + n, p.mermaid));
  } catch (err) {
    note.hidden = false;
    note.textContent = `Mermaid could not draw the chart: ${err.message || err}`;
    return;
  }
  if (n !== drawing) return;
  box.innerHTML = svg; // Mermaid's own output, from the server's text, sanitised by Mermaid (securityLevel strict)
  box.dataset.drawn = p.mermaid;
  const nodes = new Map(p.nodes.map((nd) => [nd.node, nd]));
  for (const g of box.querySelectorAll("g.node")) {
    const m = /flowchart-(.+)-\d+$/.exec(g.id);
    const nd = m && nodes.get(m[1]);
    if (!nd) continue;
    g.dataset.node = nd.node;
    g.addEventListener("click", () => {
      for (const o of box.querySelectorAll("g.node.chosen")) o.classList.remove("chosen");
      g.classList.add("chosen");
      showNode(nd);
    });
  }
  const chosen = $("node").dataset.node;
  if (chosen && nodes.has(chosen)) showNode(nodes.get(chosen));
}

function showNode(nd) {
  const box = $("node");
  box.dataset.node = nd.node;
  const section = (title, items) => items && items.length ? [el("h3", {}, title), el("ul", {}, ...items)] : [];
  box.replaceChildren(
    el("h2", {}, nd.title),
    el("p", {class: "muted"}, `${nd.kind} `, el("code", {}, nd.id), nd.line ? ` · line ${nd.line}` : "", nd.description ? ` · ${nd.description}` : ""),
    ...section("Who is involved", (nd.roles || []).map((r) => el("li", {}, r.title, " ", el("code", {}, r.id)))),
    ...section("What must happen, by when", (nd.duties || []).map((d) => el("li", {},
      el("strong", {}, d.title), " ", el("code", {}, d.id), el("br"),
      `${d.within}, ${d.from}`, d.owner ? ` · owed by ${d.owner}` : "",
      d.expedite ? el("span", {class: "expedited"}, ` · ${d.expedite}`) : ""))),
    ...section("What must be recorded", (nd.records || []).map((r) => el("li", {}, r.text, r.form ? [" (on ", el("code", {}, r.form), ")"] : ""))),
    ...section("Forms", (nd.forms || []).map((f) => el("li", {}, f.title, " ", el("code", {}, f.id)))),
    ...section("Ways out", (nd.transitions || []).map((t) => el("li", {},
      el("code", {}, t.event), t.to ? ` → ${t.to}` : " (stays)", ` · by ${t.roles.join(", ")}`,
      t.when ? [" · when ", el("code", {}, t.when)] : "", t.any ? " · any stage" : "", t.note ? el("div", {class: "muted"}, t.note) : ""))),
    ...section("Sources", (nd.sources || []).map((s) => el("li", {},
      el("span", {class: "muted"}, s.what + ": "),
      s.assumption ? [el("strong", {}, "Assumption: "), s.assumption] : [el("span", {class: "quote"}, `“${s.quote || ""}”`), ` (${s.file})`]))));
}

// ---- Facts, as inputs ----

function factInputs(box, facts, values, prefix, onchange) {
  const legend = box.querySelector("legend");
  box.replaceChildren(legend);
  box.hidden = !facts || facts.length === 0;
  for (const f of facts || []) {
    const id = prefix + f.id;
    const v = values[f.id] !== undefined ? values[f.id] : f.default;
    let input;
    switch (f.type) {
      case "bool": input = el("input", {type: "checkbox", id, checked: v === true}); break;
      case "enum": input = el("select", {id}, ...f.values.map((x) => el("option", {value: x, selected: x === v}, x))); break;
      case "int": input = el("input", {type: "number", step: 1, id, value: v ?? 0}); break;
      case "date": input = el("input", {type: "date", id, value: v ?? ""}); break;
      case "list": input = el("input", {type: "text", id, value: (v || []).join(", "), placeholder: "a, b"}); break;
      default: input = el("input", {type: "text", id, value: v ?? ""});
    }
    input.dataset.fact = f.id;
    input.dataset.type = f.type;
    input.addEventListener("change", onchange);
    box.append(el("label", {title: f.description}, f.type === "bool" ? [input, f.id] : [f.id, input]));
  }
}

function factValues(box) {
  const out = {};
  for (const input of box.querySelectorAll("[data-fact]")) {
    const t = input.dataset.type;
    if (t === "bool") out[input.dataset.fact] = input.checked;
    else if (t === "int") out[input.dataset.fact] = Number(input.value || 0);
    else if (t === "list") out[input.dataset.fact] = input.value.split(",").map((s) => s.trim()).filter(Boolean);
    else if (t === "date") { if (input.value) out[input.dataset.fact] = input.value; }
    else out[input.dataset.fact] = input.value;
  }
  return out;
}

// ---- The timeline ----

let timelineFile = null;
let scheduling = 0; // numbers timeline requests, so a late answer is dropped

async function renderTimeline() {
  const p = usable();
  if (!p) { $("timeline").replaceChildren(el("p", {class: "note"}, "The policy file has errors (see Problems).")); return; }
  if (timelineFile !== p.file + "\n" + JSON.stringify(p.facts || [])) {
    timelineFile = p.file + "\n" + JSON.stringify(p.facts || []);
    const keep = factValues($("tl-facts"));
    factInputs($("tl-facts"), p.facts, keep, "tl-", () => {}); // the form's own change listener redraws
  }
  if (!$("tl-date").value) $("tl-date").value = new Date().toISOString().slice(0, 10);
  const n = ++scheduling;
  const raised = `${$("tl-date").value}T${$("tl-time").value || "09:00"}`;
  const res = await api("/api/timeline", {file: p.file, raised, facts: factValues($("tl-facts"))});
  if (n !== scheduling) return; // a newer request is under way
  const box = $("timeline");
  box.dataset.raised = raised; // what the schedule shows, for people and tests alike
  if (!res.ok) { box.replaceChildren(el("p", {class: "refused"}, res.data.error)); return; }
  const t = res.data;
  const holidays = new Set(t.holidays.map((h) => h.long));
  box.replaceChildren(
    el("p", {}, `Raised ${t.raised}. `, t.last ? `The last duty, ${t.last}.` : "No stage states a timescale."),
    t.holidays.length
      ? el("div", {class: "holidays", id: "holidays"}, el("strong", {}, "Days off in the way"),
          el("ul", {}, ...t.holidays.map((h) => el("li", {}, `${h.long}: ${h.name}`,
            h.kind ? el("span", {class: "muted"}, ` (${h.kind}${h.source ? `: ${h.source}` : ""})`) : ""))))
      : el("div", {class: "holidays", id: "holidays"}, "No bank holiday falls in this time."),
    ...t.stages.map((s, i) => el("div", {class: "stage", "data-stage": s.id},
      el("h3", {}, `${i + 1}. ${s.title}`),
      el("p", {class: "muted"}, `Starts ${s.entered}`),
      duties(s, holidays),
      (s.only_if || []).length ? el("p", {class: "muted"}, "Owed only once something a case that stays unresolved never reaches: ",
        ...s.only_if.map((o, j) => [j ? "; " : "", el("code", {}, o.obligation), ` (${o.within}, from “${o.milestone}”)`])) : "")),
    ...(t.branches || []).map((b) => el("div", {class: "stage", "data-stage": b.id},
      el("h3", {}, `Off the ladder: ${b.title}`),
      el("p", {class: "muted"}, `Reached only by ${b.routes.join(", ")}: its dates depend on when that happens.`))),
    ...(t.outcomes || []).map((o) => el("div", {class: "stage", "data-outcome": o.id},
      el("h3", {}, `After the outcome: ${o.title}`),
      el("p", {class: "muted"}, `If the case ends there when the ladder does, ${o.reached}`),
      duties(o, holidays))));
}

// duties is the table of what a stage or an outcome owes: its deadlines
// (an urgent one's is its backstop), then the duties without one.
function duties(s, holidays) {
  const row = (id, what) => el("tr", {}, el("td", {}, el("code", {}, id)), el("td", {}, what), el("td"));
  return el("table", {}, el("tbody", {}, ...s.deadlines.map((d) => el("tr", {},
    el("td", {}, el("code", {}, d.obligation), el("div", {class: "muted"}, d.title)),
    el("td", {}, el("span", {class: d.expedited ? "expedited" : ""}, d.within), el("div", {class: "muted"}, d.from),
      d.urgent ? el("div", {class: "muted"}, "as soon as possible; this is the latest") : ""),
    el("td", {}, el("strong", {}, d.due), explain(d.steps, holidays)))),
    ...(s.urgent || []).map((id) => row(id, "as soon as possible")),
    ...(s.untimed || []).map((id) => row(id, "no timescale stated")),
    ...(s.by_case || []).map((id) => row(id, "from a date the case has not given")),
    ...(s.not_owed || []).map((id) => row(id, "not owed: its condition does not hold"))));
}

// explain is a due date's day-by-day count, folded.
function explain(steps, holidays) {
  if (!steps || steps.length === 0) return "";
  return el("details", {}, el("summary", {}, "day by day"),
    el("table", {class: "days"}, el("tbody", {}, ...steps.map((s) => el("tr",
      {class: s.counted ? "" : (holidays && holidays.has(s.date) ? "off holiday" : "off")},
      el("td", {}, s.date), el("td", {}, s.counted ? `day ${s.day}` : s.reason))))));
}

// ---- Play a case ----

let playFile = null;

function roleOptions(select, roles, keep) {
  const v = keep || select.value;
  select.replaceChildren(...roles.map((r) => el("option", {value: r.id, selected: r.id === v}, `${r.title} (${r.id})`)));
}

async function renderPlay() {
  const p = usable();
  if (!p) return;
  if (playFile !== p.file + "\n" + JSON.stringify([p.roles, p.facts])) {
    playFile = p.file + "\n" + JSON.stringify([p.roles, p.facts]);
    roleOptions($("pl-role"), p.roles, $("pl-role").value || "practitioner");
    roleOptions($("act-role"), p.roles, $("act-role").value);
    factInputs($("pl-facts"), p.facts, factValues($("pl-facts")), "pl-", () => {});
  }
  if (!$("pl-at").value) $("pl-at").value = new Date().toISOString().slice(0, 11) + "09:00";
  if (story) await replay();
}

function lastTime() {
  return story.steps.length ? story.steps[story.steps.length - 1].at : story.raise.at;
}

let replaying = 0; // numbers play requests, so a late answer is dropped
let caseFacts = {};  // the case's facts after the last accepted step
let factsShown = -1; // the step count the fact inputs were drawn for

async function replay() {
  const p = usable();
  const view = {role: $("act-role").value, by: $("act-by").value, at: $("act-at").value || lastTime()};
  const n = ++replaying;
  const res = await api("/api/play", {file: p.file, raise: story.raise, steps: story.steps, view});
  if (n !== replaying) return; // a newer request is under way
  const refused = $("pl-refused");
  if (!res.ok) { refused.hidden = false; refused.textContent = res.data.error; return; }
  const v = res.data;
  if (v.refused) {
    // The engine refused the newest step: drop it and say why.
    story.steps = story.steps.slice(0, v.accepted);
    refused.hidden = false;
    refused.textContent = `Refused: ${v.refused.message}`;
  } else {
    refused.hidden = true;
  }
  $("play").hidden = false;
  caseFacts = v.facts || {};
  if (factsShown !== v.accepted) {
    // Drawn again only when the case moves on, so edits survive a change of role or time.
    factsShown = v.accepted;
    factInputs($("act-facts"), p.facts, caseFacts, "act-", () => {});
  }
  $("pl-where").textContent = v.outcome ? `Closed: ${v.title} (${v.outcome})` : `At ${v.title} (${v.stage})`;
  $("pl-where").dataset.stage = v.stage || "";
  $("pl-where").dataset.outcome = v.outcome || "";
  renderForms(v);
  $("available").replaceChildren(...(v.outcome ? [el("li", {class: "no"}, "The case is closed: nothing more can be fired.")] : []),
    ...v.available.map((a) => a.allowed
      ? el("li", {}, el("button", {type: "button", class: "fire", "data-event": a.event, onclick: () => fire(a.event)}, `Fire ${a.event}`),
          a.to ? ` → ${a.to}` : " (stays at the stage)")
      : el("li", {class: "no"}, el("button", {type: "button", class: "try", "data-event": a.event, onclick: () => fire(a.event),
          title: "Fire it anyway, with the facts that change with the event: the engine says why not, or takes it"}, "Try"),
        " ", el("code", {}, a.event), ": ", (a.why || []).join("; "))));
  // Whose view the list shows, for people and tests alike.
  $("available").dataset.role = view.role;
  $("available").dataset.at = view.at;
  $("due").replaceChildren(...v.due.map((d) => el("tr", {},
    el("td", {}, el("code", {}, d.id), el("div", {class: "muted"}, d.title)),
    el("td", {}, d.owner || ""),
    el("td", {}, el("span", {class: "badge " + d.status}, d.status), d.expedited ? el("div", {class: "expedited"}, "expedited") : "",
      d.met ? el("div", {class: "muted"}, `met ${d.met}${d.late ? ", late" : ""}`) : ""),
    el("td", {}, d.due ? [d.due, explain(d.steps)] : (d.status === "waiting" ? "not yet counting" : "no timescale stated")))));
  $("record").replaceChildren(...v.record.map((e) => el("li", {},
    el("strong", {}, e.event), ` by ${e.actor} (${e.role}), ${e.at}`,
    el("div", {class: "muted"}, e.from ? `${e.from} → ${e.to || "stays"}` : `raised at ${e.to}`, e.guard ? ` · allowed by ${e.guard}` : "", e.note ? ` · “${e.note}”` : ""))));
}

// renderForms shows inputs for the forms the current stage's events need.
function renderForms(v) {
  const p = usable();
  const wanted = new Set(v.available.flatMap((a) => a.forms || []));
  const box = $("act-forms");
  const keep = formValues();
  box.replaceChildren(...(p.forms || []).filter((f) => wanted.has(f.id)).map((f) => el("fieldset", {class: "facts", "data-form": f.id},
    el("legend", {}, `${f.title} (needed by ${v.available.filter((a) => (a.forms || []).includes(f.id)).map((a) => a.event).join(", ")})`),
    ...f.fields.filter((fd) => !fd.stages || fd.stages.includes(v.stage)).map((fd) => el("label", {},
      fd.id + (fd.required ? " *" : ""),
      fd.type === "enum"
        ? el("select", {"data-field": fd.id}, el("option", {value: ""}, ""), ...(fd.values || []).map((x) => el("option", {value: x, selected: keep[f.id] && keep[f.id][fd.id] === x}, x)))
        : el("input", {"data-field": fd.id, "data-type": fd.type, type: fd.type === "date" ? "date" : fd.type === "int" ? "number" : fd.type === "bool" ? "checkbox" : "text",
            value: keep[f.id] && typeof keep[f.id][fd.id] === "string" ? keep[f.id][fd.id] : undefined, title: fd.title}))))));
}

function formValues() {
  const out = {};
  for (const fs of document.querySelectorAll("#act-forms [data-form]")) {
    const fields = {};
    for (const input of fs.querySelectorAll("[data-field]")) {
      if (input.type === "checkbox") { if (input.checked) fields[input.dataset.field] = true; }
      else if (input.value !== "") fields[input.dataset.field] = input.dataset.type === "int" ? Number(input.value) : input.value;
    }
    if (Object.keys(fields).length) out[fs.dataset.form] = fields;
  }
  return out;
}

async function fire(event) {
  const step = {event, at: $("act-at").value || lastTime(), by: $("act-by").value || $("act-role").value, role: $("act-role").value};
  const forms = formValues();
  if (Object.keys(forms).length) step.forms = forms;
  const facts = {};
  for (const [id, value] of Object.entries(factValues($("act-facts")))) {
    if (JSON.stringify(value) !== JSON.stringify(caseFacts[id])) facts[id] = value;
  }
  if (Object.keys(facts).length) step.facts = facts;
  if ($("act-note").value) step.note = $("act-note").value;
  story.steps.push(step);
  $("act-note").value = "";
  await replay();
}

async function raise(ev) {
  ev.preventDefault();
  story = {raise: {at: $("pl-at").value, by: $("pl-by").value, role: $("pl-role").value, facts: factValues($("pl-facts"))}, steps: []};
  factsShown = -1;
  $("act-at").value = $("pl-at").value;
  $("sv-result").textContent = "";
  await replay();
}

async function save(ev, overwrite) {
  if (ev) ev.preventDefault();
  const p = usable();
  const res = await api("/api/save", {name: $("sv-name").value, title: $("sv-title").value, overwrite: !!overwrite,
    play: {file: p.file, raise: story.raise, steps: story.steps, view: {}}});
  const out = $("sv-result");
  if (res.ok && res.data.exists) {
    if (window.confirm(`${res.data.file} already exists. Replace it with this story?`)) return save(null, true);
    out.textContent = `Not saved: ${res.data.file} already exists.`;
    return;
  }
  if (!res.ok) { out.textContent = `Not saved: ${res.data.error}`; return; }
  const r = res.data.result;
  out.dataset.file = res.data.file;
  out.textContent = `Saved ${res.data.file}: ${r.ok ? "it passes" : "it FAILS"} (${r.passed} expectations passed, ${r.failed} failed).`;
}

// ---- Scenarios ----

function renderScenarios() {
  const list = $("scenarios");
  if (state.scenarios.length === 0) {
    list.replaceChildren(el("li", {class: "empty"}, "No scenario files yet: play a case and save it as a scenario."));
    return;
  }
  list.replaceChildren(...state.scenarios.map((s) => el("li", {class: s.ok ? "ok" : "fail", "data-file": s.file},
    el("span", {class: "badge " + (s.ok ? "ok" : "fail")}, s.ok ? "ok" : "FAIL"), " ", el("code", {}, s.file), " ", s.title,
    el("div", {class: "muted"}, `${s.passed} passed, ${s.failed} failed` + (s.not_run ? `, ${s.not_run} not run` : "")),
    s.error ? el("p", {class: "refused"}, s.error) : "",
    ...s.failures.map((f) => el("div", {class: "failure"},
      el("div", {}, el("strong", {}, `line ${f.line}: `), `expected ${f.expected}, got ${f.actual}`),
      el("pre", {}, ...f.context.map((l) => el("span", {class: l.n === f.line ? "l hit" : "l"}, `${String(l.n).padStart(4)} | ${l.text}`))))))));
}

// ---- The document ----

async function renderDocument() {
  const p = usable();
  const box = $("document");
  if (!p) { box.replaceChildren(el("p", {class: "note"}, "The policy file has errors (see Problems).")); return; }
  delete box.dataset.drawn;
  const res = await api("/api/doc?file=" + encodeURIComponent(p.file));
  if (!res.ok) { box.replaceChildren(el("p", {class: "refused"}, res.data.error)); return; }
  box.innerHTML = res.data.html; // rendered and escaped by the server (markdown.go)
  // The document's diagram, drawn as the Picture is.
  for (const pre of box.querySelectorAll("pre.mermaid")) {
    try {
      const {svg} = await window.mermaid.render("doc" + (++drawing), pre.textContent);
      const figure = el("figure", {class: "diagram"});
      figure.innerHTML = svg; // Mermaid's own output, sanitised by Mermaid (securityLevel strict)
      pre.replaceWith(figure);
    } catch (err) {
      pre.before(el("p", {class: "note"}, `Mermaid could not draw this chart: ${err.message || err}`));
    }
  }
  box.dataset.drawn = "yes";
}

// ---- Keeping up with the folder ----

let loading = Promise.resolve();
let answering = true; // false while the studio does not answer

async function load() {
  const res = await api("/api/state");
  if (!res.ok) { $("status").textContent = res.data.error || "The studio did not answer."; $("status").className = "status bad"; return; }
  state = res.data;
  answering = true;
  renderFrame();
  await showView();
  // Tests and people can read which version the page shows, once drawn.
  document.body.dataset.version = state.version;
}

// reload fetches the state once at a time; announcements that come while
// it is under way are looked at when it is done, so one save draws once.
let inflight = false, again = false, latest = 0; // latest: the newest version announced
function reload() {
  if (inflight) { again = true; return; }
  inflight = true;
  loading = loading.then(load, load).catch(stopped).finally(() => {
    inflight = false;
    if (again) {
      again = false;
      if (!state || latest !== state.version || !answering) reload();
    }
  });
}

// stopped says the studio is not answering: it was stopped, or the machine
// is asleep. The page keeps what it shows and catches up when it answers.
function stopped() {
  answering = false;
  $("status").textContent = "The studio is not answering: is escalation studio still running?";
  $("status").className = "status bad";
}

function start() {
  window.mermaid.initialize({startOnLoad: false, securityLevel: "strict", theme: "default", flowchart: {useMaxWidth: true, wrappingWidth: 320}});
  window.addEventListener("hashchange", () => { loading = loading.then(showView, showView); });
  $("policy").addEventListener("change", (e) => { file = e.target.value; story = null; $("play").hidden = true; showView(); });
  $("timeline-form").addEventListener("change", () => renderTimeline());
  $("timeline-form").addEventListener("submit", (e) => e.preventDefault());
  $("raise-form").addEventListener("submit", raise);
  $("act-form").addEventListener("change", () => story && replay());
  $("act-form").addEventListener("submit", (e) => e.preventDefault());
  $("pl-undo").addEventListener("click", () => { if (story && story.steps.length) { story.steps.pop(); replay(); } });
  $("pl-reset").addEventListener("click", () => { story = null; $("play").hidden = true; });
  $("save-form").addEventListener("submit", (e) => save(e, false));
  $("print").addEventListener("click", () => window.print());
  const events = new EventSource("/api/events");
  events.addEventListener("error", () => { if (events.readyState !== EventSource.OPEN) stopped(); });
  events.addEventListener("version", (e) => {
    latest = Number(e.data);
    if (!state || latest !== state.version || !answering) reload();
  });
  reload();
}

document.addEventListener("DOMContentLoaded", start);
