// Vega-Lite figure specs for nesslab reports, and a headless SVG renderer (no browser, no canvas).
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

export type { TopLevelSpec };

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 420;
const HEIGHT = 320;
/** Simulation-vs-theory plots are square so that y = x runs at 45°. */
const SQUARE = 360;

/** Shared look: framed plot area, light grid, normal-weight axis titles, a muted categorical palette. */
const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 8,
  view: { stroke: '#333', strokeWidth: 1 },
  axis: {
    grid: true,
    gridColor: '#e6e6e6',
    domainColor: '#333',
    tickColor: '#333',
    labelColor: '#222',
    titleColor: '#111',
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    titlePadding: 8,
    labelOverlap: true,
    labelFlush: true,
  },
  legend: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 'normal',
    symbolStrokeWidth: 2,
  },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', offset: 10, color: '#111' },
  range: { category: { scheme: 'tableau10' } },
} as const;

/**
 * A box around the plot area drawn above the grid (the view's own stroke is drawn below grid lines
 * that fall on the domain edges, which makes the frame look patchy).
 */
const FRAME = {
  data: { values: [{}] },
  mark: { type: 'rect' as const, fill: null, stroke: '#333', strokeWidth: 1 },
  encoding: { x: { value: 0 }, x2: { value: 'width' }, y: { value: 0 }, y2: { value: 'height' } },
};

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/** Compile a Vega-Lite spec and render it to a standalone SVG document string (headless). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const logger = vega.logger(vega.Error);
  const compiled = vegaLite.compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    vega.resetSVGDefIds(); // vega numbers clip/gradient ids per process: restart them so each file depends only on its spec
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// ---------------------------------------------------------------------------------------------
// Number formatting helpers
// ---------------------------------------------------------------------------------------------

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const SUPERSCRIPT: Record<string, string> = {
  '-': '\u207b', '0': '\u2070', '1': '\u00b9', '2': '\u00b2', '3': '\u00b3', '4': '\u2074',
  '5': '\u2075', '6': '\u2076', '7': '\u2077', '8': '\u2078', '9': '\u2079',
};

/** "10⁻³" for k = -3. */
export function powerOfTen(k: number): string {
  return '10' + String(k).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c]!);
}

function maxAbsOf(values: number[]): number {
  let m = 0;
  for (const v of values) if (isNum(v)) m = Math.max(m, Math.abs(v));
  return m;
}

interface AxisScale {
  scale: Record<string, unknown>;
  axis: Record<string, unknown>;
}

/**
 * Scale + axis for a linear axis. When the values are tiny (|max| < 1e-3) or huge (≥ 1e5), the
 * common power of ten is factored out into the axis title ("Σ (×10⁻⁵)") and ticks read -1, 0, 1, …
 */
function linearAxis(title: string, values: number[], scale: Record<string, unknown>): AxisScale {
  const maxAbs = maxAbsOf(values);
  if (maxAbs > 0 && (maxAbs < 1e-3 || maxAbs >= 1e5)) {
    const e = Math.floor(Math.log10(maxAbs));
    return {
      scale,
      axis: {
        title: `${title} (\u00d710${powerOfTen(e).slice(2)})`,
        labelExpr: `format(datum.value * ${10 ** -e}, '.4~g')`,
      },
    };
  }
  return { scale, axis: { title } };
}

/**
 * Scale + axis for a log axis: domain snapped to whole decades around the positive `values`, grid
 * lines and labels (10ⁿ) at decades only.
 */
function logAxis(title: string, values: number[]): AxisScale {
  const pos = values.filter((v) => isNum(v) && v > 0);
  if (pos.length === 0) return { scale: { type: 'log' }, axis: { title } };
  let kmin = Math.floor(Math.log10(Math.min(...pos)) + 1e-9);
  let kmax = Math.ceil(Math.log10(Math.max(...pos)) - 1e-9);
  if (kmax <= kmin) kmax = kmin + 1;
  const step = Math.max(1, Math.ceil((kmax - kmin) / 8));
  kmin = Math.floor(kmin / step) * step;
  kmax = Math.ceil(kmax / step) * step;
  const ks: number[] = [];
  for (let k = kmin; k <= kmax; k += step) ks.push(k);
  const kExpr = 'round(log(datum.value) / LN10)';
  const labelExpr = ks.reduceRight(
    (acc, k) => `${kExpr} == ${k} ? '${powerOfTen(k)}' : ${acc}`,
    `format(datum.value, '.0e')`,
  );
  return {
    scale: { type: 'log', domain: [10 ** kmin, 10 ** kmax], nice: false },
    axis: { title, values: ks.map((k) => 10 ** k), labelExpr },
  };
}

