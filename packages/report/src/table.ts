// Plain-text table of checked claims, for the terminal.

import type { Claim } from '@nesslab/kernel';

/** One checked claim of a scenario (the kernel's ScenarioDefinition contract defines it). */
export type { Claim } from '@nesslab/kernel';

/**
 * Compact number: 4 significant digits, trailing zeros dropped; scientific (1.235e-5) when the
 * magnitude is below 1e-3 or at least 1e6; integers below 1e6 as they are.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (Number.isInteger(x) && a < 1e6) return String(x);
  if (a < 1e-3 || a >= 1e6) {
    const [mant, exp] = x.toExponential(3).split('e') as [string, string];
    return `${stripZeros(mant)}e${exp.replace(/^\+/, '')}`;
  }
  // toPrecision switches to exponential notation on its own for a >= 1e4 only when digits run out;
  // below 1e6 with 4 digits that happens for a >= 1e4, so round there instead.
  if (a >= 1e4) return String(Math.round(x));
  return stripZeros(x.toPrecision(4));
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function cell(v: number | string): string {
  return typeof v === 'number' ? formatNumber(v) : v;
}

/**
 * The claims as a column-aligned table (id left-aligned, numbers right-aligned), a summary line,
 * and below it the statement of every claim that does not hold. No trailing newline, no colours.
 */
export function claimsTable(claims: Claim[]): string {
  if (claims.length === 0) return '(no claims)';
  const header = ['id', 'measured', 'expected', 'tolerance', 'holds'];
  const rows = claims.map((c) => [c.id, cell(c.measured), cell(c.expected), cell(c.tolerance), c.holds ? '✓' : '✗']);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const align = (r: string[]) =>
    r
      .map((v, j) => (j === 0 || j === r.length - 1 ? v.padEnd(widths[j]!) : v.padStart(widths[j]!)))
      .join('  ')
      .trimEnd();
  const lines = [align(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(align)];
  const failing = claims.filter((c) => !c.holds);
  lines.push('', `${claims.length - failing.length} of ${claims.length} claims hold.`);
  if (failing.length > 0) {
    lines.push('', 'Failing claims:');
    for (const c of failing) lines.push(`  ✗ ${c.id}: ${c.statement}`);
  }
  return lines.join('\n');
}
