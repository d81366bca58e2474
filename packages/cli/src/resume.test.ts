// Issue 13 §1–2 on the bundled CLI: a run killed at any instant keeps its finished units beside DIR, and --resume
// computes only the missing ones, with results bit-identical to an uninterrupted run (timings aside).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reproducible } from '@nesslab/scenarios';

const bin = fileURLToPath(new URL('../dist/nesslab.mjs', import.meta.url));
const nesslab = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const scratch = () => mkdtempSync(join(tmpdir(), 'nesslab-resume-'));
// regression-ness quick: 4 simulations, about 9 s on 2 workers, split into about 16 units.
const run = ['run', 'regression-ness', '--seed', '5', '--workers', '2'];
const units = (dir: string) => {
  try {
    return readdirSync(join(dir, '.out.units')).filter((f) => f.endsWith('.v8')).length;
  } catch {
    return 0;
  }
};
/** results.json but provenance and elapsedSeconds (which it must hold). */
const withoutTime = (file: string) => reproducible(readFileSync(file, 'utf8'));
/** Starts the run into dir/out and stops it with `signal` once `atLeast` units are stored; resolves with its exit. */
async function interrupt(dir: string, signal: NodeJS.Signals, atLeast: number, args = run) {
  const child = spawn(process.execPath, [bin, ...args, '--quiet', '--out', join(dir, 'out')]);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, sig) => resolve(code ?? (sig ? -1 : null))),
  );
  for (let i = 0; i < 1200 && units(dir) < atLeast; i++) await new Promise((r) => setTimeout(r, 25));
  expect(units(dir)).toBeGreaterThanOrEqual(atLeast);
  child.kill(signal);
  return { code: await exited, stderr: () => stderr };
}

let expected: Record<string, unknown>, expectedDir: string;
beforeAll(() => {
  expectedDir = join(scratch(), 'out');
  const r = nesslab([...run, '--quiet', '--out', expectedDir]);
  expect(r.code, r.stderr).toBe(0);
  expect(existsSync(join(expectedDir, '..', '.out.units'))).toBe(false); // removed once DIR holds the result
  expected = withoutTime(join(expectedDir, 'results.json'));
}, 120_000);

describe('resume (issue 13)', () => {
  it('after kill -9: a plain rerun is refused, another run is refused naming what differs, --resume finishes bit-identically', async () => {
    const dir = scratch(),
      out = join(dir, 'out');
    const killed = await interrupt(dir, 'SIGKILL', 4);
    expect(killed.code).toBe(-1);
    expect(existsSync(out)).toBe(false);
    const kept = units(dir);

    const plain = nesslab([...run, '--out', out]);
    expect(plain.code, plain.stderr).toBe(2);
    expect(plain.stderr.trim()).toMatch(
      /^nesslab: --resume: \S+\.out\.units holds \d+ finished units of an interrupted run; add --resume to continue it, or --force to start over$/,
    );
    const other = nesslab([...run, '--set', 'batchSize=20', '--resume', '--out', out]);
    expect(other.code, other.stderr).toBe(2);
    expect(other.stderr.trim()).toMatch(
      /^nesslab: --resume: the interrupted run in \S+ is another run: params\.batchSize: 10 then, 20 now$/,
    );
    expect(nesslab(['validate', ...run.slice(1), '--resume', '--out', out]).code).toBe(0); // validate checks the same
    expect(units(dir)).toBe(kept); // the refusals touched nothing

    const resumed = nesslab([...run, '--resume', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming: ${kept} finished units found in`);
    const [, found, total] = /\((\d+) of (\d+) units from the interrupted run\)/.exec(resumed.stderr)!.map(Number);
    expect(found).toBe(kept);
    expect(total).toBeGreaterThan(found!); // the rest were computed, not the found ones again
    expect(withoutTime(join(out, 'results.json'))).toEqual(expected);
    for (const f of readdirSync(join(expectedDir, 'plots')))
      expect(readFileSync(join(out, 'plots', f), 'utf8'), f).toBe(readFileSync(join(expectedDir, 'plots', f), 'utf8'));
    expect(readdirSync(dir).sort()).toEqual(['out']); // units, lock and staging gone
  });

  it('Ctrl-C keeps the finished units and says so; --resume then completes the same results', async () => {
    const dir = scratch(),
      out = join(dir, 'out');
    const stopped = await interrupt(dir, 'SIGINT', 2);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr().trim()).toMatch(
      new RegExp(
        `^nesslab: interrupted by SIGINT; nothing was written to \\S+; \\d+ finished units kept: --resume continues$`,
      ),
    );
    expect(readdirSync(dir).sort()).toEqual(['.out.units']);
    const resumed = nesslab([...run, '--quiet', '--resume', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(withoutTime(join(out, 'results.json'))).toEqual(expected);
    expect(readdirSync(dir)).toEqual(['out']);
  });

  it('a sweep killed with kill -9 resumes too: its point equals the uninterrupted run', async () => {
    const dir = scratch(),
      out = join(dir, 'out'),
      sweep = ['sweep', 'regression-ness', '--grid', 'batchSize=10', '--seed', '5', '--workers', '2'];
    const killed = await interrupt(dir, 'SIGKILL', 3, sweep);
    expect(killed.code).toBe(-1);
    const kept = units(dir);
    expect(nesslab([...sweep, '--out', out]).code).toBe(2);
    const resumed = nesslab([...sweep, '--resume', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`; ${kept} of \\d+ units from the interrupted sweep\\) in `));
    expect(withoutTime(join(out, 'points', 'batchSize=10', 'results.json'))).toEqual(expected);
    expect(readdirSync(dir)).toEqual(['out']);
  });
});