// ---------------------------------------------------------------------------------------------
// Simulation vs theory scatter
// ---------------------------------------------------------------------------------------------

export interface ScatterPoint {
  theory: number;
  simulation: number;
  /** Shown in the tooltip, e.g. "Σ[0,1]". */
  label?: string;
  /** Colour/shape group, e.g. 'diagonal' / 'off-diagonal'. */
  group?: string;
}

export interface ScatterVsTheoryOptions {
  title: string;
  points: ScatterPoint[];
  xTitle?: string;
  yTitle?: string;
}

/**
 * Simulation (y) against theory (x), with the reference line y = x drawn (dashed) across the data
 * range. Both axes share one linear domain so the diagonal runs corner to corner. Points are
 * coloured (and shaped) by `group` when any point has one. Non-finite points are dropped.
 */
export function scatterVsTheory(opts: ScatterVsTheoryOptions): TopLevelSpec {
  const pts = opts.points.filter((p) => isNum(p.theory) && isNum(p.simulation));
  const all = pts.flatMap((p) => [p.theory, p.simulation]);
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  const span = hi - lo;
  const pad = span > 0 ? 0.06 * span : Math.abs(hi) > 0 ? 0.1 * Math.abs(hi) : 1;
  lo -= pad;
  hi += pad;
  const domain = [lo, hi];
  const xTitle = opts.xTitle ?? 'theory';
  const yTitle = opts.yTitle ?? 'simulation';
  const hasGroup = pts.some((p) => p.group !== undefined && p.group !== '');
  const hasLabel = pts.some((p) => p.label !== undefined && p.label !== '');

  const values = pts.map((p) => ({
    theory: p.theory,
    simulation: p.simulation,
    ...(hasLabel ? { label: p.label ?? '' } : {}),
    ...(hasGroup ? { group: p.group ?? '(none)' } : {}),
  }));

  const scale = { domain, nice: false, zero: false };
  const xa = linearAxis(xTitle, domain, scale);
  const ya = linearAxis(yTitle, domain, scale);
  const x = (field: string) => ({ field, type: 'quantitative' as const, ...xa });
  const y = (field: string) => ({ field, type: 'quantitative' as const, ...ya });

  const tipFormat = '.4g';
  const tooltip = [
    ...(hasLabel ? [{ field: 'label', type: 'nominal' as const, title: 'element' }] : []),
    { field: 'theory', type: 'quantitative' as const, title: xTitle, format: tipFormat },
    { field: 'simulation', type: 'quantitative' as const, title: yTitle, format: tipFormat },
    ...(hasGroup ? [{ field: 'group', type: 'nominal' as const, title: 'group' }] : []),
  ];

  const diagonal = {
    data: { values: [{ t: lo }, { t: hi }] },
    mark: { type: 'line' as const, color: '#666', strokeWidth: 1.2, clip: true },
    encoding: {
      x: x('t'),
      y: y('t'),
      strokeDash: {
        datum: 'y = x',
        type: 'nominal' as const,
        scale: { range: [[6, 4]] },
        legend: { title: null, symbolStrokeColor: '#666', orient: 'right' as const },
      },
    },
  };

  const groupEnc = hasGroup
    ? {
        color: { field: 'group', type: 'nominal' as const, legend: { title: null } },
        shape: { field: 'group', type: 'nominal' as const, legend: { title: null } },
      }
    : { color: { value: '#1f5fa8' } };

  const scatter = {
    data: { values },
    mark: { type: 'point' as const, filled: true, size: 48, opacity: 0.85, stroke: 'white', strokeWidth: 0.5, clip: true },
    encoding: { x: x('theory'), y: y('simulation'), ...groupEnc, tooltip },
  };

  return {
    $schema: SCHEMA,
    title: opts.title,
    width: SQUARE,
    height: SQUARE,
    config: CONFIG,
    layer: [diagonal, scatter, FRAME],
  } as TopLevelSpec;
}

