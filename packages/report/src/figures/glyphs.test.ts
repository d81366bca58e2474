import { describe, expect, it } from 'vitest';
import { fontCodePoints } from './glyphs.ts';
import { fontFile } from './png.ts';
import {
  crossSection,
  curves,
  FONT,
  labelProblems,
  missingGlyphs,
  panel,
  pointsAndLines,
  renderSvg,
  scatterVsTheory,
  subscript,
  svgFontFamilies,
  textProblems,
  vsGrid,
  type TopLevelSpec,
} from './index.ts';

/** One of each builder, labelled the way the scenarios label theirs. */
function everyBuilder(): Record<string, TopLevelSpec> {
  const scatter = scatterVsTheory({
    title: 'Σᵢⱼ: simulation vs (ηζ²/2)H₀(I − ηH₀/2)⁻¹',
    xTitle: 'theory Σᵢⱼ/√(ΣᵢᵢΣⱼⱼ)',
    yTitle: 'simulation Σᵢⱼ/√(ΣᵢᵢΣⱼⱼ)',
    points: [
      { theory: 1, simulation: 1.02, stdError: 0.01, label: `Σ${subscript(1)}${subscript(1)}`, group: 'diagonal' },
      {
        theory: 0.3,
        simulation: 0.29,
        stdError: 0.02,
        label: `Σ${subscript(1)}${subscript(2)}`,
        group: 'off-diagonal',
      },
    ],
  });
  const lines = curves({
    title: 'Training curves (004 Fig. 1C)',
    xTitle: 'step',
    yTitle: 'ℒ(θ)/ℒ(θ₀) − 1',
    logY: true,
    series: [{ name: 'WR', x: [1, 2, 3], mean: [1, 0.1, 0.01], sd: [0.1, 0.01, 0.001] }],
  });
  const points = pointsAndLines({
    title: 'Power spectrum of θₖ₊₁ − θₖ',
    subtitle: ['λ/λₘₐₓ, ⟨exp(−σ)⟩ − 1, KL(Pₛ ‖ Pₚₒ)'],
    xTitle: 'η',
    yTitle: 'Cₑₑ = uₑᵀ C uₑ',
    logX: true,
    logY: true,
    points: [{ name: 'sim SGLD', x: [1e-7, 2e-7], y: [1e-3, 4e-3], stdError: [1e-4, 3e-4] }],
    lines: [{ name: 'FP SGLD', x: [1e-7, 2e-7], y: [1e-3, 4e-3] }],
  });
  const heat = crossSection({
    title: 'A · WR SGD, units Θ = √Σₐₐ of WR',
    xTitle: 'δθ₆/Θ₆',
    yTitle: 'δθ₇/Θ₇',
    histogram: {
      xEdges: [-1, 0, 1],
      yEdges: [-1, 0, 1],
      density: [
        [1, 2],
        [3, 4],
      ],
    },
    dots: [{ name: 'θ̂₀ = argmin ℒ̂', x: 0, y: 0, shape: 'circle', color: '#fff' }],
  });
  const sweep = vsGrid(
    { axes: [{ key: 'eta', texts: ['1e-7', '2e-7'], values: [1e-7, 2e-7] }] },
    [1e-7, 2e-7].map((eta) => ({ grid: { eta }, labels: { eta: String(eta) } })),
    'wr-sigma-matches-theory',
    'measured',
    (p) => (p.grid.eta as number) * 1e5,
    () => ({ expected: 0.015, tolerance: 0.01 }),
  );
  return { scatter, lines, points, heat, sweep, panel: panel([scatter, lines], 2) };
}

describe('figure words: one font, real subscripts, glyphs DejaVu Sans has', () => {
  it("reads the fonts' character maps: DejaVu Sans has Unicode subscripts (ᵢ, ⱼ, ₖ, ₘₐₓ) and ℒ, not the script 𝓛", () => {
    const regular = fontCodePoints(fontFile('DejaVuSans.ttf')),
      bold = fontCodePoints(fontFile('DejaVuSans-Bold.ttf'));
    expect(regular.size).toBeGreaterThan(5000);
    for (const ch of 'AΣθηᵢⱼₖₘₐₓ₀₉₊⁻⁶⟨⟩ℒ√×−') {
      expect(regular.has(ch.codePointAt(0)!), ch).toBe(true);
      expect(bold.has(ch.codePointAt(0)!), ch).toBe(true);
    }
    for (const ch of ['𝓛', '𝓗', '𝐿']) expect(regular.has(ch.codePointAt(0)!), ch).toBe(false);
    expect(missingGlyphs('|∇𝓛|₂ and 𝓗')).toEqual(['𝓛', '𝓗']);
    expect(missingGlyphs('|∇ℒ|₂, Σᵢⱼ, θₖ₊₁ − θₖ, 10⁻⁶, ⟨σ⟩/ℓ')).toEqual([]);
  });

  it('flags ASCII subscripts, powers and spelled-out Greek letters, and glyphs the font lacks', () => {
    const flagged = [
      'theory Σ_ij',
      'theta_6',
      'θ_{k+1} − θ_k',
      '⟨e^{−σ}⟩ − 1',
      'x^2',
      'eta',
      'd theta',
      'eta=0.1',
      '|∇𝓛|',
    ];
    for (const t of flagged) expect(textProblems(t), t).not.toEqual([]);
    expect(textProblems('theory Σ_ij')[0]).toContain('"Σ_ij" is a subscript written with _');
    expect(textProblems('|∇𝓛|')[0]).toContain('no glyph for 𝓛 (U+1D4DB)');
    const fine = ['Σᵢⱼ/√(ΣᵢᵢΣⱼⱼ)', 'θ₆', 'δθ₇/Θ₇', 'η', '⟨σ⟩/ℓ', '10⁻⁶', 'ℒ(θ)/ℒ(θ₀) − 1', 'batchSize=10'];
    for (const t of [...fine, 'theta0-is-minimum', 'sigma-matches-theory']) expect(textProblems(t), t).toEqual([]); // claim ids are names
  });

  it('every builder draws every text in DejaVu Sans (sans-serif fallback) with no label problem, tooltips included', async () => {
    for (const [name, spec] of Object.entries(everyBuilder())) {
      const svg = await renderSvg(spec);
      expect(svgFontFamilies(svg), name).toEqual([FONT]);
      expect(FONT).toBe('"DejaVu Sans", sans-serif');
      expect(labelProblems(svg, spec), name).toEqual([]);
    }
  });

  it('finds problems in the spec as well as in the drawing: a tooltip label, a legend name', async () => {
    const spec = scatterVsTheory({
      title: 'Σ',
      points: [{ theory: 1, simulation: 1, label: 'Σ_12' }],
    });
    const svg = await renderSvg(spec);
    expect(labelProblems(svg)).toEqual([]); // the tooltip is not drawn
    expect(labelProblems(svg, spec)).toEqual(['"Σ_12": "Σ_12" is a subscript written with _ (write Σᵢⱼ, θ₆, θₖ₊₁)']);
    const named = pointsAndLines({
      title: 't',
      xTitle: 'x',
      yTitle: 'y',
      points: [{ name: 'eta = 0.1', x: [1], y: [1] }],
    });
    expect(labelProblems(await renderSvg(named), named)).toHaveLength(1);
  });
});
