// Measured points with 95 % intervals against theory lines (the papers' figures).
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, FRAME, HEIGHT, SCHEMA, SQUARE, WIDTH } from './theme.ts';
import { isNum, linearAxis, logAxis, powerOfTen, type AxisScale } from './axes.ts';
import { STD_ERROR_BARS } from './scatter-vs-theory.ts';

export interface PointSeries {
  name: string;
  x: number[];
  y: number[];
  /** Interval per point (e.g. 95 %), drawn as a vertical bar from lo to hi. */
  lo?: number[];
  hi?: number[];
  /** Standard error per point, where lo/hi are not given: a ±1 s.e. bar (the key says so, see `barsName`). */
  stdError?: number[];
  /** Colour of the points and bars (default: the categorical palette in series order). */
  color?: string;
}

export interface LineSeries {
  name: string;
  x: number[];
  y: number[];
  /** Dashed (fits, references) rather than solid (theory). */
  dashed?: boolean;
  /** Colour (default: black, red, grey, … in series order). */
  color?: string;
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
  /** The key's entry for the bars, e.g. '95 % intervals' (default: '±1 standard error' when a series gives `stdError`). */
  barsName?: string;
}

/** A log tick 1, 2 or 5 × 10ⁿ as "2×10⁻³" (plain numbers for 10⁻² ≤ v < 10⁴ unless `powers`). */
function tickLabel(v: number, powers: boolean): string {
  const k = Math.floor(Math.log10(v) + 1e-9),
    m = Math.round(v / 10 ** k);
  if (!powers && k >= -2 && k < 4) return String(Number(v.toPrecision(1)));
  return m === 1 ? powerOfTen(k) : `${m}×${powerOfTen(k)}`;
}

/** A log axis on [min/1.25, max·1.25]: ticks at decades when it spans ≥ 2 decades (every 2nd past 8), else at 1-2-5. */
function tightLogAxis(title: string, values: number[]): AxisScale {
  const pos = values.filter((v) => isNum(v) && v > 0);
  if (pos.length === 0) return logAxis(title, values);
  const lo = Math.min(...pos) / 1.25,
    hi = Math.max(...pos) * 1.25,
    decades = Math.log10(hi / lo);
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of decades >= 2 ? (decades > 8 && k % 2 ? [] : [1]) : [1, 2, 5])
      if (m * 10 ** k >= lo && m * 10 ** k <= hi) ticks.push(Number((m * 10 ** k).toPrecision(1)));
  }
  const labelExpr = ticks.reduceRight(
    (acc, t) => `abs(datum.value / ${t} - 1) < 1e-6 ? '${tickLabel(t, decades >= 2)}' : ${acc}`,
    `format(datum.value, '.2~g')`,
  );
  return { scale: { type: 'log', domain: [lo, hi], nice: false }, axis: { title, values: ticks, labelExpr } };
}

