// A sweep's claim and result plots: one quantity against the first grid key, one line per combination of the other
// keys, and for a claim its expected value (dashed) and the region where it holds (shaded).
import type { TopLevelSpec } from 'vega-lite';
import type { Claim } from '../table.ts';
import { isNum } from './axes.ts';
import { curves, type CurveSeries } from './curves.ts';

/** One key of a sweep's grid: its values as typed (labels) and as parsed (numbers where they parse). */
export interface SweepAxis {
  key: string;
  texts: readonly string[];
  values: readonly unknown[];
}
/** What vsGrid reads of one point of a sweep: its grid values, parsed and as typed. */
export interface SweepPointData {
  grid: Record<string, unknown>;
  labels: Record<string, string>;
}

/** Parameters named after a Greek letter (eta, zeta, …), written as the letter in axis titles and keys. */
const GREEK: Record<string, string> = {
  alpha: 'α',
  beta: 'β',
  gamma: 'γ',
  delta: 'δ',
  epsilon: 'ε',
  zeta: 'ζ',
  eta: 'η',
  theta: 'θ',
  kappa: 'κ',
  lambda: 'λ',
  mu: 'μ',
  nu: 'ν',
  xi: 'ξ',
  rho: 'ρ',
  sigma: 'σ',
  tau: 'τ',
  phi: 'φ',
  chi: 'χ',
  psi: 'ψ',
  omega: 'ω',
};
/** A grid key as a figure writes it: `eta` → η; other keys as typed. */
export const keyLabel = (key: string): string => GREEK[key] ?? key;

/** Where a claim holds, for a plot: the expected value (or the bound) and the band lo…hi (±Infinity: unbounded). */
export interface ClaimBand {
  expected: number;
  lo: number;
  hi: number;
  /** How the tolerance reads: 'abs' (|m − e| ≤ t), 'factor' (e/f ≤ m ≤ e·f), 'bound' (≥, >, ≤, < a number). */
  kind: 'abs' | 'factor' | 'bound';
  /** The key's words for the band, e.g. 'tolerance: expected ± 0.05', 'holds: ≥ 0.9'. */
  name: string;
}

