// Headless rendering of a Vega-Lite figure spec to SVG (no browser, no canvas).
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { renderPng } from './png.ts';

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

/**
 * A figure's files in the output folder: `plots/<name>.svg`, `plots/<name>.png` (2×, DejaVu Sans; only where resvg
 * loads, see png.ts) and `plots/<name>.vl.json`, the Vega-Lite spec with its data inline (it opens in the Vega editor
 * or in Altair: `alt.Chart.from_json(open(…).read())`).
 */
export async function figureFiles(name: string, spec: TopLevelSpec): Promise<Record<string, string | Uint8Array>> {
  const svg = await renderSvg(spec),
    png = renderPng(svg);
  return {
    [`plots/${name}.svg`]: svg,
    ...(png ? { [`plots/${name}.png`]: png } : {}),
    [`plots/${name}.vl.json`]: `${JSON.stringify(spec, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v), 2)}\n`,
  };
}
