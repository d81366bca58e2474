import type { Container } from 'inversify';
import { ScenarioError, didYouMean, listPlugins, listScenarios, preview, type ParamSpec } from '@nesslab/kernel';
import { withPreset } from '@nesslab/scenarios';
import { formatNumber } from '@nesslab/report';
import { packagedScenario } from './scenario-file.ts';

export function listAll(container: Container): string {
  const lines = ['Packaged scenarios (nesslab run <name>):'];
  for (const s of listScenarios(container)) lines.push(`  ${s.name.padEnd(24)} ${s.title}`);
  for (const kind of ['landscape', 'sampler', 'optimizer', 'observer'] as const) {
    lines.push('', `${kind[0].toUpperCase()}${kind.slice(1)}s:`);
    for (const p of listPlugins(container, kind)) lines.push(`  ${p.name.padEnd(24)} ${p.description}`);
  }
  return `${lines.join('\n')}\n`;
}

const fmt = (v: unknown) =>
  v === undefined ? '(required)' : typeof v === 'number' ? formatNumber(v) : JSON.stringify(v);
const range = (p: ParamSpec) =>
  [
    p.minimum !== undefined && `≥ ${p.minimum}`,
    p.exclusiveMinimum !== undefined && `> ${p.exclusiveMinimum}`,
    p.maximum !== undefined && `≤ ${p.maximum}`,
    p.enum && `one of ${p.enum.map(fmt).join(', ')}`,
  ]
    .filter(Boolean)
    .join(', ');

export function describeTarget(container: Container, name: string): string {
  const plugin = listPlugins(container).find((p) => p.name === name);
  if (plugin && !listScenarios(container).some((s) => s.name === name)) {
    const lines = [`${plugin.name} (${plugin.kind}, ${plugin.precision})`, `  ${plugin.description}`];
    if (plugin.source) lines.push(`  implements: ${plugin.source}`);
    lines.push('', 'Parameters:');
    for (const [k, p] of Object.entries(plugin.params))
      lines.push(
        `  ${k.padEnd(14)} ${p.type.padEnd(8)} default ${fmt(p.default).padEnd(12)} ${p.description}${range(p) ? ` (${range(p)})` : ''}`,
      );
    if (!Object.keys(plugin.params).length) lines.push('  (none)');
    return `${lines.join('\n')}\n`;
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
  const lines = [`${s.name}: ${s.title}`, '', `Reproduces: ${s.reproduces}`, '', 'Parameters (quick / full):'];
  for (const [k, p] of Object.entries(s.params))
    lines.push(
      `  ${k.padEnd(21)} ${fmt(quick[k].default).padEnd(8)} / ${fmt(full[k].default).padEnd(8)} ${p.description}${range(p) ? ` (${range(p)})` : ''}`,
    );
  lines.push('', 'Claims (in results.json, checked with --check):');
  for (const [id, statement] of Object.entries(s.claims)) lines.push(`  ${id.padEnd(32)} ${statement}`);
  return `${lines.join('\n')}\n`;
}