const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`;
const BOUND = new RegExp(String.raw`^\s*(≥|≤|>=?|<=?)\s*(${NUMBER})`, 'i');
const FACTOR = new RegExp(String.raw`^\s*(?:×|x|factor)\s*(${NUMBER})\s*$`, 'i');

/**
 * The band of a claim as the scenarios write it (define-scenario.ts `judge`): a number expected with a number tolerance
 * is |measured − expected| ≤ tolerance; a tolerance '×f' or 'factor f' a factor f either way; an expected '≥ b' (or >, ≤,
 * <) with tolerance 0 a one-sided bound. A number expected with tolerance 0 or a worded one ('2 s.e. each') gives the
 * expected line alone (lo = hi); anything else (expected '2 / 6 / 2') undefined.
 */
export function claimBand(c: Pick<Claim, 'expected' | 'tolerance'>): ClaimBand | undefined {
  const { expected: e, tolerance: t } = c;
  if (typeof e === 'string') {
    const m = BOUND.exec(e);
    if (!m) return undefined;
    const b = Number(m[2]),
      above = m[1]!.startsWith('>') || m[1] === '≥';
    const op = { '>=': '≥', '<=': '≤' }[m[1]!] ?? m[1];
    return {
      expected: b,
      lo: above ? b : -Infinity,
      hi: above ? Infinity : b,
      kind: 'bound',
      name: `holds: ${op} ${m[2]}`,
    };
  }
  if (!isNum(e)) return undefined;
  if (isNum(t) && t !== 0)
    return { expected: e, lo: e - Math.abs(t), hi: e + Math.abs(t), kind: 'abs', name: `tolerance: expected ± ${t}` };
  const f = typeof t === 'string' ? FACTOR.exec(t) : null;
  if (f && Number(f[1]) > 1) {
    const k = Number(f[1]);
    return {
      expected: e,
      lo: Math.min(e / k, e * k),
      hi: Math.max(e / k, e * k),
      kind: 'factor',
      name: `tolerance: expected ×/÷ ${f[1]}`,
    };
  }
  return { expected: e, lo: e, hi: e, kind: 'abs', name: '' };
}

const unique = <T>(xs: T[]) => xs.filter((x, i) => xs.indexOf(x) === i);

/**
 * A quantity against the first grid key, one line per combination of the other keys (`η=1e-6, batchSize=10`), on log
 * axes where the values (with the claim's band, where all are positive) span ≥ 100×. With `claim`, each point's expected value is drawn as a dashed line and the region
 * where the claim holds (claimBand: expected ± tolerance, a factor either way, or a one-sided bound up to the plot's edge)
 * as a light grey band; lines of the other keys with the same band share one. A text first key is plotted at 0, 1, 2, …
 */
export function vsGrid<P extends SweepPointData>(
  plan: { axes: readonly SweepAxis[] },
  points: readonly P[],
  title: string,
  yTitle: string,
  y: (p: P) => unknown,
  claim?: (p: P) => Pick<Claim, 'expected' | 'tolerance'> | undefined,
): TopLevelSpec {
  const [first, ...rest] = plan.axes as [SweepAxis, ...SweepAxis[]];
  const numericX = first.values.every((v) => typeof v === 'number');
  const x = (p: P) => (numericX ? (p.grid[first.key] as number) : first.texts.indexOf(p.labels[first.key]!));
  const line = (p: P) => rest.map((a) => `${keyLabel(a.key)}=${p.labels[a.key]}`).join(', ') || 'measured';
  const series: CurveSeries[] = unique(points.map(line)).map((name) => {
    const ps = points.filter((p) => line(p) === name && typeof y(p) === 'number');
    return { name, x: ps.map(x), mean: ps.map((p) => y(p) as number) };
  });
  const xs = series.flatMap((s) => s.x),
    ys = series.flatMap((s) => s.mean);
  const wide = (vs: number[]) => vs.length > 1 && vs.every((v) => v > 0) && Math.max(...vs) / Math.min(...vs) >= 100;
  const xTitle = numericX
    ? keyLabel(first.key)
    : `${keyLabel(first.key)} (0…${first.texts.length - 1}: ${first.texts.join(', ')})`;
  const bands = claim ? bandRows(points, line, x, claim) : { rows: [], name: '' };
  // A log axis where the values (or the values and a band of the same sign: a factor of 10 either way) span ≥ 100×.
  const logY =
    wide(ys) || wide([...ys, ...bands.rows.flatMap((r) => [r.expected, r.lo, r.hi]).filter(Number.isFinite)]);
  const spec = curves({ title, xTitle, yTitle, series, logX: numericX && wide(xs), logY });
  return withClaimBand(spec, bands, logY);
}

interface BandRow {
  band: number;
  x: number;
  expected: number;
  lo: number;
  hi: number;
}

/** The band of each line of the other keys, in x order; lines with the same band (every point alike) share one. */
function bandRows<P extends SweepPointData>(
  points: readonly P[],
  line: (p: P) => string,
  x: (p: P) => number,
  claim: (p: P) => Pick<Claim, 'expected' | 'tolerance'> | undefined,
): { rows: BandRow[]; name: string } {
  const bands: { x: number; b: ClaimBand }[][] = [];
  let name = '';
  for (const l of unique(points.map(line))) {
    const own = points
      .filter((p) => line(p) === l)
      .flatMap((p) => {
        const c = claim(p),
          b = c && claimBand(c);
        return b && isNum(x(p)) ? [{ x: x(p), b }] : [];
      })
      .sort((a, b) => a.x - b.x);
    if (!own.length) continue;
    name ||= own[0]!.b.name;
    if (own.some((o) => o.b.name !== own[0]!.b.name)) name = own[0]!.b.kind === 'bound' ? 'holds' : 'tolerance';
    const same = (b: typeof own) =>
      b.length === own.length &&
      b.every((o, i) => o.x === own[i]!.x && (['expected', 'lo', 'hi'] as const).every((k) => o.b[k] === own[i]!.b[k]));
    if (!bands.some(same)) bands.push(own);
  }
  const rows = bands.flatMap((own, band) =>
    own.map(({ x, b }) => ({ band, x, expected: b.expected, lo: b.lo, hi: b.hi })),
  );
  return { rows, name };
}

/** The curves with the claim's band (grey, under them) and expected line (dashed, black) added, each with a key entry. */
function withClaimBand(
  spec: TopLevelSpec,
  { rows, name }: { rows: BandRow[]; name: string },
  logY: boolean,
): TopLevelSpec {
  if (!rows.length) return spec;
  const s = spec as unknown as {
    layer: { mark: { type: string }; encoding: Record<string, Record<string, unknown>> }[];
  };
  const curve = s.layer.find((l) => l.mark.type === 'line')!;
  const { field: _x, ...xEnc } = curve.encoding.x!,
    { field: _y, ...yEnc } = curve.encoding.y!;
  const open = (v: number) => !isNum(v) || (logY && v <= 0); // runs to the plot's edge
  const fill = {
    datum: name,
    type: 'nominal',
    scale: { range: ['#8c8c8c'] },
    legend: { title: null, orient: 'right', symbolType: 'square', symbolOpacity: 0.35, labelLimit: 400 },
  };
  const area = (filter: (r: BandRow) => boolean, yField: 'lo' | 'hi', y2: Record<string, unknown>) => {
    const values = rows
      .filter(filter)
      .map((r) => ({ band: r.band, x: r.x, [yField]: r[yField], ...(y2.field ? { hi: r.hi } : {}) }));
    return values.length
      ? [
          {
            data: { values },
            mark: { type: 'area', fillOpacity: 0.22, strokeWidth: 0, clip: true },
            encoding: {
              x: { field: 'x', ...xEnc },
              y: { field: yField, ...yEnc },
              y2,
              detail: { field: 'band', type: 'nominal' },
              fill,
            },
          },
        ]
      : [];
  };
  const bands = name
    ? [
        ...area((r) => !open(r.lo) && !open(r.hi) && r.hi > r.lo, 'lo', { field: 'hi' }),
        ...area((r) => !open(r.lo) && open(r.hi), 'lo', { value: 0 }), // up to the top edge
        ...area((r) => open(r.lo) && !open(r.hi), 'hi', { value: 'height' }), // down to the bottom edge
      ]
    : [];
  const expected = {
    data: {
      values: rows
        .filter((r) => !(logY && r.expected <= 0))
        .map((r) => ({ band: r.band, x: r.x, expected: r.expected })),
    },
    mark: { type: 'line', color: '#111', strokeWidth: 1.3, clip: true },
    encoding: {
      x: { field: 'x', ...xEnc },
      y: { field: 'expected', ...yEnc },
      detail: { field: 'band', type: 'nominal' },
      strokeDash: {
        datum: rows.some((r) => r.lo === -Infinity || r.hi === Infinity) ? 'bound' : 'expected',
        type: 'nominal',
        scale: { range: [[6, 4]] },
        legend: {
          title: null,
          orient: 'right',
          symbolType: 'stroke',
          symbolSize: 300,
          symbolStrokeColor: '#111',
          labelLimit: 400,
        },
      },
    },
  };
  return { ...spec, layer: [...bands, expected, ...s.layer] } as unknown as TopLevelSpec;
}
