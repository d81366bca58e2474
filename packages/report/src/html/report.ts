// report.html: one self-contained page per run or sweep. It opens from file:// with no network: vega, vega-lite and
// vega-embed are inlined from their npm builds, and so is every figure's spec with its data. The claims, parameters and
// provenance are plain HTML (readable without scripts); the figures are drawn by vega-embed, with tooltips, and zoom
// and pan (drag, wheel; double-click resets) on plots with two continuous axes.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { Claim } from '@nesslab/kernel';
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, SCHEMA } from '../figures/theme.ts';
import { formatNumber } from '../table.ts';

const require = createRequire(import.meta.url);

/** What a report shows. */
export interface ReportInput {
  /** The page's heading: the scenario's name, or the spec file's. */
  title: string;
  /** One line under the heading: the scenario's title. */
  subtitle?: string;
  /** What it reproduces, with the paper and figure. */
  reproduces?: string;
  /** Scenario, preset, seed, and whatever else names the run. */
  run: Record<string, unknown>;
  /** The resolved parameters (a spec run: the resolved spec). */
  params: Record<string, unknown>;
  claims: readonly Claim[];
  provenance?: Record<string, unknown>;
  /** Vega-Lite specs with their data, by file name (plots/<name>.*). */
  figures: Record<string, unknown>;
  /** A sweep: its grid and a row per point, linking to the point's own report. */
  sweep?: {
    grid: Record<string, readonly unknown[]>;
    points: readonly {
      name: string;
      href: string;
      params: Record<string, unknown>;
      claims: readonly Claim[];
      error?: string;
    }[];
  };
  /** Other files of the folder to link to (results.json, traces/theta.npy …). */
  files?: readonly string[];
}

let scripts: string | undefined;
/** vega, vega-lite and vega-embed as inline scripts (about 830 kB together), read once per process. */
function vegaScripts(): string {
  scripts ??= ['vega', 'vega-lite', 'vega-embed']
    .map((name) => `<script>${readFileSync(browserBuild(name), 'utf8').replace(/<\/script/gi, '<\\/script')}</script>`)
    .join('\n');
  return scripts;
}

/** A package's browser build, build/<name>.min.js (its exports do not list it: found beside its resolved entry). */
function browserBuild(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'build', `${name}.min.js`);
}

/** Text for HTML, escaped. */
export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON for a `<script type="application/json">` or an inline script: no `</script>` can end it early. */
export const inlineJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const cell = (v: unknown): string =>
  typeof v === 'number' ? formatNumber(v) : typeof v === 'string' ? v : JSON.stringify(v);

/** The claims as a table: one row per claim, `data-claim` its id and `data-holds` its verdict. */
export function claimsHtml(claims: readonly Claim[]): string {
  if (!claims.length) return '<p class="muted">This run states no claims.</p>';
  const rows = claims
    .map(
      (c) =>
        `<tr data-claim="${escapeHtml(c.id)}" data-holds="${c.holds}"><td class="verdict ${c.holds ? 'ok' : 'bad'}">${c.holds ? '✓ holds' : '✗ fails'}</td>` +
        `<td><code>${escapeHtml(c.id)}</code><div class="muted">${escapeHtml(c.statement)}</div></td>` +
        `<td class="num">${escapeHtml(cell(c.measured))}</td><td class="num">${escapeHtml(cell(c.expected))}</td>` +
        `<td class="num">${escapeHtml(cell(c.tolerance))}</td></tr>`,
    )
    .join('\n');
  return `<table class="claims"><thead><tr><th></th><th>claim</th><th>measured</th><th>expected</th><th>tolerance</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>`;
}

