/** The files of figures as a run writes them (tests): each SVG with its 2× PNG and its Vega-Lite spec, sorted. */
export const withPngAndSpec = (svgs: readonly string[]): string[] =>
  svgs.flatMap((f) => [f, f.replace(/\.svg$/, '.png'), f.replace(/\.svg$/, '.vl.json')]).sort();
