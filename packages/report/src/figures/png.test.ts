import { describe, expect, it } from 'vitest';
import { figureFiles, pngUnavailable, scatterVsTheory } from './index.ts';

const spec = () =>
  scatterVsTheory({
    title: 'Σᵢⱼ: simulation vs theory',
    points: [
      { theory: 1, simulation: 1.02, label: 'a', group: 'diagonal' },
      { theory: -0.3, simulation: -0.29, label: 'b', group: 'off-diagonal' },
    ],
    xTitle: 'theory',
    yTitle: 'simulation',
  });

describe('figure files (SVG, PNG, Vega-Lite JSON)', () => {
  it('gives each figure as SVG, a 2× PNG drawn with the shipped DejaVu Sans, and its Vega-Lite spec with data inline', async () => {
    expect(pngUnavailable()).toBeUndefined(); // @resvg/resvg-js and dejavu-fonts-ttf are installed with the workspace
    const files = await figureFiles('sigma', spec());
    expect(Object.keys(files).sort()).toEqual(['plots/sigma.png', 'plots/sigma.svg', 'plots/sigma.vl.json']);
    const svg = files['plots/sigma.svg'] as string,
      png = Buffer.from(files['plots/sigma.png'] as Uint8Array);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]); // the PNG signature
    const width = png.readUInt32BE(16),
      svgWidth = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)![1]);
    expect(width).toBe(Math.round(2 * svgWidth));
    expect(png.length).toBeGreaterThan(5000); // drawn, not blank: marks, axes and text
    const vl = JSON.parse(files['plots/sigma.vl.json'] as string);
    expect(vl).toEqual(JSON.parse(JSON.stringify(spec())));
    expect(JSON.stringify(vl)).toContain('"simulation":1.02'); // the data travel with the spec
    // Same bytes every time (one font, no system fonts): figures are reproducible files.
    const again = await figureFiles('sigma', spec());
    expect(Buffer.from(again['plots/sigma.png'] as Uint8Array).equals(png)).toBe(true);
  });
});