/** Nested values as a definition list; long arrays are elided. */
function valuesHtml(values: Record<string, unknown>): string {
  const show = (v: unknown): string => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v))
      return valuesHtml(v as Record<string, unknown>);
    const text =
      typeof v === 'number'
        ? formatNumber(v)
        : typeof v === 'string'
          ? v
          : JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x));
    return `<code>${escapeHtml(text.length > 400 ? `${text.slice(0, 400)} …` : text)}</code>`;
  };
  const rows = Object.entries(values).map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${show(v)}</dd>`);
  return `<dl>${rows.join('')}</dl>`;
}

/** A plugin's figure (plain Vega-Lite, e.g. `Observer.figure`) in nesslab's look: the schema and theme under its own. */
export function themed(spec: Record<string, unknown>): TopLevelSpec {
  const own = (spec.config ?? {}) as Record<string, unknown>;
  return { $schema: SCHEMA, ...spec, config: { ...CONFIG, ...own } } as unknown as TopLevelSpec;
}

/**
 * The figure as the report draws it: nesslab's theme, tooltips on every mark, and zoom/pan on a plot whose x and y
 * are both continuous fields (its first layer's).
 */
export function interactiveSpec(spec: unknown): unknown {
  if (spec === null || typeof spec !== 'object') return spec;
  const s = spec as Record<string, unknown> & { config?: Record<string, unknown>; layer?: unknown[] };
  const config = { ...CONFIG, ...(s.config ?? {}), mark: { ...((s.config?.mark as object) ?? {}), tooltip: true } };
  const out: Record<string, unknown> = { ...s, config };
  const unit = (Array.isArray(s.layer) ? s.layer[0] : s) as Record<string, unknown> | undefined;
  const enc = unit?.encoding as Record<string, { type?: string; bin?: unknown; field?: unknown }> | undefined;
  const continuous = (e?: { type?: string; bin?: unknown; field?: unknown }) =>
    !!e && e.field !== undefined && (e.type === 'quantitative' || e.type === 'temporal') && !e.bin;
  if (unit && continuous(enc?.x) && continuous(enc?.y) && !('params' in unit)) {
    const zoomed = { ...unit, params: [{ name: 'zoom', select: 'interval', bind: 'scales' }] };
    if (Array.isArray(s.layer)) out.layer = [zoomed, ...s.layer.slice(1)];
    else Object.assign(out, zoomed);
  }
  return out;
}

const STYLE = `
body { font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #111; }
h1 { margin-bottom: 4px; } h2 { margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.muted { color: #666; font-size: 90%; } code { font-size: 90%; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict { white-space: nowrap; font-weight: bold; } .ok { color: #1a7f37; } .bad { color: #c62828; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0; } dt { color: #444; } dd { margin: 0; }
dd dl { border-left: 2px solid #eee; padding-left: 8px; }
.figures { display: flex; flex-wrap: wrap; gap: 24px; } .figure { border: 1px solid #eee; padding: 8px; }
.figure h3 { margin: 0 0 6px; font-size: 100%; font-weight: normal; color: #444; }
.summary { font-size: 110%; margin: 12px 0; }
`;

/** The page: description, claims, figures, parameters, provenance (and a sweep's grid and points). */
export function reportHtml(input: ReportInput): string {
  const holding = input.claims.filter((c) => c.holds).length;
  const figures = Object.entries(input.figures).map(([name, spec]) => ({ name, spec: interactiveSpec(spec) }));
  const sweep = input.sweep
    ? `<h2>Grid</h2>${valuesHtml(input.sweep.grid as Record<string, unknown>)}
<h2>Points</h2>
<table class="points"><thead><tr><th>point</th><th>claims</th><th></th></tr></thead><tbody>
${input.sweep.points
  .map((p) => {
    const ok = p.claims.filter((c) => c.holds).length;
    const verdict = p.error ? `<span class="bad">${escapeHtml(p.error)}</span>` : `${ok} of ${p.claims.length} hold`;
    return `<tr data-point="${escapeHtml(p.name)}"><td><code>${escapeHtml(p.name)}</code></td><td>${verdict}${p.claims
      .filter((c) => !c.holds)
      .map((c) => ` <span class="bad">✗ ${escapeHtml(c.id)}</span>`)
      .join('')}</td><td>${p.error ? '' : `<a href="${escapeHtml(p.href)}">report</a>`}</td></tr>`;
  })
  .join('\n')}
</tbody></table>`
    : '';
  const files = input.files?.length
    ? `<h2>Files</h2><ul>${input.files.map((f) => `<li><a href="${escapeHtml(f)}">${escapeHtml(f)}</a></li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="nesslab">
<title>${escapeHtml(input.title)} — nesslab report</title>
<style>${STYLE}</style>
</head><body>
<header>
<h1>${escapeHtml(input.title)}</h1>
${input.subtitle ? `<div class="subtitle">${escapeHtml(input.subtitle)}</div>` : ''}
${input.reproduces ? `<p class="muted">Reproduces: ${escapeHtml(input.reproduces)}</p>` : ''}
<p class="muted">${Object.entries(input.run)
    .map(([k, v]) => `${escapeHtml(k)} <code>${escapeHtml(cell(v))}</code>`)
    .join(' · ')}</p>
</header>
<h2>Claims</h2>
${input.claims.length ? `<p class="summary" id="claims-summary">${holding} of ${input.claims.length} claims hold.</p>` : ''}
${claimsHtml(input.claims)}
${sweep}
${figures.length ? '<h2>Figures</h2>' : ''}
<div class="figures">
${figures.map((f, i) => `<div class="figure"><h3>${escapeHtml(f.name)}</h3><div class="vega" id="figure-${i}" data-figure="${escapeHtml(f.name)}"></div></div>`).join('\n')}
</div>
<h2>Parameters</h2>
${valuesHtml(input.params)}
${input.provenance ? `<h2>Provenance</h2>${valuesHtml(input.provenance)}` : ''}
${files}
<script type="application/json" id="nesslab-figures">${inlineJson(figures)}</script>
${vegaScripts()}
<script>
(function () {
  var figures = JSON.parse(document.getElementById('nesslab-figures').textContent);
  window.nesslabFigures = Promise.all(figures.map(function (f, i) {
    return vegaEmbed('#figure-' + i, f.spec, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } })
      .then(function () { return f.name; });
  }));
})();
</script>
</body></html>
`;
}
