import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FONT, labelProblems, svgFontFamilies } from '@nesslab/report';

/** The files of figures as a run writes them (tests): each SVG with its 2× PNG and its Vega-Lite spec, sorted. */
export const withPngAndSpec = (svgs: readonly string[]): string[] =>
  svgs.flatMap((f) => [f, f.replace(/\.svg$/, '.png'), f.replace(/\.svg$/, '.vl.json')]).sort();

/**
 * What is wrong with the words of a run's figures (tests): report's labelProblems on each SVG with its Vega-Lite spec
 * (glyphs DejaVu Sans lacks, ASCII subscripts such as Σ_ij, spelled-out Greek letters), and any font but FONT.
 */
export function plotProblems(plots: string): string[] {
  return readdirSync(plots)
    .filter((f) => f.endsWith('.svg'))
    .sort()
    .flatMap((f) => {
      const svg = readFileSync(join(plots, f), 'utf8'),
        spec: unknown = JSON.parse(readFileSync(join(plots, f.replace(/\.svg$/, '.vl.json')), 'utf8'));
      const fonts = svgFontFamilies(svg).filter((font) => font !== FONT);
      return [...labelProblems(svg, spec), ...fonts.map((font) => `font-family ${font}`)].map((p) => `${f}: ${p}`);
    });
}
