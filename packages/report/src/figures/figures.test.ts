import { describe, expect, it } from 'vitest';
import {
  crossSection,
  curves,
  panel,
  pointsAndLines,
  powerOfTen,
  renderSvg,
  scatterVsTheory,
  STD_ERROR_BARS,
} from './index.ts';

const sigmaPoints = () => {
  const pts = [];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      const th = i === j ? 2e-5 * (i + 1) : -3e-6 * (i - j);
      pts.push({
        theory: th,
        simulation: th * 1.05,
        label: `S[${i},${j}]`,
        group: i === j ? 'diagonal' : 'off-diagonal',
      });
    }
  return pts;
};

describe('plots', () => {
  it('renders a simulation-vs-theory scatter with a diagonal, groups and negative values', async () => {
    const spec = scatterVsTheory({
      title: 'Covariance check',
      points: sigmaPoints(),
      xTitle: 'theory',
      yTitle: 'simulation',
    });
    const svg = await renderSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Covariance check');
    expect(svg).toContain('y = x');
    expect(svg).toContain('off-diagonal');
    // tiny values: the power of ten is factored into the axis titles
    expect(svg).toContain('(×10⁻⁵)');
  });

  it('renders a scatter without groups or labels, and with no points', async () => {
    const one = await renderSvg(
      scatterVsTheory({
        title: 'Plain',
        points: [
          { theory: 1, simulation: 1.1 },
          { theory: 2, simulation: 1.9 },
        ],
      }),
    );
    expect(one.startsWith('<svg')).toBe(true);
    expect(one).toContain('Plain');
    const none = await renderSvg(scatterVsTheory({ title: 'Empty', points: [] }));
    expect(none).toContain('Empty');
  });

  it('renders curves with sd bands on linear axes', async () => {
    const x = [0, 1, 2, 3, 4, 5];
    const svg = await renderSvg(
      curves({
        title: 'Loss curves',
        xTitle: 'step',
        yTitle: 'loss',
        series: [
          { name: 'eta=0.1', x, mean: x.map((v) => Math.exp(-v)), sd: x.map(() => 0.05) },
          { name: 'eta=0.2', x, mean: x.map((v) => Math.exp(-2 * v)) },
        ],
      }),
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Loss curves');
    expect(svg).toContain('eta=0.2');
  });

  it('drops non-positive values on log axes instead of failing', async () => {
    const spec = curves({
      title: 'MSD log-log',
      xTitle: 't (steps)',
      yTitle: 'msd',
      logX: true,
      logY: true,
      series: [
        { name: 'sim', x: [0, 1, 10, 100], mean: [0, 1e-4, 1e-3, 0], sd: [0, 2e-4, 1e-4, 1] },
        { name: 'all zero', x: [0, 0], mean: [0, 0] },
      ],
    });
    const rows = (spec as unknown as { data: { values: { x: number; mean: number; lo?: number }[] } }).data.values;
    expect(rows.every((r) => r.x > 0 && r.mean > 0 && (r.lo === undefined || r.lo > 0))).toBe(true);
    expect(rows).toHaveLength(2);
    const svg = await renderSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('MSD log-log');
    expect(svg).toContain(powerOfTen(-3));
  });

  it('renders log axes with no positive data at all', async () => {
    const svg = await renderSvg(
      curves({
        title: 'Nothing',
        xTitle: 'x',
        yTitle: 'y',
        logY: true,
        series: [{ name: 'z', x: [1, 2], mean: [0, -1] }],
      }),
    );
    expect(svg).toContain('Nothing');
  });

  it('puts several figures in one panel', async () => {
    const a = scatterVsTheory({ title: 'Panel A', points: sigmaPoints() });
    const b = curves({
      title: 'Panel B',
      xTitle: 'x',
      yTitle: 'y',
      series: [{ name: 's', x: [1, 2, 3], mean: [3, 2, 1] }],
    });
    const svg = await renderSvg(panel([a, b], { columns: 2, title: 'Both' }));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const t of ['Panel A', 'Panel B', 'Both']) expect(svg).toContain(t);
    expect(await renderSvg(panel([a, b], 1))).toContain('Panel B');
  });

  it('writes powers of ten with superscripts', () => {
    expect(powerOfTen(-12)).toBe('10⁻¹²');
    expect(powerOfTen(0)).toBe('10⁰');
    expect(powerOfTen(5)).toBe('10⁵');
  });

  it('renders a cross-section: heat map on a square plot, dashed contours with a key, arrows and marked points', async () => {
    const edges = [-2, -1, 0, 1, 2],
      density = edges
        .slice(1)
        .map((_, i) =>
          edges.slice(1).map((__, j) => (i === 3 && j === 0 ? 0 : Math.exp(-((i - 1.5) ** 2) - (j - 1.5) ** 2))),
        );
    const circle = (r: number) =>
      Array.from({ length: 33 }, (_, k) => ({
        x: r * Math.cos((k * Math.PI) / 16),
        y: r * Math.sin((k * Math.PI) / 16),
      }));
    const spec = crossSection({
      title: 'Panel A',
      xTitle: 'δθ₆/Θ₆',
      yTitle: 'δθ₇/Θ₇',
      histogram: { xEdges: edges, yEdges: edges, density },
      contours: [
        { name: 'theory', color: '#ffffff', points: circle(1) },
        { name: 'theory', color: '#ffffff', points: circle(1.5) },
        { name: 'Boltzmann', color: '#ffd21f', points: circle(0.5) },
      ],
      vectors: [{ x: 0.5, y: 0, dx: 0, dy: 0.3 }],
      dots: [
        { name: 'θ₀', x: 0, y: 0, shape: 'star', color: '#ffd21f' },
        { name: 'θ̂₀', x: 0.2, y: 0.1, shape: 'circle', color: '#fff' },
      ],
    }) as unknown as { width: number; height: number; layer: { mark: { type: string } }[] };
    expect(spec.width).toBe(spec.height); // equal aspect: the window is square in data units
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['rect', 'line', 'rule', 'point', 'point', 'rect']);
    const svg = await renderSvg(spec as never);
    for (const text of ['Panel A', 'δθ₆/Θ₆', 'δθ₇/Θ₇', 'Boltzmann', 'θ̂₀']) expect(svg).toContain(text);
  });

  type Layers = {
    width: number;
    height: number;
    layer: {
      mark: { type: string };
      data: { values: Record<string, number>[] };
      encoding: Record<string, { scale?: { domain?: number[] }; axis?: Record<string, unknown> }>;
    }[];
  };

  it('draws points with interval bars under theory lines, on padded linear axes', async () => {
    const spec = pointsAndLines({
      title: 'Rate vs k',
      subtitle: ['K = 80 chains', 'slope 0.98'],
      xTitle: 'sharpness k',
      yTitle: 'γ',
      zeroX: true,
      zeroY: true,
      points: [
        {
          name: 'simulation',
          x: [1, 2, 4, 8],
          y: [0.05, 0.12, 0.22, 0.43],
          lo: [0.04, 0.1, 0.18, 0.34],
          hi: [0.06, 0.14, 0.26, 0.52],
        },
      ],
      lines: [
        { name: 'theory', x: [0, 8], y: [0, 0.42] },
        { name: 'fit', x: [1, 8], y: [0.05, 0.44], dashed: true },
      ],
    }) as unknown as Layers;
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['line', 'rule', 'point', 'rect']);
    // from 0 (zeroX) to 5 % past the largest k, so that the last point and its bar stay off the frame
    expect(spec.layer[2].encoding.x.scale!.domain).toEqual([0, 8 + 0.05 * 8]);
    expect(spec.layer[2].encoding.y.scale!.domain![1]).toBeCloseTo(0.52 * 1.05, 12);
    expect(spec.layer[2].encoding.x.axis!.tickMinStep).toBe(1); // integer x (batch sizes): integer ticks
    const svg = await renderSvg(spec as never);
    for (const text of ['Rate vs k', 'slope 0.98', 'simulation', 'theory', 'fit', 'sharpness k'])
      expect(svg).toContain(text);
  });

  it('drops non-positive values on log axes, cuts intervals at the smallest positive value and shares a square domain', async () => {
    const spec = pointsAndLines({
      title: 'C vs H',
      xTitle: 'H/B',
      yTitle: 'C',
      logX: true,
      logY: true,
      square: true,
      points: [
        { name: 'eigen', x: [1e2, 1e3, -1, 1e5], y: [2e2, 1e3, 5, 0], lo: [-1, 9e2, 1, 1], hi: [3e2, 1.1e3, 9, 1] },
      ],
      lines: [{ name: 'y = x', x: [0, 1e2, 1e5], y: [0, 1e2, 1e5] }],
    }) as unknown as Layers;
    expect(spec.width).toBe(spec.height);
    const points = spec.layer[2].data.values;
    expect(points.map((p) => p.x)).toEqual([1e2, 1e3]);
    expect(points[0].lo).toBe(1e2); // lo ≤ 0 → the smallest positive value plotted
    const x = spec.layer[2].encoding.x,
      y = spec.layer[2].encoding.y;
    expect(x.scale!.domain).toEqual(y.scale!.domain); // one domain on both axes: y = x at 45°
    expect(x.scale!.domain).toEqual([1e2 / 1.25, 1e5 * 1.25]);
    expect(x.axis!.values).toEqual([1e2, 1e3, 1e4, 1e5]); // ≥ 2 decades: decade ticks
    expect(await renderSvg(spec as never)).toContain('10⁴');
  });

  it('labels a narrow log axis at 1, 2, 5 × 10ⁿ', async () => {
    const spec = pointsAndLines({
      title: 'Occupancy',
      xTitle: 'η/S',
      yTitle: 'r',
      logX: true,
      points: [{ name: 'a', x: [5e-4, 7.5e-4, 1.5e-3], y: [-0.6, -0.2, 0.1] }],
    }) as unknown as Layers;
    expect(spec.layer[0].encoding.x.axis!.values).toEqual([5e-4, 1e-3]);
    const svg = await renderSvg(spec as never);
    expect(svg).toContain('5×10⁻⁴');
    expect(svg).toContain('10⁻³');
  });

  it('draws ±1 standard-error bars on a scatter where points have a stdError, inside the shared domain, named in the key', async () => {
    const points = sigmaPoints().map((p, k) => ({ ...p, stdError: k === 0 ? 1e-5 : 1e-6 }));
    const spec = scatterVsTheory({ title: 'With bars', points }) as unknown as Layers;
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['line', 'rule', 'point', 'rect']);
    const bars = spec.layer[1];
    expect(bars.data.values[0]).toMatchObject({ lo: 2e-5 * 1.05 - 1e-5, hi: 2e-5 * 1.05 + 1e-5, stdError: 1e-5 });
    expect(bars.encoding.y2).toEqual({ field: 'hi' });
    expect(spec.layer[2].encoding.x.scale!.domain![1]).toBeGreaterThan(2e-5 * 1.05 + 1e-5); // the bar stays inside
    const svg = await renderSvg(spec as never);
    for (const text of [STD_ERROR_BARS, 'y = x', 'diagonal', 'off-diagonal']) expect(svg).toContain(text);
    // no stdError: no bars and no key entry for them
    const plain = scatterVsTheory({ title: 'No bars', points: sigmaPoints() }) as unknown as Layers;
    expect(plain.layer.map((l) => l.mark.type)).toEqual(['line', 'point', 'rect']);
  });

  it('draws ±1 s.e. bars for points given a stdError, in the colours given, and says so in the key', async () => {
    const spec = pointsAndLines({
      title: 'KL vs η',
      xTitle: 'η',
      yTitle: 'KL [bits]',
      logX: true,
      logY: true,
      points: [{ name: 'sim SGLD', x: [1e-7, 2e-7], y: [1e-3, 4e-3], stdError: [2e-3, 1e-3], color: '#123456' }],
      lines: [{ name: 'FP SGLD', x: [1e-7, 2e-7], y: [1e-3, 4e-3], color: '#123456' }],
    }) as unknown as Layers & {
      layer: { encoding: Record<string, { scale?: { range?: unknown[] }; datum?: string }> }[];
    };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['line', 'rule', 'point', 'rect']);
    const rule = spec.layer[1];
    expect(rule.data.values).toEqual([
      { pseries: 'sim SGLD', x: 1e-7, y: 1e-3, lo: 1e-3, hi: 3e-3 }, // y − s.e. ≤ 0 on a log axis: cut to the smallest value
      { pseries: 'sim SGLD', x: 2e-7, y: 4e-3, lo: 3e-3, hi: 5e-3 },
    ]);
    expect(rule.encoding.strokeDash!.datum).toBe(STD_ERROR_BARS);
    expect(spec.layer[2].encoding.color!.scale!.range).toEqual(['#123456']);
    expect(spec.layer[0].encoding.stroke!.scale!.range).toEqual(['#123456']);
    expect(await renderSvg(spec as never)).toContain(STD_ERROR_BARS);
    // explicit intervals keep their own name, or none
    const named = pointsAndLines({
      title: 't',
      xTitle: 'x',
      yTitle: 'y',
      barsName: '95 % intervals',
      points: [{ name: 's', x: [1], y: [1], lo: [0.5], hi: [1.5] }],
    }) as unknown as Layers & { layer: { encoding: Record<string, { datum?: string }> }[] };
    expect(named.layer[0].encoding.strokeDash!.datum).toBe('95 % intervals');
  });
});
