// Chart helpers for the observatory page: uPlot line/area charts, canvas heatmaps, the overlap matrix.
"use strict";
const BF = (() => {
  const PALETTE = ["#3b6fb6", "#e07b24", "#3a9a5b", "#d1423f", "#7d5bb0", "#2a9fa8", "#b8862b", "#d0609f", "#6b7385", "#94a534"];
  const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  const STAGE_COLORS = { TRANSLATION: "#f3c9a2", TRANSITION: "#f6e39b", STABILIZATION: "#b9e0c0" };

  const colorOf = (lang, langs) => lang === "all" ? "#1d2330" : PALETTE[Math.max(0, langs.indexOf(lang)) % PALETTE.length];

  /** Exponential smoothing of bucket means, each bucket weighted by how many steps it summarises. */
  function smooth(mean, count, s) {
    if (!s) return mean;
    const out = new Array(mean.length);
    let acc = null;
    for (let i = 0; i < mean.length; i++) {
      const v = mean[i];
      if (v == null) { out[i] = acc; continue; }
      const keep = Math.pow(s, Math.max(1, count ? count[i] : 1));
      acc = acc == null ? v : acc * keep + v * (1 - keep);
      out[i] = acc;
    }
    return out;
  }

  function fmtNum(v) {
    if (v == null || !isFinite(v)) return "–";
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(2) + "G";
    if (a >= 1e6) return (v / 1e6).toFixed(2) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + "k";
    if (Number.isInteger(v) || a >= 100) return v.toFixed(0);
    if (a >= 1) return v.toFixed(2);
    return v.toFixed(3);
  }

  function fmtX(mode) {
    if (mode === "time") return v => {
      const s = Math.round(v), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
      return h ? `${h}h${String(m).padStart(2, "0")}` : `${m}:${String(sec).padStart(2, "0")}`;
    };
    return fmtNum;
  }

  /** A uPlot chart that follows its element's width; data and series are replaced on every update. */
  class Chart {
    constructor(el, height) { this.el = el; this.height = height; this.plot = null; this.key = null;
      new ResizeObserver(() => this.plot && this.plot.setSize({ width: this.el.clientWidth, height: this.height })).observe(el); }
    /** spec: {key, series: [{label, color, dash, width, fill, band}], data, xMode, yLabel, yRange, hooks, bands} */
    update(spec) {
      if (!spec.data || spec.data[0].length === 0) { this.clear("no data yet"); return; }
      this.band = spec.band; // read by the draw hook, so a live update moves it too
      if (this.plot && this.key === spec.key) { this.plot.setData(spec.data); return; }
      this.clear();
      this.key = spec.key;
      const xfmt = fmtX(spec.xMode);
      const opts = {
        width: this.el.clientWidth || 600, height: this.height,
        scales: { x: { time: false }, y: spec.yRange ? { range: spec.yRange } : { auto: true } },
        axes: [
          { values: (u, vals) => vals.map(xfmt), stroke: "#6b7385", grid: { stroke: "#eef0f4" }, size: 36,
            label: spec.xMode === "time" ? "wall time since start" : spec.xMode, labelSize: 16, font: "11px system-ui", labelFont: "11px system-ui" },
          { values: (u, vals) => vals.map(v => spec.yPercent ? Math.round(v * 100) + "%" : fmtNum(v)), stroke: "#6b7385",
            grid: { stroke: "#eef0f4" }, size: 50, label: spec.yLabel, labelSize: 16, font: "11px system-ui", labelFont: "11px system-ui" },
        ],
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false }, points: { size: 5 } },
        series: [{ label: spec.xMode, value: (u, v) => v == null ? "–" : xfmt(v) }].concat(spec.series.map(s => ({
          label: s.label, stroke: s.color, width: s.width || 1.6, dash: s.dash || [], fill: s.fill, spanGaps: !s.breaks,
          paths: s.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
          show: s.show !== false, points: { show: s.points || false, size: 4, fill: s.color },
          value: (u, v) => v == null ? "–" : (spec.yPercent ? (v * 100).toFixed(1) + "%" : fmtNum(v)),
        }))),
        bands: spec.bands || [],
        hooks: Object.assign({}, spec.hooks || {}, spec.band ? { drawClear: [u => this.drawBand(u)] } : {}),
      };
      this.plot = new uPlot(opts, spec.data, this.el);
    }
    /** A min–max band (a spike stays visible however the line is smoothed). */
    drawBand(u) {
      const b = this.band;
      if (!b || !b.xs.length) return;
      const g = u.ctx, pts = [];
      for (let i = 0; i < b.xs.length; i++) if (b.lo[i] != null && b.hi[i] != null) pts.push(i);
      if (!pts.length) return;
      g.save();
      g.beginPath();
      g.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      g.clip();
      g.beginPath();
      pts.forEach((i, k) => { const x = u.valToPos(b.xs[i], "x", true), y = u.valToPos(b.hi[i], "y", true); k ? g.lineTo(x, y) : g.moveTo(x, y); });
      for (let k = pts.length - 1; k >= 0; k--) { const i = pts[k]; g.lineTo(u.valToPos(b.xs[i], "x", true), u.valToPos(b.lo[i], "y", true)); }
      g.closePath();
      g.fillStyle = b.color || "rgba(29,35,48,0.12)";
      g.fill();
      g.restore();
    }
    clear(message) {
      if (this.plot) { this.plot.destroy(); this.plot = null; }
      this.key = null;
      this.el.innerHTML = message ? `<div class="nodata">${message}</div>` : "";
    }
  }

  /** Viridis-like ramp for counts, blue→orange for shares (0 = primary language, 1 = the language itself). */
  const RAMPS = {
    count: [[247, 251, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107]],
    share: [[59, 111, 182], [160, 190, 225], [245, 245, 245], [244, 190, 140], [224, 123, 36]],
  };
  function ramp(name, t) {
    const r = RAMPS[name];
    if (t == null || !isFinite(t)) return "rgba(0,0,0,0)";
    t = Math.min(1, Math.max(0, t)) * (r.length - 1);
    const i = Math.min(r.length - 2, Math.floor(t)), f = t - i;
    const c = r[i].map((v, k) => Math.round(v + (r[i + 1][k] - v) * f));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }

  /**
   * Heatmap on a canvas: columns at positions xs (bucket starts, with widths), rows = layers
   * (layer 0 at the bottom), values[row][col] (null = no data).
   */
  function heatmap(canvas, { xs, widths, rows, values, max, rampName, xMode, title }) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    canvas.width = w * dpr; canvas.height = h * dpr;
    const g = canvas.getContext("2d");
    g.scale(dpr, dpr);
    g.clearRect(0, 0, w, h);
    g.font = "11px system-ui"; g.fillStyle = "#6b7385";
    if (!xs.length || !rows) { g.fillText("no data yet", w / 2 - 30, h / 2); return; }
    const left = 54, right = 64, top = 6, bottom = 30;
    const pw = w - left - right, ph = h - top - bottom;
    const x0 = xs[0], x1 = xs[xs.length - 1] + (widths[widths.length - 1] || 1);
    const sx = v => left + (v - x0) / Math.max(1, x1 - x0) * pw;
    const rowH = ph / rows;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < xs.length; c++) {
        const v = values[r] ? values[r][c] : null;
        if (v == null) continue;
        g.fillStyle = ramp(rampName, max ? v / max : v);
        const xa = sx(xs[c]), xb = c + 1 < xs.length ? sx(xs[c + 1]) : sx(xs[c] + (widths[c] || 1));
        g.fillRect(xa, top + ph - (r + 1) * rowH, Math.max(1, xb - xa + 0.5), rowH + 0.5);
      }
    }
    g.strokeStyle = "#d5d9e1"; g.strokeRect(left, top, pw, ph);
    g.fillStyle = "#6b7385"; g.textAlign = "right";
    const every = Math.max(1, Math.ceil(rows / (ph / 14)));
    for (let r = 0; r < rows; r += every) g.fillText(String(r), left - 6, top + ph - r * rowH - rowH / 2 + 4);
    g.save(); g.translate(12, top + ph / 2); g.rotate(-Math.PI / 2); g.textAlign = "center"; g.fillText("layer", 0, 0); g.restore();
    g.textAlign = "center";
    const fmt = fmtX(xMode);
    for (let i = 0; i <= 4; i++) { const v = x0 + (x1 - x0) * i / 4; g.fillText(fmt(v), sx(v), top + ph + 14); }
    g.fillText(xMode === "time" ? "wall time since start" : xMode, left + pw / 2, top + ph + 27);
    // colour scale
    const lx = w - right + 14, lh = ph;
    for (let i = 0; i < lh; i++) { g.fillStyle = ramp(rampName, 1 - i / lh); g.fillRect(lx, top + i, 10, 1.5); }
    g.fillStyle = "#6b7385"; g.textAlign = "left";
    g.fillText(rampName === "share" ? "own" : fmtNum(max), lx + 13, top + 9);
    g.fillText(rampName === "share" ? "primary" : "0", lx + 13, top + lh);
    if (title) g.fillText(title, left, top + 10);
  }

  function matrix(el, langs, diag, pairs, colors) {
    if (!langs.length) { el.innerHTML = `<div class="nodata">no neuron window yet</div>`; return; }
    const max = Math.max(1, ...langs.map(l => diag[l] || 0));
    let html = "<table><tr><th></th>" + langs.map(l => `<th style="color:${colors(l)}">${l}</th>`).join("") + "</tr>";
    for (const a of langs) {
      html += `<tr><th style="color:${colors(a)}">${a}</th>`;
      for (const b of langs) {
        const v = a === b ? (diag[a] || 0) : (pairs[a < b ? a + "|" + b : b + "|" + a] || 0);
        const bg = ramp("count", v / max), ink = v / max > 0.55 ? "#fff" : "#1d2330";
        html += `<td style="background:${bg};color:${ink}" title="${a} ∩ ${b}: ${v} neurons">${v}</td>`;
      }
      html += "</tr>";
    }
    el.innerHTML = html + "</table>";
  }

  // ---------- mixture chart decorations and language tabs (drawn by app.js) ----------
  const esc = s => String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

  function drawStageBands(u, segments, map) {
    const langs = [...new Set(segments.map(s => s.language))];
    const g = u.ctx, { left, top, width, height } = u.bbox, strip = 7 * devicePixelRatio;
    g.save();
    segments.forEach(s => {
      const i = langs.indexOf(s.language);
      const xa = Math.max(left, u.valToPos(map(s.from), "x", true)), xb = Math.min(left + width, u.valToPos(map(s.to), "x", true));
      g.fillStyle = STAGE_COLORS[s.stage] || "#eee";
      g.globalAlpha = 0.35; g.fillRect(xa, top, Math.max(1, xb - xa), height);
      g.globalAlpha = 1; g.fillRect(xa, top + height - (i + 1) * strip, Math.max(1, xb - xa), strip - 1);
    });
    g.restore();
  }

  function drawMarkers(u, markers, map) {
    const g = u.ctx, { top } = u.bbox, s = 5 * devicePixelRatio;
    g.save(); g.fillStyle = "#1d2330";
    markers.forEach(m => {
      const x = u.valToPos(map(m.step), "x", true);
      g.beginPath(); g.moveTo(x - s, top); g.lineTo(x + s, top); g.lineTo(x, top + s * 1.4); g.fill();
    });
    g.restore();
  }

  function tabs(el, langs, current, pick) {
    const sig = langs.join(",") + "|" + current;
    if (el.dataset.sig === sig) return;
    el.dataset.sig = sig;
    el.innerHTML = langs.map(l => `<button class="${l === current ? "on" : ""}" data-l="${esc(l)}">${esc(l)}</button>`).join("");
    el.querySelectorAll("button").forEach(b => b.onclick = () => pick(b.dataset.l));
  }

  return { PALETTE, DASHES, STAGE_COLORS, colorOf, smooth, fmtNum, fmtX, Chart, heatmap, matrix, ramp, esc, drawStageBands,
    drawMarkers, tabs };
})();
