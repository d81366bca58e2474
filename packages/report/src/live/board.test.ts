import { describe, expect, it } from 'vitest';
import { LiveBoard } from './board.ts';

describe('LiveBoard', () => {
  it('keeps progress with an ETA per simulation, one chart per observer value with its theory, and the claims', () => {
    let t = 0,
      changes = 0;
    const board = new LiveBoard(
      'run',
      () => changes++,
      () => t,
    );
    board.plan([
      { label: 'WR', total: 1000 },
      { label: 'WOR', total: 3000 },
    ]);
    board.simulation('WR', 1000, { moments: { 'tr Σ': 2 } });
    t = 2000;
    board.progress('WR', 250, 1000);
    let s = board.state();
    expect(s.progress).toBe(250 / 4000); // over every planned simulation
    expect(s.simulations[0]).toMatchObject({
      label: 'WR',
      done: 250,
      elapsed: 2,
      eta: 6,
      finished: false,
      waiting: false,
    });
    expect(s.simulations[1]).toMatchObject({ label: 'WOR', done: 0, eta: null, waiting: true });
    board.values('WR', { chains: 4, total: 16, values: { moments: { 'tr Σ': 1.9, 'Σ₁₁': 0.5 } } });
    board.values('WR', { chains: 8, total: 16, values: { moments: { 'tr Σ': 2.1, 'Σ₁₁': 0.6 } } });
    s = board.state();
    expect(s.charts.map((c) => [c.name, c.points.length, c.theory])).toEqual([
      ['tr Σ', 2, 2],
      ['Σ₁₁', 2, undefined],
    ]);
    expect(s.charts[0]!.points).toEqual([
      [4, 1.9],
      [8, 2.1],
    ]);
    board.claims([{ id: 'c', statement: 's', measured: 1, expected: 1, tolerance: 0, holds: true }]);
    board.finish('/report.html');
    s = board.state();
    expect(s).toMatchObject({ status: 'done', report: '/report.html', progress: 1 });
    expect(s.claims).toHaveLength(1);
    expect(changes).toBe(7);
  });
});
