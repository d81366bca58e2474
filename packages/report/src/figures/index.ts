// Vega-Lite figure specs for nesslab reports, one file per chart type, and a headless SVG renderer (no browser, no canvas).
import type { TopLevelSpec } from 'vega-lite';

export type { TopLevelSpec };
export { figureFiles, renderSvg } from './render.ts';
export { pngUnavailable, renderPng } from './png.ts';
export { powerOfTen, subscript } from './axes.ts';
export { FONT } from './theme.ts';
export { labelProblems, missingGlyphs, svgFontFamilies, textProblems } from './glyphs.ts';
export {
  scatterVsTheory,
  STD_ERROR_BARS,
  type ScatterPoint,
  type ScatterVsTheoryOptions,
} from './scatter-vs-theory.ts';
export { curves, type CurveSeries, type CurvesOptions } from './curves.ts';
export { panel, type PanelOptions } from './panel.ts';
export { crossSection, type CrossSectionOptions } from './cross-section.ts';
export { pointsAndLines, type LineSeries, type PointSeries, type PointsAndLinesOptions } from './points-and-lines.ts';
export { claimBand, keyLabel, vsGrid, type ClaimBand, type SweepAxis, type SweepPointData } from './sweep.ts';