// ---------------------------------------------------------------------------------------------
// Curves (mean ± sd bands)
// ---------------------------------------------------------------------------------------------

export interface CurveSeries {
  name: string;
  x: number[];
  mean: number[];
  /** Standard deviation per point; draws a translucent mean ± sd band. */
  sd?: number[];
}

export interface CurvesOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  series: CurveSeries[];
  logX?: boolean;
  logY?: boolean;
}

interface CurveRow {
  series: string;
  x: number;
  mean: number;
  lo?: number;
  hi?: number;
}

/**
 * One line per series (colour = series name) and, where `sd` is given, a translucent band
 * mean ± sd behind it. On log axes, points with x ≤ 0 (logX) or mean ≤ 0 (logY) are dropped and a
 * band's lower edge ≤ 0 is clipped to the smallest positive value plotted. Non-finite values are dropped.
 */
export function curves(opts: CurvesOptions): TopLevelSpec {
  const rows: CurveRow[] = [];
  for (const s of opts.series) {
    const n = Math.min(s.x.length, s.mean.length);
    for (let i = 0; i < n; i++) {
      const x = s.x[i]!;
      const mean = s.mean[i]!;
      if (!isNum(x) || !isNum(mean)) continue;
      if (opts.logX && x <= 0) continue;
      if (opts.logY && mean <= 0) continue;
      const row: CurveRow = { series: s.name, x, mean };
      const sd = s.sd?.[i];
      if (isNum(sd)) {
        row.lo = mean - Math.abs(sd);
        row.hi = mean + Math.abs(sd);
      }
      rows.push(row);
    }
  }

  const ys = rows.flatMap((r) => [r.mean, ...(r.lo !== undefined ? [r.lo, r.hi!] : [])]);
  if (opts.logY) {
    const positive = ys.filter((v) => v > 0);
    const floor = positive.length ? Math.min(...positive) : 1;
    for (const r of rows) if (r.lo !== undefined && r.lo <= 0) r.lo = floor;
  }

  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.series, (counts.get(r.series) ?? 0) + 1);
  const maxPerSeries = Math.max(0, ...counts.values());
  const hasBand = rows.some((r) => r.lo !== undefined);

  const xs = rows.map((r) => r.x);
  const xa = opts.logX ? logAxis(opts.xTitle, xs) : linearAxis(opts.xTitle, xs, { zero: false });
  const ya = opts.logY ? logAxis(opts.yTitle, ys) : linearAxis(opts.yTitle, ys, { zero: false });
  const x = { field: 'x', type: 'quantitative' as const, ...xa };
  const seriesNames = opts.series.map((s) => s.name).filter((n, i, a) => a.indexOf(n) === i);
  const color = { field: 'series', type: 'nominal' as const, scale: { domain: seriesNames } };

  const band = {
    transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }],
    mark: { type: 'area' as const, fillOpacity: 0.2, strokeWidth: 0, clip: true },
    encoding: {
      x,
      y: { field: 'lo', type: 'quantitative' as const, ...ya },
      y2: { field: 'hi' },
      color,
    },
  };

  const line = {
    mark: {
      type: 'line' as const,
      strokeWidth: 1.8,
      clip: true,
      ...(maxPerSeries > 0 && maxPerSeries <= 30 ? { point: { filled: true, size: 28 } } : {}),
    },
    encoding: {
      x,
      y: { field: 'mean', type: 'quantitative' as const, ...ya },
      color: { ...color, legend: { title: null, symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2.5 } },
      tooltip: [
        { field: 'series', type: 'nominal' as const },
        { field: 'x', type: 'quantitative' as const, title: opts.xTitle, format: '.4g' },
        { field: 'mean', type: 'quantitative' as const, title: opts.yTitle, format: '.4g' },
      ],
    },
  };

  return {
    $schema: SCHEMA,
    title: opts.title,
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values: rows },
    layer: hasBand ? [band, line, FRAME] : [line, FRAME],
  } as TopLevelSpec;
}

// ---------------------------------------------------------------------------------------------
// Panels
// ---------------------------------------------------------------------------------------------

export interface PanelOptions {
  /** Panels per row (default: all in one row). */
  columns?: number;
  title?: string;
}

/**
 * Put several figure specs side by side (wrapping after `columns`) in one figure. Each panel keeps
 * its own scales and legends.
 */
