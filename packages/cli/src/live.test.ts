// --live, --port and `nesslab serve` on the bundled CLI: bad input is one line (exit 2) before anything runs, a spec
// run's report shows its observers' default figures, and serve gives a finished run's report. (The page itself, in a
// browser: browser.test.ts.)
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/nesslab.mjs', import.meta.url));
const nesslab = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const fetchText = (url: string) =>
  new Promise<{ status: number; body: string }>((ok, fail) =>
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => ok({ status: res.statusCode!, body }));
    }).on('error', fail),
  );

describe('--live, --port and serve', () => {
  it('refuse bad input in one line, before anything runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nesslab-live-'));
    const out = join(dir, 'out');
    for (const [args, line] of [
      [
        ['run', 'regression-ness', '--port', '8080', '--out', out],
        'nesslab: --port: only with --live, or for nesslab serve',
      ],
      [
        ['run', 'regression-ness', '--live', '--port', '99999', '--out', out],
        'nesslab: --port: must be an integer from 0 to 65535, got "99999"',
      ],
      [
        ['validate', 'regression-ness', '--live'],
        'nesslab: --live: only for nesslab run and nesslab sweep (nesslab serve DIR shows a finished one)',
      ],
      [['serve'], 'nesslab: serve: name the output folder of a finished run or sweep (DIR)'],
      [['serve', dir, '--workers', '2'], 'nesslab: --workers: not an option of nesslab serve (it takes --port N)'],
      [
        ['serve', dir],
        `nesslab: DIR: ${dir} has no report.html (not a nesslab result, or written before reports existed)`,
      ],
    ] as const) {
      const r = nesslab(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('a spec run draws its observers default figures into report.html; serve gives it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nesslab-live-'));
    const file = join(dir, 'curve.json');
    writeFileSync(
      file,
      JSON.stringify({
        seed: 4,
        landscape: { name: 'tanh-regression' },
        sampler: { name: 'with-replacement', params: { batchSize: 10 } },
        optimizer: { name: 'sgd', params: { eta: 1e-6 } },
        observers: [{ name: 'relative-loss' }, { name: 'moments' }],
        init: { kind: 'random' },
        chains: 4,
        steps: 2000,
      }),
    );
    const out = join(dir, 'out');
    const r = nesslab('run', file, '--quiet', '--workers', '2', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['relative-loss.svg', 'relative-loss.vl.json', 'moments.svg'])
      expect(existsSync(join(out, 'plots', f)), f).toBe(true);
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('data-figure="relative-loss"');
    expect(report).toContain('data-figure="moments"');
    expect(report).toContain('tanh-regression × sgd × with-replacement');

    const child = spawn(process.execPath, [bin, 'serve', out]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      for (let i = 0; i < 400 && !/http:\/\/127\.0\.0\.1:\d+\//.test(stderr); i++)
        await new Promise((ok) => setTimeout(ok, 25));
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1];
      expect(url, stderr).toBeDefined();
      expect((await fetchText(url!)).body).toBe(report);
      expect((await fetchText(`${url}plots/moments.svg`)).body).toBe(
        readFileSync(join(out, 'plots', 'moments.svg'), 'utf8'),
      );
      expect((await fetchText(`${url}.nesslab`)).status).toBe(404);
    } finally {
      child.kill('SIGINT');
    }
  });
});
