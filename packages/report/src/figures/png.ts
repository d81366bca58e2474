// PNG copies of the figures, for slides: the SVG rasterised by resvg (@resvg/resvg-js, which ships its own binary) with
// a font that ships with nesslab (DejaVu Sans, npm dejavu-fonts-ttf), never the system's, so every machine draws the
// same pixels. Best effort: where resvg cannot load (a platform without its prebuilt binary, an install without optional
// dependencies), `renderPng` gives undefined and the run says once why there are no PNGs.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** Pixels per SVG unit: 2× for slides and print. */
const SCALE = 2;

/** The faces the PNGs are drawn with: DejaVu Sans regular (labels), bold (titles) and oblique. */
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'] as const;
/** The path of one of dejavu-fonts-ttf's files. */
export const fontFile = (name: string): string => require.resolve(`dejavu-fonts-ttf/ttf/${name}`);

type Resvg = new (svg: string, options: Record<string, unknown>) => { render(): { asPng(): Uint8Array } };

let loaded: { Resvg: Resvg; fonts: string[] } | { error: string } | undefined;

function load(): { Resvg: Resvg; fonts: string[] } | { error: string } {
  if (loaded) return loaded;
  try {
    const { Resvg } = require('@resvg/resvg-js') as { Resvg: Resvg };
    loaded = { Resvg, fonts: FONT_FILES.map(fontFile) };
  } catch (e) {
    loaded = { error: (e as Error).message.split('\n')[0]! };
  }
  return loaded;
}

/** Why PNGs cannot be drawn here, or undefined when they can. */
export function pngUnavailable(): string | undefined {
  const r = load();
  return 'error' in r ? r.error : undefined;
}

/** The figure as a PNG at 2× its SVG size, drawn with DejaVu Sans only; undefined where resvg is not available. */
export function renderPng(svg: string): Uint8Array | undefined {
  const r = load();
  if ('error' in r) return undefined;
  const svgWidth = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  const resvg = new r.Resvg(svg, {
    font: {
      fontFiles: r.fonts,
      loadSystemFonts: false,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    background: 'white',
    ...(svgWidth > 0 ? { fitTo: { mode: 'width', value: Math.round(svgWidth * SCALE) } } : {}),
  });
  return resvg.render().asPng();
}
