import type { Container } from 'inversify';
import {
  ScenarioError,
  didYouMean,
  listPlugins,
  listScenarios,
  preview,
  type ParamSpec,
  type PluginKind,
} from '@nesslab/kernel';
import { withPreset } from '@nesslab/scenarios';
import { formatNumber } from '@nesslab/report';
import { packagedScenario } from './scenario-file.ts';

/** `nesslab list --json`: the packaged scenarios, then every plugin, in the order the text lists them. */
export interface Listing {
  scenarios: { name: string; title: string }[];
  plugins: { kind: PluginKind; name: string; description: string }[];
}
const KINDS = ['landscape', 'sampler', 'optimizer', 'observer'] as const;

export function listing(container: Container): Listing {
  return {
    scenarios: listScenarios(container).map((s) => ({ name: s.name, title: s.title })),
    plugins: KINDS.flatMap((kind) =>
      listPlugins(container, kind).map((p) => ({ kind, name: p.name, description: p.description })),
    ),
  };
}

export function listAll(container: Container): string {
  const { scenarios, plugins } = listing(container);
  const lines = ['Packaged scenarios (nesslab run <name>):'];
  for (const s of scenarios) lines.push(`  ${s.name.padEnd(24)} ${s.title}`);
  for (const kind of KINDS) {
    lines.push('', `${kind[0].toUpperCase()}${kind.slice(1)}s:`);
    for (const p of plugins.filter((x) => x.kind === kind)) lines.push(`  ${p.name.padEnd(24)} ${p.description}`);
  }
  return `${lines.join('\n')}\n`;
}

const fmt = (v: unknown) =>
  v === undefined ? '(required)' : typeof v === 'number' ? formatNumber(v) : JSON.stringify(v);
const range = (p: Bounds) =>
  [
    p.minimum !== undefined && `≥ ${p.minimum}`,
    p.exclusiveMinimum !== undefined && `> ${p.exclusiveMinimum}`,
    p.maximum !== undefined && `≤ ${p.maximum}`,
    p.enum && `one of ${p.enum.map(fmt).join(', ')}`,
  ]
    .filter(Boolean)
    .join(', ');

/** A parameter's bounds, as `describe --json` gives them (absent when unbounded). */
type Bounds = Pick<ParamSpec, 'minimum' | 'exclusiveMinimum' | 'maximum' | 'enum'>;
const bounds = (p: ParamSpec): Bounds => ({
  ...(p.minimum !== undefined ? { minimum: p.minimum } : {}),
  ...(p.exclusiveMinimum !== undefined ? { exclusiveMinimum: p.exclusiveMinimum } : {}),
  ...(p.maximum !== undefined ? { maximum: p.maximum } : {}),
  ...(p.enum ? { enum: p.enum } : {}),
});
/** `nesslab describe <plugin> --json`: a default absent is a required parameter. */
export interface PluginDescription {
  kind: PluginKind;
  name: string;
  description: string;
  precision: string;
  source?: string;
  params: Record<string, { type: ParamSpec['type']; description: string; default?: unknown } & Bounds>;
}
/** `nesslab describe <scenario> --json`: each parameter's default per preset (absent: required), the claims by id. */
export interface ScenarioDescription {
  kind: 'scenario';
  name: string;
  title: string;
  reproduces: string;
  params: Record<string, { type: ParamSpec['type']; description: string; quick?: unknown; full?: unknown } & Bounds>;
  claims: Record<string, string>;
}

/** What `describe` shows of a scenario or plugin; an unknown name is a ScenarioError (with a guess). */
export function description(container: Container, name: string): PluginDescription | ScenarioDescription {
  const plugin = listPlugins(container).find((p) => p.name === name);
  if (plugin && !listScenarios(container).some((s) => s.name === name)) {
    const params: PluginDescription['params'] = {};
    for (const [k, p] of Object.entries(plugin.params))
      params[k] = { type: p.type, description: p.description, default: p.default, ...bounds(p) };
    return {
      kind: plugin.kind,
      name: plugin.name,
      description: plugin.description,
      precision: plugin.precision,
      ...(plugin.source ? { source: plugin.source } : {}),
      params,
    };
  }
  if (!listScenarios(container).some((s) => s.name === name)) {
    const names = [...listScenarios(container).map((s) => s.name), ...listPlugins(container).map((p) => p.name)];
    throw new ScenarioError(
      'scenario',
      `unknown scenario or plugin ${preview(name, 60)}${didYouMean(name, names)}; nesslab list shows them`,
    );
  }
  const s = packagedScenario(container, name);
  const quick = withPreset(s, 'quick'),
    full = withPreset(s, 'full');
  const params: ScenarioDescription['params'] = {};
  for (const [k, p] of Object.entries(s.params))
    params[k] = {
      type: p.type,
      description: p.description,
      quick: quick[k]!.default,
      full: full[k]!.default,
      ...bounds(p),
    };
  return { kind: 'scenario', name: s.name, title: s.title, reproduces: s.reproduces, params, claims: { ...s.claims } };
}

export function describeTarget(container: Container, name: string): string {
  const d = description(container, name);
  if (d.kind !== 'scenario') {
    const lines = [`${d.name} (${d.kind}, ${d.precision})`, `  ${d.description}`];
    if (d.source) lines.push(`  implements: ${d.source}`);
    lines.push('', 'Parameters:');
    for (const [k, p] of Object.entries(d.params))
      lines.push(
        `  ${k.padEnd(14)} ${p.type.padEnd(8)} default ${fmt(p.default).padEnd(12)} ${p.description}${range(p) ? ` (${range(p)})` : ''}`,
      );
    if (!Object.keys(d.params).length) lines.push('  (none)');
    return `${lines.join('\n')}\n`;
  }
  const lines = [`${d.name}: ${d.title}`, '', `Reproduces: ${d.reproduces}`, '', 'Parameters (quick / full):'];
  for (const [k, p] of Object.entries(d.params))
    lines.push(
      `  ${k.padEnd(21)} ${fmt(p.quick).padEnd(8)} / ${fmt(p.full).padEnd(8)} ${p.description}${range(p) ? ` (${range(p)})` : ''}`,
    );
  lines.push('', 'Claims (in results.json, checked with --check):');
  for (const [id, statement] of Object.entries(d.claims)) lines.push(`  ${id.padEnd(32)} ${statement}`);
  return `${lines.join('\n')}\n`;
}