export function panel(specs: TopLevelSpec[], opts: PanelOptions | number = {}): TopLevelSpec {
  const o: PanelOptions = typeof opts === 'number' ? { columns: opts } : opts;
  const inner = specs.map((s) => {
    const { $schema: _s, config: _c, ...rest } = s as unknown as Record<string, unknown>;
    return rest;
  });
  return {
    $schema: SCHEMA,
    ...(o.title !== undefined ? { title: o.title } : {}),
    columns: Math.max(1, o.columns ?? specs.length),
    concat: inner,
    spacing: 24,
    config: CONFIG,
    resolve: {
      scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' },
      legend: { color: 'independent', shape: 'independent', strokeDash: 'independent' },
    },
  } as unknown as TopLevelSpec;
}

// ---------------------------------------------------------------------------------------------
// Cross-section of a stationary distribution (004 Fig. 2)
// ---------------------------------------------------------------------------------------------

export interface CrossSectionOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  /** The simulated marginal: bin edges and density[i][j] (i along x). Empty cells show the colour scale's low end. */
  histogram: { xEdges: number[]; yEdges: number[]; density: number[][] };
  /** Dashed lines, one legend entry per `name` (e.g. theory, Boltzmann), in `color`; each a closed polyline. */
  contours?: { name: string; color: string; points: { x: number; y: number }[] }[];
  /** Arrows from (x, y) to (x + dx, y + dy) in data units (the stationary current). */
  vectors?: { x: number; y: number; dx: number; dy: number }[];
  /** Marked points: θ₀ ('star'), θ̂₀ ('circle'), … */
  dots?: { name: string; x: number; y: number; shape: 'star' | 'circle'; color: string }[];
  densityTitle?: string;
}

/** A five-pointed star, 1.6× the unit circle: drawn at the same mark size it reads as large as the circle. */
const STAR = 'M0.0,-1.6L0.3592,-0.4944L1.5218,-0.4944L0.5813,0.1888L0.9405,1.2944L0.0,0.6112L-0.9405,1.2944L-0.5813,0.1888L-1.5218,-0.4944L-0.3592,-0.4944Z';
/** A circle of 0.6× the unit radius: drawn after a star at the same point, it stays visible in the star's middle. */
const DOT = 'M0.6,0A0.6,0.6,0,1,1,-0.6,0A0.6,0.6,0,1,1,0.6,0Z';
/** turbo's low end: the colour of an empty cell. */
const HEAT_LOW = '#30123b';
/** Line and point keys on the heat map's dark background, so that white and yellow symbols show. */
const KEY = { title: null, orient: 'bottom', direction: 'vertical', labelLimit: 400, fillColor: HEAT_LOW, labelColor: '#ffffff', padding: 6, cornerRadius: 3 } as const;

/**
 * Heat map of a 2-D histogram (log colour, red = high, blue = low), dashed contour lines, current arrows and marked
 * points, on a square plot with one shared unit on both axes (the window must be square in data units).
 */
