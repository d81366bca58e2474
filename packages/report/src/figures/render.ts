// Headless rendering of a Vega-Lite figure spec to SVG (no browser, no canvas).
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

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
