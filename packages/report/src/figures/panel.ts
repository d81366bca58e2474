// Panels: several figures side by side in one.
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, SCHEMA } from './theme.ts';

export interface PanelOptions {
  /** Panels per row (default: all in one row). */
  columns?: number;
  title?: string;
}

/**
 * Put several figure specs side by side (wrapping after `columns`) in one figure. Each panel keeps
 * its own scales and legends.
 */
export function panel(specs: TopLevelSpec[], opts: PanelOptions | number = {}): TopLevelSpec {
  const o: PanelOptions = typeof opts === 'number' ? { columns: opts } : opts;
  const inner = specs.map((s) => {
    const { $schema: _s, config: _c, ...rest } = s as unknown as Record<string, unknown>;
    return rest;
  });
  return {
    $schema: SCHEMA,
    ...(o.title !== undefined ? { title: o.title } : {}),
    columns: Math.max(1, o.columns ?? specs.length),
    concat: inner,
    spacing: 24,
    config: CONFIG,
    resolve: {
      scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' },
      legend: { color: 'independent', shape: 'independent', strokeDash: 'independent' },
    },
  } as unknown as TopLevelSpec;
}