/** A linear domain 5 % wider than the values (from 0 when `zero`), so that no point or bar sits on the frame. */
function padded(values: number[], zero: boolean): Record<string, unknown> {
  const v = values.filter(isNum);
  if (v.length === 0) return { zero };
  let lo = Math.min(...v),
    hi = Math.max(...v);
  if (zero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  const pad = hi > lo ? 0.05 * (hi - lo) : Math.abs(hi) > 0 ? 0.1 * Math.abs(hi) : 1;
  return { domain: [zero && lo === 0 ? 0 : lo - pad, zero && hi === 0 ? 0 : hi + pad], nice: false, zero: false };
}

/** Dark solid/dashed colours for theory lines, apart from the points' palette. */
const LINE_COLORS = ['#111111', '#d62728', '#7f7f7f', '#9467bd', '#8c564b', '#17becf'];
/** The theme's categorical palette (Vega's tableau10), for points without a `color`. */
const POINT_COLORS = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
];
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
      const se = s.lo || s.hi ? undefined : s.stdError?.[i],
        lo = isNum(se) ? s.y[i]! - Math.abs(se) : s.lo?.[i],
        hi = isNum(se) ? s.y[i]! + Math.abs(se) : s.hi?.[i];
      pts.push({ pseries: s.name, x: s.x[i]!, y: s.y[i]!, ...(isNum(lo) && isNum(hi) ? { lo, hi } : {}) });
    }
  }
  const lines: { lseries: string; order: number; x: number; y: number }[] = [];
  for (const s of opts.lines ?? [])
    for (let i = 0; i < Math.min(s.x.length, s.y.length); i++)
      if (ok(s.x[i]!, s.y[i]!)) lines.push({ lseries: s.name, order: i, x: s.x[i]!, y: s.y[i]! });
  const ys = [...pts.flatMap((p) => [p.y, ...(p.lo !== undefined ? [p.lo, p.hi!] : [])]), ...lines.map((l) => l.y)];
  if (opts.logY) {
    const floor = Math.min(...ys.filter((v) => v > 0));
    for (const p of pts) if (p.lo !== undefined && p.lo <= 0) p.lo = floor;
  }
  const xs = [...pts.map((p) => p.x), ...lines.map((l) => l.x)];
  const axisFor = (title: string, values: number[], log?: boolean, zero?: boolean) =>
    log ? tightLogAxis(title, values) : linearAxis(title, values, padded(values, !!zero));
  const shared = opts.square && !!opts.logX === !!opts.logY ? [...xs, ...ys.filter(isNum)] : undefined; // square: one domain, y = x at 45°
  const xa = axisFor(opts.xTitle, shared ?? xs, opts.logX, opts.zeroX),
    ya = axisFor(opts.yTitle, shared ?? ys.filter(isNum), opts.logY, opts.zeroY);
  if (!opts.logX && pts.length && pts.every((p) => Number.isInteger(p.x)))
    xa.axis = { ...xa.axis, tickMinStep: 1, format: 'd' }; // batch sizes: integer ticks
  const x = { type: 'quantitative' as const, ...xa },
    y = { type: 'quantitative' as const, ...ya };
  const key = {
    title: null,
    orient: 'bottom' as const,
    direction: 'vertical' as const,
    labelLimit: 400,
    symbolOpacity: 1,
  };
  const pointNames = opts.points.map((s) => s.name),
    lineSpecs = opts.lines ?? [];
  const pointColor = {
    field: 'pseries',
    type: 'nominal' as const,
    scale: {
      domain: pointNames,
      ...(opts.points.some((s) => s.color)
        ? { range: opts.points.map((s, i) => s.color ?? POINT_COLORS[i % POINT_COLORS.length]) }
        : {}),
    },
    legend: key,
  };
  const barsName =
    opts.barsName ?? (opts.points.some((s) => s.stdError && !s.lo && !s.hi) ? STD_ERROR_BARS : undefined);
  const layers: Record<string, unknown>[] = [];
  if (lines.length) {
    layers.push({
      data: { values: lines },
      mark: { type: 'line', strokeWidth: 1.6, clip: true },
      encoding: {
        x: { field: 'x', ...x },
        y: { field: 'y', ...y },
        order: { field: 'order', type: 'quantitative' },
        stroke: {
          field: 'lseries',
          type: 'nominal',
          scale: {
            domain: lineSpecs.map((s) => s.name),
            range: lineSpecs.map((s, i) => s.color ?? LINE_COLORS[i % LINE_COLORS.length]),
          },
          legend: { ...key, symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300 },
        },
        strokeDash: {
          field: 'lseries',
          type: 'nominal',
          scale: { domain: lineSpecs.map((s) => s.name), range: lineSpecs.map((s) => (s.dashed ? [6, 4] : [1, 0])) },
          legend: { ...key, symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300 },
        },
      },
    });
  }
  if (pts.some((p) => p.lo !== undefined)) {
    layers.push({
      data: { values: pts.filter((p) => p.lo !== undefined) },
      mark: { type: 'rule', strokeWidth: 1.4, clip: true },
      encoding: {
        x: { field: 'x', ...x },
        y: { field: 'lo', ...y },
        y2: { field: 'hi' },
        color: { ...pointColor, legend: null },
        ...(barsName
          ? {
              strokeDash: {
                datum: barsName,
                type: 'nominal',
                scale: { range: [[1, 0]] },
                legend: { ...key, symbolType: 'stroke', symbolStrokeColor: '#555', symbolStrokeWidth: 1.4 },
              },
            }
          : {}),
      },
    });
  }
  layers.push({
    data: { values: pts },
    mark: { type: 'point', filled: true, size: 52, opacity: 1, stroke: 'white', strokeWidth: 0.6, clip: true },
    encoding: {
      x: { field: 'x', ...x },
      y: { field: 'y', ...y },
      color: pointColor,
      shape: {
        field: 'pseries',
        type: 'nominal',
        scale: { domain: pointNames, range: pointNames.map((_, i) => POINT_SHAPES[i % POINT_SHAPES.length]) },
        legend: key,
      },
      tooltip: [
        { field: 'pseries', type: 'nominal', title: 'series' },
        { field: 'x', type: 'quantitative', title: opts.xTitle, format: '.4g' },
        { field: 'y', type: 'quantitative', title: opts.yTitle, format: '.4g' },
      ],
    },
  });
  layers.push(FRAME);
  const subtitle = opts.subtitle;
  return {
    $schema: SCHEMA,
    title:
      subtitle === undefined
        ? opts.title
        : { text: opts.title, subtitle, subtitleFontSize: 11, subtitleColor: '#444', subtitlePadding: 4 },
    width: opts.square ? SQUARE : WIDTH,
    height: opts.square ? SQUARE : HEIGHT,
    config: CONFIG,
    layer: layers,
    resolve: {
      scale: { stroke: 'independent', strokeDash: 'independent', color: 'independent', shape: 'independent' },
    },
  } as unknown as TopLevelSpec;
}