export function crossSection(opts: CrossSectionOptions): TopLevelSpec {
  const h = opts.histogram, cells = [];
  for (let i = 0; i + 1 < h.xEdges.length; i++) {
    for (let j = 0; j + 1 < h.yEdges.length; j++) {
      const d = h.density[i]?.[j];
      if (isNum(d) && d > 0) cells.push({ x: h.xEdges[i], x2: h.xEdges[i + 1], y: h.yEdges[j], y2: h.yEdges[j + 1], density: d });
    }
  }
  const top = Math.max(...cells.map((c) => c.density), 1e-300); // colours span 4 decades below the peak (the contours 3)
  const xDomain = [h.xEdges[0], h.xEdges[h.xEdges.length - 1]], yDomain = [h.yEdges[0], h.yEdges[h.yEdges.length - 1]];
  const axis = { grid: false, tickCount: 7 };
  const x = { type: 'quantitative' as const, scale: { domain: xDomain, nice: false, zero: false }, axis: { ...axis, title: opts.xTitle } };
  const y = { type: 'quantitative' as const, scale: { domain: yDomain, nice: false, zero: false }, axis: { ...axis, title: opts.yTitle } };
  const layers: Record<string, unknown>[] = [{
    data: { values: cells },
    mark: { type: 'rect', strokeWidth: 0, clip: true },
    encoding: {
      x: { field: 'x', ...x }, x2: { field: 'x2' }, y: { field: 'y', ...y }, y2: { field: 'y2' },
      fill: { field: 'density', type: 'quantitative', scale: { type: 'log', scheme: 'turbo', domain: [top * 1e-4, top], clamp: true }, legend: { title: opts.densityTitle ?? 'density', orient: 'right', gradientLength: 160, format: '.0e' } },
    },
  }];
  const contours = opts.contours ?? [];
  if (contours.length) {
    const names = contours.map((c) => c.name).filter((n, i, a) => a.indexOf(n) === i);
    const colors = names.map((n) => contours.find((c) => c.name === n)!.color);
    const rows = contours.flatMap((c, k) => c.points.map((p, order) => ({ kind: c.name, line: k, order, x: p.x, y: p.y })));
    layers.push({
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 1.4, strokeDash: [5, 3], clip: true },
      encoding: {
        x: { field: 'x', ...x }, y: { field: 'y', ...y }, detail: { field: 'line', type: 'nominal' }, order: { field: 'order', type: 'quantitative' },
        stroke: { field: 'kind', type: 'nominal', scale: { domain: names, range: colors }, legend: { ...KEY, symbolType: 'stroke', symbolDash: [5, 3], symbolStrokeWidth: 2 } },
      },
    });
  }
  const vectors = opts.vectors ?? [];
  if (vectors.length) {
    const rows = vectors.map((v) => ({ x: v.x, y: v.y, x2: v.x + v.dx, y2: v.y + v.dy, angle: (Math.atan2(v.dx, v.dy) * 180) / Math.PI }));
    const arrow = { color: '#f2f2f2', opacity: 0.9 };
    layers.push(
      { data: { values: rows }, mark: { type: 'rule', strokeWidth: 1.1, clip: true, ...arrow }, encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, x2: { field: 'x2' }, y2: { field: 'y2' } } },
      { data: { values: rows }, mark: { type: 'point', shape: 'triangle', filled: true, size: 22, clip: true, ...arrow }, encoding: { x: { field: 'x2', ...x }, y: { field: 'y2', ...y }, angle: { field: 'angle', type: 'quantitative', scale: null } } },
    );
  }
  const dots = opts.dots ?? [];
  if (dots.length) {
    const names = dots.map((d) => d.name);
    layers.push({
      data: { values: dots.map((d) => ({ name: d.name, x: d.x, y: d.y })) },
      mark: { type: 'point', filled: true, size: 100, stroke: '#111', strokeWidth: 0.8, opacity: 1, clip: true },
      encoding: {
        x: { field: 'x', ...x }, y: { field: 'y', ...y },
        color: { field: 'name', type: 'nominal', scale: { domain: names, range: dots.map((d) => d.color) }, legend: { ...KEY, symbolSize: 140 } },
        shape: { field: 'name', type: 'nominal', scale: { domain: names, range: dots.map((d) => (d.shape === 'star' ? STAR : DOT)) }, legend: { ...KEY, symbolSize: 140 } },
      },
    });
  }
  layers.push(FRAME);
  return {
    $schema: SCHEMA,
    title: opts.title,
    width: SQUARE,
    height: SQUARE,
    config: { ...CONFIG, view: { ...CONFIG.view, fill: HEAT_LOW } },
    layer: layers,
    resolve: { scale: { fill: 'independent', stroke: 'independent', color: 'independent', shape: 'independent' } },
  } as unknown as TopLevelSpec;
}

// ---------------------------------------------------------------------------------------------
// Measured points with 95 % intervals against theory lines (the papers' figures)
// ---------------------------------------------------------------------------------------------

export interface PointSeries {
  name: string;
  x: number[];
  y: number[];
  /** Interval per point (e.g. 95 %), drawn as a vertical bar from lo to hi. */
  lo?: number[];
  hi?: number[];
}

export interface LineSeries {
  name: string;
  x: number[];
  y: number[];
  /** Dashed (fits, references) rather than solid (theory). */
  dashed?: boolean;
}

