import { describe, expect, it } from 'vitest';
import { get } from 'node:http';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScenarioError } from '@nesslab/kernel';
import { folderFile, serveFolder, startLiveServer } from './server.ts';
import type { LiveState } from './board.ts';

const fetchText = (url: string) =>
  new Promise<{ status: number; type: string; body: string }>((ok, fail) =>
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => ok({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    }).on('error', fail),
  );

/**
 * Reads /events as the page does; resolves with the states received (and when) once the stream ends, and with the
 * report the page then asks for, 200 ms after leaving the stream (a browser's navigation comes after the close).
 */
function listen(
  url: string,
): Promise<{ got: { at: number; state: LiveState }[]; report: Promise<{ status: number; body: string }> | undefined }> {
  return new Promise((ok, fail) => {
    const got: { at: number; state: LiveState }[] = [];
    let report: Promise<{ status: number; body: string }> | undefined;
    get(`${url}events`, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buffer += d;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').find((l) => l.startsWith('data: '));
          if (data) {
            const state = JSON.parse(data.slice(6)) as LiveState;
            got.push({ at: performance.now(), state });
            if (state.status !== 'running') {
              res.destroy(); // as the page does: it leaves for the report, then asks for it
              const at = state.report;
              if (at) report = new Promise((r) => setTimeout(r, 200)).then(() => fetchText(new URL(at, url).href));
            }
          }
        }
      });
      res.on('close', () => ok({ got, report }));
    }).on('error', fail);
  });
}

describe('live server', () => {
  it('streams the state at most twice a second, then serves the report and closes', async () => {
    const live = await startLiveServer({ title: 'test run' });
    expect(live.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetchText(live.url);
    expect(page.type).toContain('text/html');
    expect(page.body).toContain("new EventSource('/events')");
    const events = listen(live.url);
    await new Promise((ok) => setTimeout(ok, 100));
    live.board.simulation('WR', 100);
    // 40 changes in 1.2 s: the stream sends far fewer states, 0.5 s apart at least.
    for (let i = 1; i <= 40; i++) {
      live.board.progress('WR', i, 100);
      if (i % 10 === 0) live.board.values('WR', { chains: i / 10, total: 4, values: { moments: { 'tr Σ': i } } });
      await new Promise((ok) => setTimeout(ok, 30));
    }
    const state = (await fetchText(`${live.url}state`)).body;
    expect((JSON.parse(state) as LiveState).simulations[0]!.done).toBe(40);
    await live.finish({ report: '<!doctype html><title>the report</title>' });
    const { got, report } = await events;
    // The page left the stream first and asked for the report 200 ms later: finish waited for it.
    expect(await report).toMatchObject({ status: 200, body: '<!doctype html><title>the report</title>' });
    const running = got.filter((e) => e.state.status === 'running');
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(running.length).toBeLessThanOrEqual(5);
    for (let i = 2; i < running.length; i++) expect(running[i]!.at - running[i - 1]!.at).toBeGreaterThan(450);
    expect(got[got.length - 1]!.state).toMatchObject({ status: 'done', report: '/report.html', progress: 1 });
    expect(got[got.length - 1]!.state.charts[0]!.points).toHaveLength(4);
    await expect(fetchText(live.url)).rejects.toThrow(); // closed once the page left
  });

  it('refuses a port in use, naming --port', async () => {
    const live = await startLiveServer({ title: 'a' });
    const port = Number(new URL(live.url).port);
    await expect(startLiveServer({ title: 'b', port })).rejects.toThrow(ScenarioError);
    await expect(startLiveServer({ title: 'b', port })).rejects.toThrow(/--port: port \d+ on 127\.0\.0\.1 is in use/);
    await live.close();
  });

  it('serves a folder read-only: report.html at /, nothing outside it, no dot files', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nesslab-serve-'));
    const dir = join(root, 'run');
    mkdirSync(join(dir, 'plots'), { recursive: true });
    writeFileSync(join(dir, 'report.html'), '<p>report</p>');
    writeFileSync(join(dir, 'plots', 'a.svg'), '<svg/>');
    writeFileSync(join(dir, '.nesslab'), 'mark');
    writeFileSync(join(root, 'secret.txt'), 'no');
    symlinkSync(join(root, 'secret.txt'), join(dir, 'link.txt'));
    expect(folderFile(dir, '/')).toBe(join(dir, 'report.html'));
    expect(folderFile(dir, '/plots/a.svg')).toBe(join(dir, 'plots', 'a.svg'));
    for (const bad of ['/../secret.txt', '/%2e%2e/secret.txt', '/.nesslab', '/link.txt', '/plots', '/nope', '/%zz'])
      expect(folderFile(dir, bad), bad).toBeUndefined();
    const served = await serveFolder(dir);
    try {
      expect((await fetchText(served.url)).body).toBe('<p>report</p>');
      expect((await fetchText(`${served.url}plots/a.svg`)).type).toBe('image/svg+xml');
      expect((await fetchText(`${served.url}..%2fsecret.txt`)).status).toBe(404);
    } finally {
      await served.close();
    }
    await expect(serveFolder(root)).rejects.toThrow(/DIR: .* has no report\.html/);
  });
});
