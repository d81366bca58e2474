import { describe, expect, it } from 'vitest';
import { claimBand, keyLabel, labelProblems, renderSvg, vsGrid, type SweepAxis } from './index.ts';

type Layer = {
  mark: { type: string };
  data?: { values: Record<string, number>[] };
  encoding: Record<string, { field?: string; datum?: string; value?: unknown }>;
};
type Spec = { data: { values: unknown[] }; layer: Layer[] };

const eta: SweepAxis = { key: 'eta', texts: ['1e-6', '2e-6', '4e-6'], values: [1e-6, 2e-6, 4e-6] };
const batch: SweepAxis = { key: 'batchSize', texts: ['10', '20'], values: [10, 20] };
/** Points of an eta × batchSize grid with one claim each: measured = 10·i + j. */
const grid = (claim: (i: number, j: number) => { expected: number | string; tolerance: number | string }) =>
  [0, 1, 2].flatMap((i) =>
    [0, 1].map((j) => ({
      grid: { eta: eta.values[i], batchSize: batch.values[j] },
      labels: { eta: eta.texts[i]!, batchSize: batch.texts[j]! },
      measured: 10 * i + j,
      claim: claim(i, j),
    })),
  );

/** The claim plot of `points` against η, one line per batch size. */
const claimPlot = (points: ReturnType<typeof grid>) =>
  vsGrid(
    { axes: [eta, batch] },
    points,
    'c',
    'measured',
    (p) => p.measured,
    (p) => p.claim,
  ) as unknown as Spec;

