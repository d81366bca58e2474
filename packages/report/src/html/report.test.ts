import { describe, expect, it } from 'vitest';
import { claimsHtml, escapeHtml, inlineJson, interactiveSpec, reportHtml } from './report.ts';

const claims = [
  { id: 'a-holds', statement: 'x < 1', measured: 0.5, expected: '< 1', tolerance: 0, holds: true },
  { id: 'b-<fails>', statement: 'y = 2', measured: 3.25e-7, expected: 2, tolerance: 0.1, holds: false },
];

describe('report.html', () => {
  it('is self-contained: vega, vega-lite and vega-embed inlined, no address outside the page', () => {
    const html = reportHtml({
      title: 't',
      run: { seed: 1 },
      params: { eta: 1e-7, nested: { m: 10 } },
      claims,
      figures: { f: { data: { values: [{ x: 1, y: '</script><b>' }] }, mark: 'point' } },
    });
    expect(html).toContain('vegaEmbed');
    expect(html).toMatch(/vega-lite/i);
    // No script or stylesheet from anywhere: every <script> is inline, and nothing is fetched.
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    // The data cannot end its script early.
    const data = html.slice(
      html.indexOf('id="nesslab-figures">'),
      html.indexOf('</script>', html.indexOf('id="nesslab-figures">')),
    );
    expect(data).not.toContain('</script>');
    expect(data).toContain('\\u003c/script>');
    expect(html.length).toBeGreaterThan(800_000); // the three libraries
  });

  it('has one row per claim with its verdict, escaped', () => {
    const table = claimsHtml(claims);
    expect(table.match(/<tr data-claim=/g)).toHaveLength(2);
    expect(table).toContain('data-claim="b-&lt;fails&gt;" data-holds="false"');
    expect(table).toContain('3.25e-7');
    expect(escapeHtml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    expect(inlineJson({ s: '</script>\u2028' })).toBe('{"s":"\\u003c/script>\\u2028"}');
  });

  it('adds tooltips everywhere and zoom only to plots with two continuous field axes', () => {
    const scatter = interactiveSpec({
      layer: [
        {
          mark: 'point',
          encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
        },
        { mark: 'rule' },
      ],
    }) as { layer: { params?: unknown }[]; config: { mark: { tooltip: boolean } } };
    expect(scatter.layer[0]!.params).toEqual([{ name: 'zoom', select: 'interval', bind: 'scales' }]);
    expect(scatter.layer[1]!.params).toBeUndefined();
    expect(scatter.config.mark.tooltip).toBe(true);
    const heat = interactiveSpec({
      mark: 'rect',
      encoding: { x: { field: 'a', type: 'quantitative', bin: true }, y: { field: 'b', type: 'quantitative' } },
    }) as { params?: unknown };
    expect(heat.params).toBeUndefined();
  });
});
