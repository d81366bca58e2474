// Simulation vs theory scatter.
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, FRAME, SCHEMA, SQUARE } from './theme.ts';
import { isNum, linearAxis } from './axes.ts';

export interface ScatterPoint {
  theory: number;
  simulation: number;
  /** Shown in the tooltip, e.g. "Σ[0,1]". */
  label?: string;
  /** Colour/shape group, e.g. 'diagonal' / 'off-diagonal'. */
  group?: string;
  /** Standard error of `simulation` (same units): drawn as a ±1 s.e. bar, and named in the key. */
  stdError?: number;
}

export interface ScatterVsTheoryOptions {
  title: string;
  points: ScatterPoint[];
  xTitle?: string;
  yTitle?: string;
}

/** The key's name for the error bars of scatterVsTheory and pointsAndLines' `stdError`. */
export const STD_ERROR_BARS = '±1 standard error';

/**
 * Simulation (y) against theory (x), with the reference line y = x drawn (dashed) across the data
 * range, and vertical ±1 standard-error bars where points have a `stdError`. Both axes share one
 * linear domain (bars included) so the diagonal runs corner to corner. Points are coloured (and
 * shaped) by `group` when any point has one. Non-finite points are dropped.
 */
export function scatterVsTheory(opts: ScatterVsTheoryOptions): TopLevelSpec {
  const pts = opts.points.filter((p) => isNum(p.theory) && isNum(p.simulation));
  const se = (p: ScatterPoint) => (isNum(p.stdError) ? Math.abs(p.stdError) : undefined);
  const hasBars = pts.some((p) => se(p) !== undefined);
  const all = pts.flatMap((p) => [
    p.theory,
    p.simulation,
    ...(se(p) !== undefined ? [p.simulation - se(p)!, p.simulation + se(p)!] : []),
  ]);
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
    ...(se(p) !== undefined ? { stdError: se(p), lo: p.simulation - se(p)!, hi: p.simulation + se(p)! } : {}),
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
    ...(hasBars
      ? [{ field: 'stdError', type: 'quantitative' as const, title: 'standard error', format: tipFormat }]
      : []),
    ...(hasGroup ? [{ field: 'group', type: 'nominal' as const, title: 'group' }] : []),
  ];

  // One key for the dashed diagonal and the solid error bars.
  const dash = (datum: string) => ({
    datum,
    type: 'nominal' as const,
    scale: hasBars
      ? {
          domain: ['y = x', STD_ERROR_BARS],
          range: [
            [6, 4],
            [1, 0],
          ],
        }
      : { range: [[6, 4]] },
    legend: {
      title: null,
      symbolType: 'stroke',
      symbolSize: 300,
      symbolStrokeColor: '#666',
      orient: 'right' as const,
      labelLimit: 400,
    },
  });
  const diagonal = {
    data: { values: [{ t: lo }, { t: hi }] },
    mark: { type: 'line' as const, color: '#666', strokeWidth: 1.2, clip: true },
    encoding: { x: x('t'), y: y('t'), strokeDash: dash('y = x') },
  };

  const groupEnc = hasGroup
    ? {
        color: { field: 'group', type: 'nominal' as const, legend: { title: null } },
        shape: { field: 'group', type: 'nominal' as const, legend: { title: null } },
      }
    : { color: { value: '#1f5fa8' } };

  const scatter = {
    data: { values },
    mark: {
      type: 'point' as const,
      filled: true,
      size: 48,
      opacity: 0.85,
      stroke: 'white',
      strokeWidth: 0.5,
      clip: true,
    },
    encoding: { x: x('theory'), y: y('simulation'), ...groupEnc, tooltip },
  };
  const bars = {
    data: { values: values.filter((v) => 'lo' in v) },
    mark: { type: 'rule' as const, strokeWidth: 1.2, opacity: 0.85, clip: true },
    encoding: {
      x: x('theory'),
      y: y('lo'),
      y2: { field: 'hi' },
      color: groupEnc.color,
      strokeDash: dash(STD_ERROR_BARS),
    },
  };

  return {
    $schema: SCHEMA,
    title: opts.title,
    width: SQUARE,
    height: SQUARE,
    config: CONFIG,
    layer: hasBars ? [diagonal, bars, scatter, FRAME] : [diagonal, scatter, FRAME],
  } as TopLevelSpec;
}
