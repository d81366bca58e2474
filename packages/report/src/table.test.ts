import { describe, expect, it } from 'vitest';
import { type Claim, claimsTable, formatNumber } from './table.ts';

describe('formatNumber', () => {
  it('is compact: 4 significant digits, scientific when tiny or huge', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(3.14159265)).toBe('3.142');
    expect(formatNumber(-0.012345)).toBe('-0.01235');
    expect(formatNumber(1.23456e-7)).toBe('1.235e-7');
    expect(formatNumber(2e-5)).toBe('2e-5');
    expect(formatNumber(1e8)).toBe('1e8');
    expect(formatNumber(123456789.5)).toBe('1.235e8');
    expect(formatNumber(12345.6)).toBe('12346');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-∞');
  });
});

describe('claimsTable', () => {
  const claims: Claim[] = [
    {
      id: 'sigma-lyapunov',
      statement: 'Stationary covariance solves the Lyapunov equation',
      measured: 0.012345,
      expected: 0,
      tolerance: 0.05,
      holds: true,
    },
    {
      id: 'ep-rate',
      statement: 'Entropy production rate matches tr(D^-1 ...)',
      measured: 1.23456e-6,
      expected: 1.2e-6,
      tolerance: '5%',
      holds: false,
    },
    {
      id: 'fdt',
      statement: 'Fluctuation-dissipation is violated',
      measured: 'violated',
      expected: 'violated',
      tolerance: '-',
      holds: true,
    },
  ];

  it('aligns columns and marks holds with ✓/✗', () => {
    const out = claimsTable(claims);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^id\s+measured\s+expected\s+tolerance\s+holds$/);
    expect(lines[1]).toMatch(/^─+( +─+){4}$/);
    const body = lines.slice(2, 5);
    expect(body[0]).toContain('0.01235');
    expect(body[0]).toMatch(/✓$/);
    expect(body[1]).toContain('1.235e-6');
    expect(body[1]).toContain('1.2e-6');
    expect(body[1]).toMatch(/✗$/);
    // every holds mark in the same column as the header
    const col = lines[0]!.indexOf('holds');
    for (const l of body) expect(l.length - 1).toBe(col);
    // numbers right-aligned: every cell of "measured" ends where its header ends
    const measuredEnd = lines[0]!.indexOf('measured') + 'measured'.length;
    for (const l of body) {
      expect(l[measuredEnd - 1]).not.toBe(' ');
      expect(l[measuredEnd]).toBe(' ');
    }
  });

  it('prints the statements of failing claims below the table', () => {
    const out = claimsTable(claims);
    expect(out).toContain('2 of 3 claims hold.');
    expect(out).toContain('✗ ep-rate: Entropy production rate matches');
    expect(out).not.toContain('Stationary covariance solves');
    expect(out.endsWith('\n')).toBe(false);
  });

  it('has no failure section when everything holds, and handles no claims', () => {
    const out = claimsTable([claims[0]!]);
    expect(out).toContain('1 of 1 claims hold.');
    expect(out).not.toContain('Failing');
    expect(claimsTable([])).toBe('(no claims)');
  });
});
