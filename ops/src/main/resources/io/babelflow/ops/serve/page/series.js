// Live series of the observatory page: points bucketed like the server's Downsampling, and the x axis (step, tokens, wall time).
"use strict";
const BFSeries = (() => {
  const MAX_BUCKETS = 512; // as the server's Downsampling: a live series stays bounded too

  /** One live point into a series, bucketed like the server does (min, max, mean, last; width doubles when full). */
  function addPoint(run, name, x, v) {
    let s = run.series.get(name);
    if (!s) { s = { name, width: 1, x: [], min: [], max: [], mean: [], last: [], lastX: [], count: [], nonFinite: [] }; run.series.set(name, s); }
    while (x >= MAX_BUCKETS * s.width) regrid(s, s.width * 2);
    const start = Math.floor(x / s.width) * s.width;
    const i = s.x.length - 1;
    const finite = v != null && isFinite(v);
    if (i >= 0 && s.x[i] === start) {
      if (finite) {
        const n = s.count[i];
        s.min[i] = n ? Math.min(s.min[i], v) : v; s.max[i] = n ? Math.max(s.max[i], v) : v;
        s.mean[i] = n ? (s.mean[i] * n + v) / (n + 1) : v; s.count[i] = n + 1;
      } else s.nonFinite[i]++;
      if (x >= s.lastX[i]) { s.lastX[i] = x; s.last[i] = finite ? v : null; }
    } else if (i < 0 || start > s.x[i]) {
      s.x.push(start); s.min.push(finite ? v : null); s.max.push(finite ? v : null); s.mean.push(finite ? v : null);
      s.last.push(finite ? v : null); s.lastX.push(x); s.count.push(finite ? 1 : 0); s.nonFinite.push(finite ? 0 : 1);
    } // an older bucket: the next reload shows it
  }

  function regrid(s, width) {
    const out = { x: [], min: [], max: [], mean: [], last: [], lastX: [], count: [], nonFinite: [] };
    for (let i = 0; i < s.x.length; i++) {
      const start = Math.floor(s.x[i] / width) * width, j = out.x.length - 1;
      if (j >= 0 && out.x[j] === start) {
        const n = out.count[j], m = s.count[i];
        if (m) {
          out.min[j] = n ? Math.min(out.min[j], s.min[i]) : s.min[i]; out.max[j] = n ? Math.max(out.max[j], s.max[i]) : s.max[i];
          out.mean[j] = n ? (out.mean[j] * n + s.mean[i] * m) / (n + m) : s.mean[i]; out.count[j] = n + m;
        }
        out.nonFinite[j] += s.nonFinite[i];
        if (s.lastX[i] >= out.lastX[j]) { out.lastX[j] = s.lastX[i]; out.last[j] = s.last[i]; }
      } else for (const k of Object.keys(out)) out[k].push(k === "x" ? start : s[k][i]);
    }
    Object.assign(s, out, { width });
  }

  function addCumulative(run, name, x, delta) {
    const s = run.series.get(name);
    const before = s && s.last.length ? s.last[s.last.length - 1] || 0 : 0;
    addPoint(run, name, x, before + delta);
  }

  function xMapper(run, xMode) {
    if (xMode === "step") return x => x;
    const s = run.series.get(xMode === "tokens" ? "tokens/all" : "time");
    if (!s || !s.x.length) return x => x;
    const xs = s.lastX, ys = s.last, t0 = xMode === "time" ? (run.view.startedAt || ys[0]) : 0;
    const scale = xMode === "time" ? 1000 : 1;
    return x => {
      let lo = 0, hi = xs.length - 1;
      if (x <= xs[0]) return (ys[0] - t0) / scale * (xs[0] ? x / xs[0] : 1);
      if (x >= xs[hi]) return (ys[hi] - t0) / scale;
      while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (xs[mid] <= x) lo = mid; else hi = mid; }
      const f = (x - xs[lo]) / Math.max(1, xs[hi] - xs[lo]);
      return (ys[lo] + (ys[hi] - ys[lo]) * f - t0) / scale;
    };
  }

  /**
   * A dense series (a point every step) with a line break where it has no data: a null after each
   * bucket followed by a hole of more than ten times the series' usual spacing (a language out of the
   * mixture for a while, not one a small batch missed by chance). Without it a late language's line is
   * drawn across the steps it was absent.
   */
  function withBreaks(s, xs, ys) {
    if (!s.x.length) return [xs, ys];
    if (s.x.length < 3) return [xs, ys];
    const gaps = s.x.slice(1).map((x, i) => x - s.x[i]).sort((a, b) => a - b);
    const usual = Math.max(s.width, gaps[gaps.length >> 1]);
    const ox = [], oy = [];
    for (let i = 0; i < xs.length; i++) {
      ox.push(xs[i]); oy.push(ys[i]);
      if (i + 1 < xs.length && s.x[i + 1] - s.x[i] > 10 * usual) { ox.push((xs[i] + xs[i + 1]) / 2); oy.push(null); }
    }
    return [ox, oy];
  }

  return { MAX_BUCKETS, addPoint, addCumulative, xMapper, withBreaks };
})();
