// The observatory page: runs list, per-run charts from the JSON API, live updates over server-sent events.
"use strict";
(() => {
  const $ = id => document.getElementById(id);
  const state = {
    runs: [], open: null, compare: new Set(), data: new Map(), xMode: "step", smoothing: 0.6,
    neuronLang: null, wlLang: null, health: null, updates: 0, lastUpdate: null, source: null,
  };

  const charts = {
    loss: new BF.Chart($("chart-loss"), 280), mixture: new BF.Chart($("chart-mixture"), 230),
    transfer: new BF.Chart($("chart-transfer"), 220), wl: new BF.Chart($("chart-wl"), 220),
  };
  Object.assign(window, { BF_STATE: state, BF_CHARTS: charts }); // read by the browser tests and the page-load benchmark

  // ---------- data ----------
  const { addPoint, addCumulative } = BFSeries;
  const esc = BF.esc;
  const xMapper = run => BFSeries.xMapper(run, state.xMode);
  const api = path => fetch(path).then(r => r.ok ? r.json() : r.json().then(e => Promise.reject(new Error(e.error || r.status))));
  const enc = encodeURIComponent;

  async function loadRun(runId) {
    const [detail, ...parts] = await Promise.all([api(`/api/runs/${enc(runId)}`),
      ...["loss/", "tokens/", "time", "mixture/", "transfer/"].map(p => api(`/api/runs/${enc(runId)}/series?prefix=${enc(p)}`))]);
    const run = { view: detail.run, events: detail.events, layers: detail.layers, series: new Map(), parent: null };
    parts.flat().forEach(s => run.series.set(s.name, s));
    const fork = detail.run.fork;
    if (fork) { // a fork is drawn over its parent's training up to the fork step
      const parent = await api(`/api/runs/${enc(fork.parentRunId)}/series?prefix=${enc("loss/train/")}`).catch(() => null);
      if (parent) run.parent = { runId: fork.parentRunId, step: fork.step, series: new Map(parent.map(s => [s.name, s])) };
    }
    state.data.set(runId, run);
    return run;
  }

  async function loadLayers(runId, prefix) {
    const run = state.data.get(runId);
    if (!run || run.loaded?.[prefix]) return;
    // heatmaps and the middle-layer line read bucket means only
    const list = await api(`/api/runs/${enc(runId)}/series?prefix=${enc(prefix)}&fields=mean,count,last,lastX`);
    list.forEach(s => run.series.set(s.name, s));
    (run.loaded = run.loaded || {})[prefix] = true;
  }

  function applyUpdate(u) {
    state.updates++;
    state.lastUpdate = { kind: u.kind, step: u.step, at: Date.now() };
    if (u.kind === "dead-letter") return;
    const run = state.data.get(u.runId);
    if (!run) return;
    const d = u.data;
    switch (u.kind) {
      case "run": run.view = d; break;
      case "train": {
        addPoint(run, "loss/train/all", u.step, d.loss);
        for (const [l, v] of Object.entries(d.languageLoss)) addPoint(run, "loss/train/" + l, u.step, v);
        addCumulative(run, "tokens/all", u.step, d.tokens);
        for (const [l, n] of Object.entries(d.languageTokens)) addCumulative(run, "tokens/" + l, u.step, n);
        addPoint(run, "time", u.step, d.time);
        for (const [l, w] of Object.entries(d.mixture)) addPoint(run, "mixture/" + l, u.step, w);
        run.view = Object.assign({}, run.view, { lastStep: Math.max(run.view.lastStep, u.step), lastTime: d.time,
          stepsPerSecond: d.stepsPerSecond, tokens: run.view.tokens + d.tokens });
        break;
      }
      case "heldout": for (const [l, v] of Object.entries(d.loss)) addPoint(run, "loss/heldout/" + l, u.step, v); break;
      case "working-language": for (const [l, v] of Object.entries(d.share)) addPoint(run, `wl/${l}/${d.layer}`, u.step, v); break;
      case "neurons":
        run.layers[d.layer] = d.window;
        for (const [l, c] of Object.entries(d.window.specific)) addPoint(run, `neurons/specific/${l}/${d.layer}`, u.step, c);
        break;
      case "transfer": for (const [l, r] of Object.entries(d)) addPoint(run, "transfer/" + l, u.step, r); break;
      case "mixture": case "stage": run.events.push(d); break;
    }
    scheduleRender();
  }

  // ---------- rendering ----------
  let renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(() => requestAnimationFrame(() => { renderQueued = false; render(); }), 200);
  }

  const langsOf = run => (run.view.languages || []).map(l => l.id);
  const newLangsOf = run => (run.view.languages || []).filter(l => l.role === "NEW").map(l => l.id);
  const primaryOf = run => ((run.view.languages || []).find(l => l.role === "PRIMARY") || {}).id;

  function render() {
    renderRuns();
    const run = state.data.get(state.open);
    if (!run) return;
    renderTitle(run);
    renderLoss();
    renderMixture(run);
    renderNeurons(run);
    renderWorkingLanguage(run);
    renderHealth(run);
    document.body.dataset.updates = state.updates;
    document.body.dataset.rendered = Date.now();
  }

  function renderTitle(run) {
    const v = run.view;
    $("run-title").innerHTML = `<h1>${esc(v.runId)}</h1><span class="badge ${v.state}">${v.state}</span>
      <span class="facts">policy <b>${esc(v.policy || "–")}</b> · step <b>${v.lastStep}</b> · <b>${BF.fmtNum(v.tokens)}</b> tokens ·
      <b>${(v.stepsPerSecond || 0).toFixed(2)}</b> steps/s · mixture v<b>${v.mixtureVersion}</b>
      ${state.compare.size ? " · comparing with " + [...state.compare].filter(r => r !== v.runId).map(esc).join(", ") : ""}</span>`;
  }

  /** [xs, ys] of a series' column; {@code breaks}: no line over the steps it has no data (a train loss). */
  function seriesXY(run, name, field, map, breaks) {
    const s = run.series.get(name);
    if (!s) return null;
    const ys = field === "smooth" ? BF.smooth(s.mean, s.count, state.smoothing) : s[field];
    return breaks ? BFSeries.withBreaks(s, s.x.map(map), ys) : [s.x.map(map), ys];
  }

  function renderLoss() {
    const runs = [state.open, ...[...state.compare].filter(r => r !== state.open)].map(r => state.data.get(r)).filter(Boolean);
    const main = runs[0];
    const langs = langsOf(main);
    const tables = [], series = [];
    let band = null;
    runs.forEach((run, ri) => {
      const map = xMapper(run), dash = BF.DASHES[ri % BF.DASHES.length], tag = runs.length > 1 ? ` · ${run.view.runId}` : "";
      if (ri === 0) {
        const min = seriesXY(run, "loss/train/all", "min", map), max = seriesXY(run, "loss/train/all", "max", map);
        if (min) band = { xs: min[0], lo: min[1], hi: max[1] };
      }
      if (ri === 0 && run.parent && !state.compare.has(run.parent.runId)) parentPrefix(run, map, langs, tables, series);
      const all = seriesXY(run, "loss/train/all", "smooth", map);
      if (all) { tables.push(all); series.push({ label: "all" + tag, color: "#1d2330", dash, width: 2 }); }
      for (const l of langsOf(run)) {
        const t = seriesXY(run, "loss/train/" + l, "smooth", map, true);
        if (t) { tables.push(t); series.push({ label: l + tag, color: BF.colorOf(l, langs), dash, breaks: true }); }
        const h = seriesXY(run, "loss/heldout/" + l, "last", map);
        if (h && ri === 0) { tables.push(h); series.push({ label: l + " held-out", color: BF.colorOf(l, langs), dash: [1, 4], width: 1.2, points: true }); }
      }
    });
    if (!tables.length) { charts.loss.update({}); return; }
    const data = uPlot.join(tables);
    const key = "loss|" + state.xMode + "|" + series.map(s => s.label).join(",");
    charts.loss.update({ key, data, series, band, xMode: state.xMode, yLabel: "loss (nats/token)" });
    document.body.dataset.lossPoints = data[0].length;
  }

  /** The parent's train loss up to the fork step, pale, first so the fork's own lines are drawn over it. */
  function parentPrefix(run, map, langs, tables, series) {
    const p = run.parent, tag = ` · ${p.runId} ≤ ${p.step}`;
    for (const l of ["all", ...langsOf(run)]) {
      const s = p.series.get("loss/train/" + l), n = s ? s.x.filter(x => x <= p.step).length : 0;
      if (!n) continue;
      const upTo = { width: s.width, x: s.x.slice(0, n), mean: s.mean.slice(0, n), count: s.count.slice(0, n) };
      tables.push(BFSeries.withBreaks(upTo, upTo.x.map(map), BF.smooth(upTo.mean, upTo.count, state.smoothing)));
      series.push({ label: l + tag, color: BF.colorOf(l, langs) + "66", width: 1.4, breaks: true });
    }
  }

  function renderMixture(run) {
    const langs = langsOf(run), map = xMapper(run);
    const parts = langs.map(l => run.series.get("mixture/" + l)).filter(Boolean);
    if (!parts.length) { charts.mixture.update({}); renderStages(run, map); return; }
    const base = parts.reduce((a, b) => a.x.length >= b.x.length ? a : b);
    const xs = base.x, raw = langs.map(l => {
      const s = run.series.get("mixture/" + l), byX = new Map();
      if (s) s.x.forEach((x, i) => byX.set(x, s.mean[i]));
      return xs.map(x => byX.has(x) ? byX.get(x) : 0);
    });
    const cum = []; let acc = xs.map(() => 0);
    raw.forEach(r => { acc = acc.map((a, i) => a + (r[i] || 0)); cum.push(acc); });
    // weights in force hold from a bucket's start to the next one (stepped), the last up to the last step trained
    const end = base.lastX[base.lastX.length - 1], cols = end > xs[xs.length - 1] ? [...xs, end] : xs;
    const data = [cols.map(map), ...cum.map(c => cols.length > xs.length ? [...c, c[c.length - 1]] : c)];
    const series = langs.map((l, i) => ({ label: l, color: BF.colorOf(l, langs), width: 1, stepped: true,
      fill: i === 0 ? BF.colorOf(l, langs) + "cc" : undefined }));
    const bands = langs.slice(1).map((l, i) => ({ series: [i + 2, i + 1], fill: BF.colorOf(l, langs) + "cc" }));
    const markers = run.events.filter(e => e.kind === "mixture");
    const stages = stageSegments(run);
    const hooks = {
      drawClear: [u => BF.drawStageBands(u, stages, map)],
      draw: [u => BF.drawMarkers(u, markers, map)],
      setCursor: [u => markerTooltip(u, markers, map)],
    };
    charts.mixture.update({ key: "mix|" + state.xMode + "|" + langs.join(",") + "|" + markers.length + "|" + stages.length,
      data, series, bands, hooks, xMode: state.xMode, yLabel: "weight", yRange: [0, 1], yPercent: true });
    renderStages(run, map);
    document.body.dataset.mixturePoints = cols.length;
  }

  /** Per new language: [{from, to, stage}] in steps, from its stage changes up to the run's last step. */
  function stageSegments(run) {
    const out = [];
    for (const l of newLangsOf(run)) {
      const changes = run.events.filter(e => e.kind === "stage" && e.language === l).sort((a, b) => a.step - b.step);
      changes.forEach((c, i) => out.push({ language: l, from: c.step, to: i + 1 < changes.length ? changes[i + 1].step : run.view.lastStep, stage: c.to, reason: c.reason }));
    }
    return out;
  }

  function markerTooltip(u, markers, map) {
    const tip = $("tooltip"), left = u.cursor.left;
    if (left == null || left < 0) { tip.hidden = true; return; }
    let best = null, bestD = 8;
    markers.forEach(m => { const d = Math.abs(u.valToPos(map(m.step), "x") - left); if (d < bestD) { bestD = d; best = m; } });
    if (!best) { tip.hidden = true; return; }
    const r = u.over.getBoundingClientRect();
    const w = Object.entries(best.values || {}).map(([l, v]) => `${esc(l)} ${(v * 100).toFixed(1)}%`).join(" · ");
    tip.innerHTML = `<b>mixture v${best.version}</b> · ${esc(best.policy || "")} · step ${best.step}<br>${w}<br>${esc(best.reason || "")}`;
    tip.style.left = Math.min(window.innerWidth - 390, r.left + left + 12) + "px";
    tip.style.top = (r.top + 8) + "px";
    tip.hidden = false;
  }

  function renderStages(run, map) {
    const segs = stageSegments(run), langs = newLangsOf(run), el = $("stages");
    if (!langs.length) { el.innerHTML = ""; return; }
    const x0 = map(0), x1 = map(Math.max(1, run.view.lastStep));
    el.innerHTML = langs.map(l => `<div class="stage-row"><span style="color:${BF.colorOf(l, langsOf(run))};font-weight:600">${esc(l)}</span><div class="bar">` +
      segs.filter(s => s.language === l).map(s => {
        const a = (map(s.from) - x0) / (x1 - x0) * 100, b = (map(s.to) - x0) / (x1 - x0) * 100;
        return `<div class="seg" title="${esc(s.stage)} from step ${s.from}: ${esc(s.reason || "")}" style="left:${a}%;width:${Math.max(0.4, b - a)}%;background:${BF.STAGE_COLORS[s.stage]}"></div>`;
      }).join("") + `</div></div>`).join("") +
      `<div class="legend-inline">${Object.entries(BF.STAGE_COLORS).map(([k, c]) => `<span><i style="background:${c}"></i>${k.toLowerCase()}</span>`).join("")}</div>`;
  }

  function layerGrid(run, prefix, layers, map) {
    const per = [];
    for (let l = 0; l < layers; l++) per.push(run.series.get(prefix + l));
    const base = per.filter(Boolean).reduce((a, b) => (a && a.x.length >= b.x.length) ? a : b, null);
    if (!base) return null;
    const values = per.map(s => { if (!s) return []; const byX = new Map(); s.x.forEach((x, i) => byX.set(x, s.mean[i])); return base.x.map(x => byX.get(x) ?? null); });
    const xs = base.x.map(map), widths = base.x.map(x => map(x + base.width) - map(x));
    return { xs, widths, values, base };
  }

  function renderNeurons(run) {
    const langs = langsOf(run), layers = run.view.layers || 0, map = xMapper(run);
    if (!state.neuronLang || !langs.includes(state.neuronLang)) state.neuronLang = newLangsOf(run)[0] || langs[0];
    BF.tabs($("neuron-tabs"), langs, state.neuronLang, l => { state.neuronLang = l; ensureLayers(run).then(render); });
    const grid = layerGrid(run, `neurons/specific/${state.neuronLang}/`, layers, map);
    const max = grid ? Math.max(1, ...grid.values.flat().filter(v => v != null)) : 1;
    BF.heatmap($("heat-neurons"), grid ? { ...grid, rows: layers, max, rampName: "count", xMode: state.xMode } : { xs: [], rows: 0 });
    document.body.dataset.neuronCells = grid ? grid.values.flat().filter(v => v != null).length : 0;
    // transfer ratio over time
    const nl = newLangsOf(run), tables = [], series = [];
    nl.forEach(l => { const t = seriesXY(run, "transfer/" + l, "last", map); if (t) { tables.push(t); series.push({ label: l, color: BF.colorOf(l, langs), points: true }); } });
    charts.transfer.update(tables.length ? { key: "tr|" + state.xMode + "|" + series.map(s => s.label), data: uPlot.join(tables), series,
      xMode: state.xMode, yLabel: "transferring / specific", yRange: [0, 1], yPercent: true } : {});
    // overlap matrix of the newest complete window
    const windows = Object.values(run.layers || {});
    const newest = Math.max(-1, ...windows.map(w => w.windowEnd));
    const diag = {}, pairs = {};
    windows.filter(w => w.windowEnd === newest).forEach(w => {
      for (const [l, c] of Object.entries(w.specific)) diag[l] = (diag[l] || 0) + c;
      for (const [k, c] of Object.entries(w.overlap)) pairs[k] = (pairs[k] || 0) + c;
    });
    BF.matrix($("overlap"), langs.filter(l => l in diag), diag, pairs, l => BF.colorOf(l, langs));
  }

  function renderWorkingLanguage(run) {
    const langs = langsOf(run), nl = newLangsOf(run), layers = run.view.layers || 0, map = xMapper(run);
    if (!state.wlLang || !nl.includes(state.wlLang)) state.wlLang = nl[0];
    BF.tabs($("wl-tabs"), nl, state.wlLang, l => { state.wlLang = l; ensureLayers(run).then(render); });
    const grid = state.wlLang ? layerGrid(run, `wl/${state.wlLang}/`, layers, map) : null;
    BF.heatmap($("heat-wl"), grid ? { ...grid, rows: layers, max: 1, rampName: "share", xMode: state.xMode } : { xs: [], rows: 0 });
    document.body.dataset.wlCells = grid ? grid.values.flat().filter(v => v != null).length : 0;
    // middle third of the layers, as the specialization app defines it
    const start = Math.floor(layers / 3), end = Math.max(start + 1, Math.floor((2 * layers + 2) / 3));
    const tables = [], series = [];
    for (const l of nl) {
      const g = layerGrid(run, `wl/${l}/`, layers, x => x);
      if (!g) continue;
      const mean = g.base.x.map((_, i) => { let s = 0, n = 0; for (let r = start; r < end && r < layers; r++) { const v = g.values[r][i]; if (v != null) { s += v; n++; } } return n ? s / n : null; });
      tables.push([g.base.x.map(map), mean]);
      series.push({ label: l, color: BF.colorOf(l, langs), points: true });
    }
    charts.wl.update(tables.length ? { key: "wl|" + state.xMode + "|" + series.map(s => s.label), data: uPlot.join(tables), series,
      xMode: state.xMode, yLabel: "share on the language itself", yRange: [0, 1], yPercent: true } : {});
  }

  function renderHealth(run) {
    const h = state.health || {}, v = run.view, t = h.telemetry || {};
    const kv = (k, val, cls) => `<div class="kv"><span>${k}</span><span class="${cls || ""}">${val}</span></div>`;
    let html = "<h4>Training</h4>" + kv("steps/s", (v.stepsPerSecond || 0).toFixed(2)) + kv("last step", v.lastStep) +
      kv("tokens", BF.fmtNum(v.tokens)) + kv("age of last step", age(v.lastTime));
    html += "<h4>Telemetry</h4>" + (Object.keys(t).length
      ? kv("queue", BF.fmtNum(t.queue_events || 0)) + kv("spool", BF.fmtNum(t.spool_events || 0), t.spool_events ? "state-bad" : "") +
        kv("published", BF.fmtNum(t.sent_events || 0)) + kv("failed", BF.fmtNum(t.failed_events || 0), t.failed_events ? "state-bad" : "")
      : `<div class="kv" style="grid-column:span 2"><span>trainer figures: <code>train --metrics-port</code> (not in this process)</span><span></span></div>`);
    html += "<h4>Streams apps</h4>" + (h.apps || []).map(a => kv(a.app, `${a.state} · lag ${BF.fmtNum(a.lag)}`, a.state === "RUNNING" ? "state-ok" : "state-bad")).join("");
    const dead = Object.entries(h.deadLetters || {});
    html += "<h4>Dead letters</h4>" + (dead.length ? dead.map(([reason, topics]) =>
      kv(esc(reason), Object.values(topics).reduce((a, b) => a + b, 0), "state-bad")).join("") : kv("none", "0", "state-ok"));
    $("health").innerHTML = html;
  }

  function renderRuns() {
    const el = $("runs");
    if (!state.runs.length) { el.innerHTML = `<li class="empty">waiting for runs…</li>`; return; }
    el.innerHTML = state.runs.map(r => `<li class="${r.runId === state.open ? "open" : ""}" data-run="${esc(r.runId)}">
      <input type="checkbox" title="compare" ${state.compare.has(r.runId) ? "checked" : ""}>
      <span class="name" title="${esc(r.runId)}">${esc(r.runId)}</span>
      <span class="meta"><span class="badge ${r.state}">${r.state}</span>${esc(r.policy || "–")} · ${(r.languages || []).map(l => esc(l.id)).join(", ")}</span>
      <span class="meta">step ${r.lastStep} · ${age(r.lastTime || r.startedAt)} ago</span>
      ${r.fork ? `<span class="meta fork">fork of <b>${esc(r.fork.parentRunId)}</b> at step ${r.fork.step}</span>` : ""}</li>`).join("");
    el.querySelectorAll("li[data-run]").forEach(li => {
      const id = li.dataset.run;
      li.querySelector("input").onclick = e => { e.stopPropagation(); toggleCompare(id, e.target.checked); };
      li.onclick = () => openRun(id);
    });
  }

  function age(t) {
    if (!t) return "–";
    const s = Math.max(0, (Date.now() - t) / 1000);
    return s < 90 ? Math.round(s) + " s" : s < 5400 ? Math.round(s / 60) + " min" : (s / 3600).toFixed(1) + " h";
  }

  // ---------- navigation and live updates ----------
  async function ensureLayers(run) {
    const id = run.view.runId;
    await Promise.all([state.neuronLang && loadLayers(id, `neurons/specific/${state.neuronLang}/`),
      ...newLangsOf(run).map(l => loadLayers(id, `wl/${l}/`))].filter(Boolean));
  }

  async function openRun(id) {
    state.open = id;
    writeHash();
    const run = await loadRun(id);
    await Promise.all([...state.compare].filter(r => r !== id).map(loadRun));
    if (!state.neuronLang || !langsOf(run).includes(state.neuronLang)) state.neuronLang = newLangsOf(run)[0] || langsOf(run)[0];
    await ensureLayers(run);
    listen();
    render();
    document.body.dataset.loaded = id;
    if (!performance.getEntriesByName("bf:charts-drawn").length) { // navigation start → every chart drawn (uPlot draws
      requestAnimationFrame(() => {                                     // in a microtask, before the next frame)
        if (!performance.getEntriesByName("bf:charts-drawn").length)
          document.body.dataset.firstPaint = Math.round(performance.mark("bf:charts-drawn").startTime);
      });
    }
  }

  async function toggleCompare(id, on) {
    if (on) { state.compare.add(id); await loadRun(id); } else state.compare.delete(id);
    if (!state.open) { await openRun(id); return; }
    writeHash();
    listen();
    render();
  }

  function listen() {
    if (state.source) state.source.close();
    if (!state.live) return;
    const runs = [state.open, ...state.compare].filter(Boolean);
    const src = new EventSource("/api/events?" + runs.map(r => "run=" + enc(r)).join("&"));
    src.addEventListener("update", e => applyUpdate(JSON.parse(e.data)));
    src.addEventListener("reset", () => state.open && openRun(state.open));
    src.onopen = () => { $("live").className = "live on"; $("live").textContent = "live"; };
    src.onerror = () => { $("live").className = "live off"; $("live").textContent = "reconnecting…"; };
    state.source = src;
  }

  function writeHash() {
    const p = new URLSearchParams();
    if (state.open) p.set("run", state.open);
    if (state.compare.size) p.set("compare", [...state.compare].join(","));
    history.replaceState(null, "", "#" + p.toString());
  }

  async function refreshRuns() {
    try {
      state.runs = await api("/api/runs");
      if (!state.open && state.runs.length) await openRun(state.runs[0].runId);
      renderRuns();
    } catch (e) { /* the server restarts or rebalances: next poll */ }
  }

  async function refreshHealth() {
    try { state.health = await api("/api/health"); const run = state.data.get(state.open); if (run) renderHealth(run); } catch (e) { }
  }

  $("xaxis").onchange = e => { state.xMode = e.target.value; render(); };
  $("smoothing").oninput = e => { state.smoothing = +e.target.value; $("smoothing-value").textContent = state.smoothing.toFixed(2); render(); };

  (async () => {
    const p = new URLSearchParams(location.hash.slice(1));
    (p.get("compare") || "").split(",").filter(Boolean).forEach(r => state.compare.add(r));
    state.live = p.get("live") !== "0"; // live=0: a still page, e.g. for a headless screenshot
    if (p.get("x")) { state.xMode = p.get("x"); $("xaxis").value = state.xMode; }
    await refreshHealth();
    if (p.get("run")) await openRun(p.get("run")).catch(() => { state.open = null; });
    await refreshRuns();
    setInterval(refreshRuns, 3000);
    setInterval(refreshHealth, 2000);
  })();
})();