describe('sweep plots: a claim against the first grid key with its tolerance band', () => {
  it('reads the claim tolerances the scenarios write: ± absolute, a factor, a one-sided bound, none', () => {
    expect(claimBand({ expected: 1, tolerance: 0.25 })).toEqual({
      expected: 1,
      lo: 0.75,
      hi: 1.25,
      kind: 'abs',
      name: 'tolerance: expected ± 0.25',
    });
    expect(claimBand({ expected: 1e-4, tolerance: 'factor 10' })).toMatchObject({ lo: 1e-5, hi: 1e-3, kind: 'factor' });
    expect(claimBand({ expected: 2, tolerance: '×3' })).toMatchObject({ lo: 2 / 3, hi: 6, kind: 'factor' });
    expect(claimBand({ expected: '≥ 0.99', tolerance: 0 })).toEqual({
      expected: 0.99,
      lo: 0.99,
      hi: Infinity,
      kind: 'bound',
      name: 'holds: ≥ 0.99',
    });
    expect(claimBand({ expected: '> 3 (smallest drop / s.e. over runs)', tolerance: 0 })).toMatchObject({
      lo: 3,
      hi: Infinity,
    });
    expect(claimBand({ expected: '≤ 1e-3', tolerance: 0 })).toMatchObject({ lo: -Infinity, hi: 1e-3 });
    expect(claimBand({ expected: '< 5', tolerance: 0 })).toMatchObject({ lo: -Infinity, hi: 5 });
    expect(claimBand({ expected: 0, tolerance: 0 })).toMatchObject({ expected: 0, lo: 0, hi: 0, name: '' }); // the line only
    expect(claimBand({ expected: 3, tolerance: '2 s.e. each' })).toMatchObject({ lo: 3, hi: 3 });
    expect(claimBand({ expected: '2 / 6 / 2', tolerance: 0.05 })).toBeUndefined();
  });

  it('shades expected ± tolerance under the measured lines and draws the expected value dashed, one band for lines alike', async () => {
    const points = grid((i) => ({ expected: 10 * i, tolerance: 5 }));
    const spec = claimPlot(points);
    // the measured lines as before: one per batchSize, x the first key
    expect(spec.data.values).toEqual([
      { series: 'batchSize=10', x: 1e-6, mean: 0 },
      { series: 'batchSize=10', x: 2e-6, mean: 10 },
      { series: 'batchSize=10', x: 4e-6, mean: 20 },
      { series: 'batchSize=20', x: 1e-6, mean: 1 },
      { series: 'batchSize=20', x: 2e-6, mean: 11 },
      { series: 'batchSize=20', x: 4e-6, mean: 21 },
    ]);
    const [band, expected, ...rest] = spec.layer;
    expect(band!.mark.type).toBe('area');
    expect(band!.data!.values).toEqual([
      { band: 0, x: 1e-6, lo: -5, hi: 5 },
      { band: 0, x: 2e-6, lo: 5, hi: 15 },
      { band: 0, x: 4e-6, lo: 15, hi: 25 },
    ]); // both batch sizes have the same band: drawn once
    expect(band!.encoding.fill!.datum).toBe('tolerance: expected ± 5');
    expect(expected!.mark.type).toBe('line');
    expect(expected!.data!.values.map((r) => r.expected)).toEqual([0, 10, 20]);
    expect(expected!.encoding.strokeDash!.datum).toBe('expected');
    expect(rest.map((l) => l.mark.type)).toEqual(['line', 'rect']); // the measured curves, the frame
    const svg = await renderSvg(spec as never);
    for (const text of ['tolerance: expected ± 5', 'expected', 'batchSize=10', 'η']) expect(svg).toContain(text);
    expect(labelProblems(svg, spec)).toEqual([]);
  });

  it('draws a one-sided bound up to the edge of the plot, one band per line where the bands differ', async () => {
    const points = grid((_i, j) => ({ expected: `≥ ${j + 1}`, tolerance: 0 }));
    const spec = claimPlot(points);
    const [band, expected] = spec.layer;
    expect(band!.encoding.y!.field).toBe('lo');
    expect(band!.encoding.y2).toEqual({ value: 0 }); // to the top edge
    expect(band!.data!.values.map((r) => [r.band, r.lo])).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    expect(expected!.encoding.strokeDash!.datum).toBe('bound');
    const svg = await renderSvg(spec as never);
    expect(svg).toContain('holds');
    const below = vsGrid(
      { axes: [eta] },
      grid(() => ({ expected: '≤ 15', tolerance: 0 })),
      'c',
      'm',
      (p) => p.measured,
      (p) => p.claim,
    );
    expect((below as unknown as Spec).layer[0]!.encoding.y2).toEqual({ value: 'height' }); // down to the bottom edge
  });

  it('on a log axis a band reaching 0 or below runs to the bottom edge, and the JSON holds no infinities', () => {
    const axis: SweepAxis = { key: 'batchSize', texts: ['1', '10', '100'], values: [1, 10, 100] };
    const points = axis.values.map((b) => ({
      grid: { batchSize: b },
      labels: { batchSize: String(b) },
      measured: (b as number) * 2,
      claim: { expected: (b as number) * 2, tolerance: (b as number) * 3 },
    }));
    const spec = vsGrid(
      { axes: [axis] },
      points,
      'r',
      'm',
      (p) => p.measured,
      (p) => p.claim,
    ) as unknown as Spec;
    const [band] = spec.layer;
    expect(band!.encoding.y!.field).toBe('hi');
    expect(band!.encoding.y2).toEqual({ value: 'height' });
    expect(JSON.stringify(spec.layer.flatMap((l) => l.data?.values ?? []))).not.toContain('null'); // Infinity would be written as null
  });

  it('puts a band of a factor either way on a log axis, where it reads symmetric', () => {
    const points = grid((i) => ({ expected: 10 * i + 1, tolerance: 'factor 10' }));
    const spec = vsGrid(
      { axes: [eta] },
      points,
      'c',
      'm',
      (p) => p.measured + 1,
      (p) => p.claim,
    ) as unknown as Spec & {
      layer: { encoding: { y: { scale?: { type?: string } } } }[];
    };
    expect(spec.layer[0]!.data!.values[0]).toEqual({ band: 0, x: 1e-6, lo: 0.1, hi: 10 });
    expect(spec.layer[0]!.encoding.y.scale!.type).toBe('log');
  });

  it('plots results without a band, and writes a Greek-letter key as its letter', () => {
    const spec = vsGrid(
      { axes: [eta] },
      grid(() => ({ expected: 0, tolerance: 1 })),
      'r',
      'r',
      (p) => p.measured,
    ) as unknown as Spec & {
      layer: { encoding: { x: { axis: { title: string } } } }[];
    };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['line', 'rect']);
    expect(String(spec.layer[0]!.encoding.x.axis.title)).toMatch(/^η/);
    expect(keyLabel('eta')).toBe('η');
    expect(keyLabel('batchSize')).toBe('batchSize');
  });
});
