// The reporting layer of nesslab: figures (Vega-Lite → SVG), claim tables, progress, output folders.
export * from './figures/index.ts';
export * from './table.ts';
export * from './progress.ts';
export * from './files.ts';
export * from './html/report.ts';
export * from './live/board.ts';
export * from './live/server.ts';