export interface PointsAndLinesOptions {
  title: string;
  /** Smaller line(s) under the title: the run's sizes, fitted numbers. */
  subtitle?: string | string[];
  xTitle: string;
  yTitle: string;
  points: PointSeries[];
  lines?: LineSeries[];
  logX?: boolean;
  logY?: boolean;
  /** Stretch a linear axis to 0 (proportionality γ ∝ k reads as a line through the origin). */
  zeroX?: boolean;
  zeroY?: boolean;
  /** Square plot area with one domain on both axes (simulation vs theory). */
  square?: boolean;
}

/** A log tick 1, 2 or 5 × 10ⁿ as "2×10⁻³" (plain numbers for 10⁻² ≤ v < 10⁴ unless `powers`). */
function tickLabel(v: number, powers: boolean): string {
  const k = Math.floor(Math.log10(v) + 1e-9), m = Math.round(v / 10 ** k);
  if (!powers && k >= -2 && k < 4) return String(Number(v.toPrecision(1)));
  return m === 1 ? powerOfTen(k) : `${m}×${powerOfTen(k)}`;
}

/** A log axis on [min/1.25, max·1.25]: ticks at decades when it spans ≥ 2 decades (every 2nd past 8), else at 1-2-5. */
function tightLogAxis(title: string, values: number[]): AxisScale {
  const pos = values.filter((v) => isNum(v) && v > 0);
  if (pos.length === 0) return logAxis(title, values);
  const lo = Math.min(...pos) / 1.25, hi = Math.max(...pos) * 1.25, decades = Math.log10(hi / lo);
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of decades >= 2 ? (decades > 8 && k % 2 ? [] : [1]) : [1, 2, 5]) if (m * 10 ** k >= lo && m * 10 ** k <= hi) ticks.push(Number((m * 10 ** k).toPrecision(1)));
  }
  const labelExpr = ticks.reduceRight((acc, t) => `abs(datum.value / ${t} - 1) < 1e-6 ? '${tickLabel(t, decades >= 2)}' : ${acc}`, `format(datum.value, '.2~g')`);
  return { scale: { type: 'log', domain: [lo, hi], nice: false }, axis: { title, values: ticks, labelExpr } };
}

/** A linear domain 5 % wider than the values (from 0 when `zero`), so that no point or bar sits on the frame. */
function padded(values: number[], zero: boolean): Record<string, unknown> {
  const v = values.filter(isNum);
  if (v.length === 0) return { zero };
  let lo = Math.min(...v), hi = Math.max(...v);
  if (zero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
  const pad = hi > lo ? 0.05 * (hi - lo) : Math.abs(hi) > 0 ? 0.1 * Math.abs(hi) : 1;
  return { domain: [zero && lo === 0 ? 0 : lo - pad, zero && hi === 0 ? 0 : hi + pad], nice: false, zero: false };
}

/** Dark solid/dashed colours for theory lines, apart from the points' palette. */
const LINE_COLORS = ['#111111', '#d62728', '#7f7f7f', '#9467bd', '#8c564b', '#17becf'];
const POINT_SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'triangle-down', 'cross'];

/**
 * The papers' figure style: measured points (colour and shape per series) with vertical interval bars, and theory or fit
 * lines (black/red/grey, solid or dashed) in a second key. Non-finite values are dropped, and on log axes non-positive ones
 * (an interval's lower end ≤ 0 is cut to the smallest positive value plotted).
 */
