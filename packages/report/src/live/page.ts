// The live page: no library, no network. It listens to /events and draws progress bars with ETA per sub-simulation,
// a small SVG chart per observer value (points as chains finish, the theory line dashed where the scenario gives one)
// and the claims once decided. When the run is over it moves to the report.
import { escapeHtml } from '../html/report.ts';

const SCRIPT = String.raw`
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var fmt = function (x) {
    if (x === null || x === undefined || isNaN(x)) return '–';
    var a = Math.abs(x);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3);
    return String(Number(x.toPrecision(4)));
  };
  var secs = function (s) {
    if (s === null || s === undefined) return '…';
    if (s < 90) return Math.round(s) + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    return (s / 3600).toFixed(1) + ' h';
  };
  var esc = function (s) { return String(s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); };
  function chart(c) {
    var W = 340, H = 190, L = 62, R = 10, T = 10, B = 30;
    var ys = c.points.map(function (p) { return p[1]; }).filter(isFinite);
    if (c.theory !== undefined) ys.push(c.theory);
    var lo = Math.min.apply(null, ys), hi = Math.max.apply(null, ys);
    if (!(hi > lo)) { var d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
    var pad = (hi - lo) * 0.08; lo -= pad; hi += pad;
    var x = function (v) { return L + (W - L - R) * v / Math.max(1, c.chains); };
    var y = function (v) { return T + (H - T - B) * (1 - (v - lo) / (hi - lo)); };
    var pts = c.points.filter(function (p) { return isFinite(p[1]); });
    var s = '<svg width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '">';
    s += '<rect x="' + L + '" y="' + T + '" width="' + (W - L - R) + '" height="' + (H - T - B) + '" fill="none" stroke="#333"/>';
    s += '<text x="' + (L - 4) + '" y="' + (T + 10) + '" text-anchor="end" font-size="10">' + fmt(hi) + '</text>';
    s += '<text x="' + (L - 4) + '" y="' + (H - B) + '" text-anchor="end" font-size="10">' + fmt(lo) + '</text>';
    s += '<text x="' + L + '" y="' + (H - 8) + '" font-size="10">0</text>';
    s += '<text x="' + (W - R) + '" y="' + (H - 8) + '" text-anchor="end" font-size="10">' + c.chains + ' chains</text>';
    s += '<text x="' + ((L + W - R) / 2) + '" y="' + (H - 8) + '" text-anchor="middle" font-size="10" fill="#555">chains finished</text>';
    if (c.theory !== undefined)
      s += '<line class="theory" x1="' + L + '" x2="' + (W - R) + '" y1="' + y(c.theory) + '" y2="' + y(c.theory) + '" stroke="#c62828" stroke-dasharray="5 3"/>';
    if (pts.length > 1)
      s += '<polyline fill="none" stroke="#4e79a7" stroke-width="1.5" points="' + pts.map(function (p) { return x(p[0]) + ',' + y(p[1]); }).join(' ') + '"/>';
    pts.forEach(function (p) { s += '<circle class="point" cx="' + x(p[0]) + '" cy="' + y(p[1]) + '" r="3" fill="#4e79a7"><title>' + p[0] + ' chains: ' + fmt(p[1]) + '</title></circle>'; });
    return s + '</svg>';
  }
  function render(st) {
    document.title = st.title + ' — ' + (st.status === 'running' ? Math.floor(st.progress * 100) + ' %' : st.status) + ' — nesslab live';
    var p = $('progress');
    p.value = st.progress; p.setAttribute('data-progress', String(st.progress));
    $('status').textContent = st.status === 'running' ? 'running: ' + (st.progress * 100).toFixed(1) + ' %' : st.status === 'done' ? 'finished: opening the report…' : 'failed: ' + (st.error || '');
    $('simulations').innerHTML = st.simulations.map(function (s) {
      return '<tr><td>' + esc(s.label) + '</td><td><progress max="1" value="' + (s.total ? s.done / s.total : 0) + '"></progress></td>' +
        '<td class="num">' + (s.total ? (100 * s.done / s.total).toFixed(1) : '0') + ' %</td><td class="num">' + secs(s.elapsed) + '</td>' +
        '<td class="num">' + (s.finished ? 'done' : s.waiting ? 'waiting' : 'ETA ' + secs(s.eta)) + '</td></tr>';
    }).join('');
    var charts = $('charts');
    st.charts.forEach(function (c) {
      var el = document.querySelector('[data-chart="' + CSS.escape(c.id) + '"]');
      if (!el) {
        el = document.createElement('div'); el.className = 'chart'; el.setAttribute('data-chart', c.id);
        charts.appendChild(el);
      }
      var last = c.points[c.points.length - 1];
      el.setAttribute('data-points', String(c.points.length));
      el.innerHTML = '<h3>' + esc(c.name) + ' <span class="muted">' + esc(c.observer) + ' · ' + esc(c.simulation) + '</span></h3>' + chart(c) +
        '<div class="muted">now ' + (last ? fmt(last[1]) : '–') + (c.theory !== undefined ? ' · theory ' + fmt(c.theory) : '') + '</div>';
    });
    $('no-charts').hidden = st.charts.length > 0;
    if (st.claims) {
      $('claims').innerHTML = '<tr><th></th><th>claim</th><th>measured</th><th>expected</th><th>tolerance</th></tr>' + st.claims.map(function (c) {
        return '<tr data-claim="' + esc(c.id) + '"><td class="' + (c.holds ? 'ok' : 'bad') + '">' + (c.holds ? '✓' : '✗') + '</td><td><code>' + esc(c.id) + '</code></td>' +
          '<td class="num">' + (typeof c.measured === 'number' ? fmt(c.measured) : esc(c.measured)) + '</td><td class="num">' + (typeof c.expected === 'number' ? fmt(c.expected) : esc(c.expected)) + '</td>' +
          '<td class="num">' + (typeof c.tolerance === 'number' ? fmt(c.tolerance) : esc(c.tolerance)) + '</td></tr>';
      }).join('');
    }
    if (st.status === 'done' && st.report) { source.close(); location.replace(st.report); }
    if (st.status === 'failed') source.close();
  }
  var source = new EventSource('/events');
  source.onmessage = function (e) { render(JSON.parse(e.data)); };
  source.onerror = function () { $('status').textContent += ' (connection lost)'; };
})();
`;

/** The live page of a run titled `title`. */
export function livePage(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — nesslab live</title>
<style>
body { font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #111; }
h2 { margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; } .muted { color: #666; font-size: 85%; font-weight: normal; }
#progress { width: 100%; height: 18px; } table { border-collapse: collapse; width: 100%; } td, th { padding: 4px 8px; border-bottom: 1px solid #eee; text-align: left; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; } td progress { width: 320px; }
#charts { display: flex; flex-wrap: wrap; gap: 16px; } .chart { border: 1px solid #eee; padding: 8px; } .chart h3 { margin: 0 0 4px; font-size: 100%; }
.ok { color: #1a7f37; font-weight: bold; } .bad { color: #c62828; font-weight: bold; }
</style></head><body>
<h1>${escapeHtml(title)} <span class="muted">live</span></h1>
<progress id="progress" max="1" value="0" data-progress="0"></progress>
<p id="status">connecting…</p>
<h2>Simulations</h2>
<table id="simulations"></table>
<h2>Observers</h2>
<p id="no-charts" class="muted">Values appear as chains finish (about a sixteenth of a simulation at a time).</p>
<div id="charts"></div>
<h2>Claims</h2>
<table id="claims"><tr><td class="muted">decided when the simulations are done</td></tr></table>
<script>${SCRIPT}</script>
</body></html>
`;
}
