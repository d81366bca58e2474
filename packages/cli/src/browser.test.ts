/// <reference lib="dom" />
// Issue 14 in a real browser (Debian's chromium, driven by playwright-core, which downloads no browser): a run's
// report.html opened from file:// with no network, and the live page of a run with --live. These tests fail, naming
// the package, when chromium is missing; `.ci/run` installs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { reproducible } from '@nesslab/scenarios';

const bin = fileURLToPath(new URL('../dist/nesslab.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'nesslab-browser-'));

/** Debian's chromium (or CHROMIUM_PATH); a clear failure naming the package when it is not installed. */
function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => !!p,
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `chromium not found (looked at ${candidates.join(', ')}): install the Debian package chromium (apt-get install -y chromium); .ci/run does`,
    );
  return found;
}

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** A page that records console errors and uncaught exceptions. */
async function watchedPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/** Every figure of the open report: its name and how many marks vega drew in its SVG. */
async function renderedFigures(page: Page): Promise<{ name: string; marks: number }[]> {
  await page.waitForFunction(() => (window as unknown as { nesslabFigures?: unknown }).nesslabFigures !== undefined);
  await page.evaluate(() => (window as unknown as { nesslabFigures: Promise<unknown> }).nesslabFigures);
  return page.$$eval('.vega[data-figure]', (els) =>
    els.map((el) => ({
      name: el.getAttribute('data-figure') ?? '',
      marks: el.querySelectorAll(
        'svg g[class*="mark-"] > path, svg g[class*="mark-"] > line, svg g[class*="mark-"] > rect, svg g[class*="mark-"] > text',
      ).length,
    })),
  );
}

const run = ['run', 'regression-ness', '--seed', '3'];
const reportDir = join(scratch, 'report');

describe('report.html', () => {
  it('opens from file:// with no network: no console error, every figure drawn, the claim rows equal the claims', async () => {
    const r = spawnSync(process.execPath, [bin, ...run, '--workers', '2', '--quiet', '--out', reportDir], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(reportDir, 'results.json'), 'utf8')) as {
      claims: { id: string; holds: boolean }[];
    };
    const { page, errors } = await watchedPage();
    // Anything but the file itself would be a network request: refuse them all, and count them.
    const requests: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(join(reportDir, 'report.html')).href);
    const figures = await renderedFigures(page);
    expect(figures.map((f) => f.name).sort()).toEqual(
      readdirSync(join(reportDir, 'plots'))
        .filter((f) => f.endsWith('.vl.json'))
        .map((f) => f.slice(0, -'.vl.json'.length))
        .sort(),
    );
    for (const f of figures) expect(f.marks, f.name).toBeGreaterThan(0);
    const rows = await page.$$eval('table.claims tr[data-claim]', (trs) =>
      trs.map((tr) => ({ id: tr.getAttribute('data-claim'), holds: tr.getAttribute('data-holds') === 'true' })),
    );
    expect(rows).toEqual(results.claims.map((c) => ({ id: c.id, holds: c.holds })));
    expect(await page.textContent('body')).toContain('Provenance');
    const shot = await page.screenshot({ fullPage: true });
    writeFileSync(join(scratch, 'report.png'), shot);
    // Not blank: a white page of this size compresses to a few kB; a drawn one is far larger, with many colours.
    expect(shot.length).toBeGreaterThan(50_000);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, 150_000);
});

describe('--live', () => {
  it('shows progress and observer values growing while the run runs, then becomes the report; results unchanged', async () => {
    const out = join(scratch, 'live');
    const child = spawn(process.execPath, [bin, ...run, '--workers', '1', '--quiet', '--live', '--out', out]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 400 && !/live: http:\/\/127\.0\.0\.1:\d+\//.test(stderr); i++)
      await new Promise((r) => setTimeout(r, 25));
    const url = /live: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1];
    expect(url, stderr).toBeDefined();
    const { page, errors } = await watchedPage();
    await page.goto(url!);
    // Poll the page (not the server) until it leaves for the report: progress and the most points of any chart.
    const seen: { progress: number; points: number }[] = [];
    let shot: Buffer | undefined; // the live page mid-run, for a look (live.png beside the run)
    for (let i = 0; i < 1200 && !page.url().endsWith('/report.html'); i++) {
      try {
        seen.push(
          await page.evaluate(() => ({
            progress: Number(document.getElementById('progress')?.getAttribute('data-progress') ?? 0),
            points: Math.max(
              0,
              ...Array.from(document.querySelectorAll('[data-chart]'), (c) => Number(c.getAttribute('data-points'))),
            ),
          })),
        );
      } catch {
        // the page is navigating to the report
      }
      if (!shot && seen.at(-1)?.points && seen.at(-1)!.progress > 0.3)
        shot = await page.screenshot({ fullPage: true, path: join(scratch, 'live.png') }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
    const progress = [...new Set(seen.map((s) => s.progress))].filter((p) => p > 0 && p < 1);
    expect(progress.length, JSON.stringify(seen.slice(-5))).toBeGreaterThanOrEqual(2);
    const points = seen.map((s) => s.points).filter((n) => n > 0);
    expect(points.length).toBeGreaterThan(0);
    expect(Math.max(...points)).toBeGreaterThan(Math.min(...points)); // a chart grew while the run ran
    // The page became the report of this run.
    await page.waitForURL(/\/report\.html$/, { timeout: 30_000 });
    expect(await page.$$eval('table.claims tr[data-claim]', (trs) => trs.length)).toBeGreaterThan(0);
    expect(await exited, stderr).toBe(0);
    expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|EventSource/.test(e))).toEqual([]);
    await page.close();
    // Bit-identical with and without --live (and whatever the workers).
    expect(reproducible(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(
      reproducible(readFileSync(join(reportDir, 'results.json'), 'utf8')),
    );
  }, 150_000);
});