export function pointsAndLines(opts: PointsAndLinesOptions): TopLevelSpec {
  const ok = (x: number, y: number) => isNum(x) && isNum(y) && (!opts.logX || x > 0) && (!opts.logY || y > 0);
  const pts: { pseries: string; x: number; y: number; lo?: number; hi?: number }[] = [];
  for (const s of opts.points) {
    for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) {
      if (!ok(s.x[i]!, s.y[i]!)) continue;
      const lo = s.lo?.[i], hi = s.hi?.[i];
      pts.push({ pseries: s.name, x: s.x[i]!, y: s.y[i]!, ...(isNum(lo) && isNum(hi) ? { lo, hi } : {}) });
    }
  }
  const lines: { lseries: string; order: number; x: number; y: number }[] = [];
  for (const s of opts.lines ?? []) for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) if (ok(s.x[i]!, s.y[i]!)) lines.push({ lseries: s.name, order: i, x: s.x[i]!, y: s.y[i]! });
  const ys = [...pts.flatMap((p) => [p.y, ...(p.lo !== undefined ? [p.lo, p.hi!] : [])]), ...lines.map((l) => l.y)];
  if (opts.logY) {
    const floor = Math.min(...ys.filter((v) => v > 0));
    for (const p of pts) if (p.lo !== undefined && p.lo <= 0) p.lo = floor;
  }
  const xs = [...pts.map((p) => p.x), ...lines.map((l) => l.x)];
  const axisFor = (title: string, values: number[], log?: boolean, zero?: boolean) => (log ? tightLogAxis(title, values) : linearAxis(title, values, padded(values, !!zero)));
  const shared = opts.square && !!opts.logX === !!opts.logY ? [...xs, ...ys.filter(isNum)] : undefined; // square: one domain, y = x at 45°
  const xa = axisFor(opts.xTitle, shared ?? xs, opts.logX, opts.zeroX), ya = axisFor(opts.yTitle, shared ?? ys.filter(isNum), opts.logY, opts.zeroY);
  if (!opts.logX && pts.length && pts.every((p) => Number.isInteger(p.x))) xa.axis = { ...xa.axis, tickMinStep: 1, format: 'd' }; // batch sizes: integer ticks
  const x = { type: 'quantitative' as const, ...xa }, y = { type: 'quantitative' as const, ...ya };
  const key = { title: null, orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 400, symbolOpacity: 1 };
  const pointNames = opts.points.map((s) => s.name), lineSpecs = opts.lines ?? [];
  const pointColor = { field: 'pseries', type: 'nominal' as const, scale: { domain: pointNames }, legend: key };
  const layers: Record<string, unknown>[] = [];
  if (lines.length) {
    layers.push({
      data: { values: lines },
      mark: { type: 'line', strokeWidth: 1.6, clip: true },
      encoding: {
        x: { field: 'x', ...x }, y: { field: 'y', ...y }, order: { field: 'order', type: 'quantitative' },
        stroke: { field: 'lseries', type: 'nominal', scale: { domain: lineSpecs.map((s) => s.name), range: lineSpecs.map((_, i) => LINE_COLORS[i % LINE_COLORS.length]) }, legend: { ...key, symbolType: 'stroke', symbolStrokeWidth: 2 } },
        strokeDash: { field: 'lseries', type: 'nominal', scale: { domain: lineSpecs.map((s) => s.name), range: lineSpecs.map((s) => (s.dashed ? [6, 4] : [1, 0])) }, legend: { ...key, symbolType: 'stroke', symbolStrokeWidth: 2 } },
      },
    });
  }
  if (pts.some((p) => p.lo !== undefined)) {
    layers.push({
      data: { values: pts.filter((p) => p.lo !== undefined) },
      mark: { type: 'rule', strokeWidth: 1.4, clip: true },
      encoding: { x: { field: 'x', ...x }, y: { field: 'lo', ...y }, y2: { field: 'hi' }, color: { ...pointColor, legend: null } },
    });
  }
  layers.push({
    data: { values: pts },
    mark: { type: 'point', filled: true, size: 52, opacity: 1, stroke: 'white', strokeWidth: 0.6, clip: true },
    encoding: {
      x: { field: 'x', ...x }, y: { field: 'y', ...y }, color: pointColor,
      shape: { field: 'pseries', type: 'nominal', scale: { domain: pointNames, range: pointNames.map((_, i) => POINT_SHAPES[i % POINT_SHAPES.length]) }, legend: key },
      tooltip: [{ field: 'pseries', type: 'nominal', title: 'series' }, { field: 'x', type: 'quantitative', title: opts.xTitle, format: '.4g' }, { field: 'y', type: 'quantitative', title: opts.yTitle, format: '.4g' }],
    },
  });
  layers.push(FRAME);
  const subtitle = opts.subtitle;
  return {
    $schema: SCHEMA,
    title: subtitle === undefined ? opts.title : { text: opts.title, subtitle, subtitleFontSize: 11, subtitleColor: '#444', subtitlePadding: 4 },
    width: opts.square ? SQUARE : WIDTH,
    height: opts.square ? SQUARE : HEIGHT,
    config: CONFIG,
    layer: layers,
    resolve: { scale: { stroke: 'independent', strokeDash: 'independent', color: 'independent', shape: 'independent' } },
  } as unknown as TopLevelSpec;
}
