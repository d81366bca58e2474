// Curves (mean ± sd bands).
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, FRAME, HEIGHT, SCHEMA, WIDTH } from './theme.ts';
import { isNum, linearAxis, logAxis } from './axes.ts';

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
