// Cross-section of a stationary distribution (004 Fig. 2).
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, FRAME, SCHEMA, SQUARE } from './theme.ts';
import { isNum } from './axes.ts';

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
const STAR =
  'M0.0,-1.6L0.3592,-0.4944L1.5218,-0.4944L0.5813,0.1888L0.9405,1.2944L0.0,0.6112L-0.9405,1.2944L-0.5813,0.1888L-1.5218,-0.4944L-0.3592,-0.4944Z';
/** A circle of 0.6× the unit radius: drawn after a star at the same point, it stays visible in the star's middle. */
const DOT = 'M0.6,0A0.6,0.6,0,1,1,-0.6,0A0.6,0.6,0,1,1,0.6,0Z';
/** turbo's low end: the colour of an empty cell. */
const HEAT_LOW = '#30123b';
/** Line and point keys on the heat map's dark background, so that white and yellow symbols show. */
const KEY = {
  title: null,
  orient: 'bottom',
  direction: 'vertical',
  labelLimit: 400,
  fillColor: HEAT_LOW,
  labelColor: '#ffffff',
  padding: 6,
  cornerRadius: 3,
} as const;

/**
 * Heat map of a 2-D histogram (log colour, red = high, blue = low), dashed contour lines, current arrows and marked
 * points, on a square plot with one shared unit on both axes (the window must be square in data units).
 */
export function crossSection(opts: CrossSectionOptions): TopLevelSpec {
  const h = opts.histogram,
    cells = [];
  for (let i = 0; i + 1 < h.xEdges.length; i++) {
    for (let j = 0; j + 1 < h.yEdges.length; j++) {
      const d = h.density[i]?.[j];
      if (isNum(d) && d > 0)
        cells.push({ x: h.xEdges[i], x2: h.xEdges[i + 1], y: h.yEdges[j], y2: h.yEdges[j + 1], density: d });
    }
  }
  const top = Math.max(...cells.map((c) => c.density), 1e-300); // colours span 4 decades below the peak (the contours 3)
  const xDomain = [h.xEdges[0], h.xEdges[h.xEdges.length - 1]],
    yDomain = [h.yEdges[0], h.yEdges[h.yEdges.length - 1]];
  const axis = { grid: false, tickCount: 7 };
  const x = {
    type: 'quantitative' as const,
    scale: { domain: xDomain, nice: false, zero: false },
    axis: { ...axis, title: opts.xTitle },
  };
  const y = {
    type: 'quantitative' as const,
    scale: { domain: yDomain, nice: false, zero: false },
    axis: { ...axis, title: opts.yTitle },
  };
  const layers: Record<string, unknown>[] = [
    {
      data: { values: cells },
      mark: { type: 'rect', strokeWidth: 0, clip: true },
      encoding: {
        x: { field: 'x', ...x },
        x2: { field: 'x2' },
        y: { field: 'y', ...y },
        y2: { field: 'y2' },
        fill: {
          field: 'density',
          type: 'quantitative',
          scale: { type: 'log', scheme: 'turbo', domain: [top * 1e-4, top], clamp: true },
          legend: { title: opts.densityTitle ?? 'density', orient: 'right', gradientLength: 160, format: '.0e' },
        },
      },
    },
  ];
  const contours = opts.contours ?? [];
  if (contours.length) {
    const names = contours.map((c) => c.name).filter((n, i, a) => a.indexOf(n) === i);
    const colors = names.map((n) => contours.find((c) => c.name === n)!.color);
    const rows = contours.flatMap((c, k) =>
      c.points.map((p, order) => ({ kind: c.name, line: k, order, x: p.x, y: p.y })),
    );
    layers.push({
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 1.4, strokeDash: [5, 3], clip: true },
      encoding: {
        x: { field: 'x', ...x },
        y: { field: 'y', ...y },
        detail: { field: 'line', type: 'nominal' },
        order: { field: 'order', type: 'quantitative' },
        stroke: {
          field: 'kind',
          type: 'nominal',
          scale: { domain: names, range: colors },
          legend: { ...KEY, symbolType: 'stroke', symbolDash: [5, 3], symbolStrokeWidth: 2 },
        },
      },
    });
  }
  const vectors = opts.vectors ?? [];
  if (vectors.length) {
    const rows = vectors.map((v) => ({
      x: v.x,
      y: v.y,
      x2: v.x + v.dx,
      y2: v.y + v.dy,
      angle: (Math.atan2(v.dx, v.dy) * 180) / Math.PI,
    }));
    const arrow = { color: '#f2f2f2', opacity: 0.9 };
    layers.push(
      {
        data: { values: rows },
        mark: { type: 'rule', strokeWidth: 1.1, clip: true, ...arrow },
        encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, x2: { field: 'x2' }, y2: { field: 'y2' } },
      },
      {
        data: { values: rows },
        mark: { type: 'point', shape: 'triangle', filled: true, size: 22, clip: true, ...arrow },
        encoding: {
          x: { field: 'x2', ...x },
          y: { field: 'y2', ...y },
          angle: { field: 'angle', type: 'quantitative', scale: null },
        },
      },
    );
  }
  const dots = opts.dots ?? [];
  if (dots.length) {
    const names = dots.map((d) => d.name);
    layers.push({
      data: { values: dots.map((d) => ({ name: d.name, x: d.x, y: d.y })) },
      mark: { type: 'point', filled: true, size: 100, stroke: '#111', strokeWidth: 0.8, opacity: 1, clip: true },
      encoding: {
        x: { field: 'x', ...x },
        y: { field: 'y', ...y },
        color: {
          field: 'name',
          type: 'nominal',
          scale: { domain: names, range: dots.map((d) => d.color) },
          legend: { ...KEY, symbolSize: 140 },
        },
        shape: {
          field: 'name',
          type: 'nominal',
          scale: { domain: names, range: dots.map((d) => (d.shape === 'star' ? STAR : DOT)) },
          legend: { ...KEY, symbolSize: 140 },
        },
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
