import { describe, expect, it } from 'vitest';
import { createProgress, formatCount, formatDuration } from './progress.ts';

function fakeStream(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns, write: (s: string) => (chunks.push(s), true) } };
}

describe('formatting', () => {
  it('formats durations and counts', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(12_000)).toBe('12s');
    expect(formatDuration(185_000)).toBe('3m05s');
    expect(formatDuration(2 * 3600_000 + 7 * 60_000)).toBe('2h07m');
    expect(formatCount(4e7)).toBe('4.0e7');
    expect(formatCount(1234)).toBe('1234');
  });
});

describe('createProgress', () => {
  it('redraws one line in place on a TTY, with bar, percent and ETA, throttled', () => {
    const { chunks, stream } = fakeStream(true);
    let t = 0;
    const p = createProgress({ label: 'run', total: 100, stream, now: () => t });
    for (let i = 1; i <= 100; i++) {
      t += 20; // 50 updates per second
      p.update(i);
    }
    p.finish();
    // at most ~10 redraws per second: 2 s of updates → ≤ 21 draws + the final one
    expect(chunks.length).toBeLessThanOrEqual(22);
    expect(chunks.every((c) => c.startsWith('\r'))).toBe(true);
    expect(chunks.slice(0, -1).every((c) => !c.includes('\n'))).toBe(true);
    const first = chunks[0]!;
    expect(first).toMatch(/run [█░]{30}\s+1% 1\/100 elapsed 0s ETA 2s/);
    const mid = chunks.find((c) => c.includes(' 51% 51/100 '));
    expect(mid).toMatch(/ETA 1s/);
    const last = chunks.at(-1)!;
    expect(last.endsWith('\n')).toBe(true);
    expect(last).toContain('█'.repeat(30));
    expect(last).toContain('100% 100/100 elapsed 2s');
    expect(last).not.toContain('ETA');
  });

  it('shows minutes in the ETA and pads over a longer previous line', () => {
    const { chunks, stream } = fakeStream(true);
    let t = 0;
    const p = createProgress({ label: 'long', total: 1e8, stream, now: () => t });
    t = 60_000;
    p.update(2.5e7); // 1 min for a quarter → 3 min left
    expect(chunks.at(-1)).toContain('ETA 3m00s');
    expect(chunks.at(-1)).toContain('2.5e7/1.0e8');
  });

  it('cuts the line to the terminal width', () => {
    const { chunks, stream } = fakeStream(true, 40);
    const p = createProgress({ label: 'x', total: 10, stream, now: () => 0 });
    p.update(5);
    expect(chunks[0]!.length).toBeLessThanOrEqual(40);
  });

  it('prints at most one plain line per 10 % when not a TTY', () => {
    const { chunks, stream } = fakeStream(false);
    let t = 0;
    const p = createProgress({ label: 'regression-ness WR', total: 1e8, stream, now: () => t });
    for (let i = 1; i <= 100; i++) {
      t += 300;
      p.update(i * 1e6);
    }
    p.finish();
    expect(chunks.length).toBeLessThanOrEqual(11);
    expect(chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
    expect(chunks).toContain('regression-ness WR: 40% (4.0e7/1.0e8 steps) elapsed 12s ETA 18s\n');
    expect(chunks.at(-1)).toBe('regression-ness WR: 100% (1.0e8/1.0e8 steps) elapsed 30s\n');
  });

  it('prints the final state at finish when it was not printed yet, and ignores calls after finish', () => {
    const { chunks, stream } = fakeStream(false);
    let t = 0;
    const p = createProgress({ label: 'job', total: 10, stream, now: () => t, unit: 'runs' });
    p.update(1);
    t = 5000;
    p.update(3);
    p.finish();
    p.update(10);
    p.finish();
    expect(chunks).toEqual(['job: 10% (1/10 runs) elapsed 0s ETA ?\n', 'job: 30% (3/10 runs) elapsed 5s ETA 12s\n']);
  });

  it('clamps out-of-range updates', () => {
    const { chunks, stream } = fakeStream(false);
    const p = createProgress({ label: 'c', total: 10, stream, now: () => 0 });
    p.update(-5);
    p.update(50);
    expect(chunks.at(-1)).toContain('100% (10/10 steps)');
  });
});
