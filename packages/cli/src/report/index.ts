// The reporting layer of the nesslab CLI: figures (Vega-Lite → SVG), claim tables, progress, output folders.
export * from './plots.ts';
export * from './table.ts';
export * from './progress.ts';
export * from './files.ts';
