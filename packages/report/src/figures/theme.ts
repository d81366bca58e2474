// The shared look of nesslab figures: the Vega-Lite schema, plot sizes, the config every figure uses, and the frame.

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export const WIDTH = 420;
export const HEIGHT = 320;
/** Simulation-vs-theory plots are square so that y = x runs at 45°. */
export const SQUARE = 360;

/**
 * The one font of every text (titles, axes, legends, text marks), in the SVG and in the PNG: DejaVu Sans, which ships
 * with nesslab (npm dejavu-fonts-ttf) and which png.ts draws with; sans-serif for SVG viewers without it.
 */
export const FONT = '"DejaVu Sans", sans-serif';

/** Shared look: framed plot area, light grid, normal-weight axis titles, a muted categorical palette. */
export const CONFIG = {
  font: FONT,
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
export const FRAME = {
  data: { values: [{}] },
  mark: { type: 'rect' as const, fill: null, stroke: '#333', strokeWidth: 1 },
  encoding: { x: { value: 0 }, x2: { value: 'width' }, y: { value: 0 }, y2: { value: 'height' } },
};
