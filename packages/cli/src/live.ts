// --live and --port for run and sweep, and `nesslab serve DIR`: the live page of a run on 127.0.0.1, which turns into
// the run's report when it is over, and the report of a finished run or sweep.
import { ScenarioError, preview, type Claim } from '@nesslab/kernel';
import { serveFolder, startLiveServer, type LiveServer, type LiveSink } from '@nesslab/report';

/** `--port N`: 0 … 65535 (0: a free port, the default). */
export function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port <= 65535)) throw new ScenarioError('--port', `must be an integer from 0 to 65535, got ${preview(text)}`);
  return port;
}

/** --port belongs to --live (run, sweep) and to serve, and is a port number. */
export function checkLiveFlags(command: string, flags: { live?: boolean; port?: string }): void {
  if (flags.live && command !== 'run' && command !== 'sweep')
    throw new ScenarioError(
      '--live',
      'only for nesslab run and nesslab sweep (nesslab serve DIR shows a finished one)',
    );
  if (flags.port !== undefined && !flags.live && command !== 'serve')
    throw new ScenarioError('--port', 'only with --live, or for nesslab serve');
  parsePort(flags.port); // before anything else is checked or computed
}

/** Starts the live page when --live is given, and prints `live: URL` (stderr: stdout stays the table or --json). */
export async function openLive(
  flags: { live?: boolean; port?: string },
  title: string,
): Promise<LiveServer | undefined> {
  if (!flags.live) return undefined;
  const live = await startLiveServer({ title, port: parsePort(flags.port) });
  process.stderr.write(`live: ${live.url}\n`);
  return live;
}

/**
 * The end of a live run: the page becomes the report (`report.html` of the output folder, whose other files are
 * served too), or shows the error line. Waits a few seconds at most for open pages to move, then closes.
 */
export async function closeLive(
  live: LiveServer | undefined,
  end: { report?: string; folder?: string; error?: string },
): Promise<void> {
  if (!live) return;
  await live.finish(end);
}

/**
 * A sweep's view of one point: its simulations are named `<point> › <label>`, its claims `<point>: <id>` beside the
 * other points' claims.
 */
export function pointSink(sink: LiveSink, point: string, claimsByPoint: Map<string, readonly Claim[]>): LiveSink {
  const name = (label: string) => `${point} › ${label}`;
  return {
    plan: (simulations) => sink.plan?.(simulations.map((s) => ({ ...s, label: name(s.label) }))),
    simulation: (label, total, theory) => sink.simulation(name(label), total, theory),
    progress: (label, done, total) => sink.progress(name(label), done, total),
    values: (label, update) => sink.values(name(label), update),
    claims: (claims) => {
      claimsByPoint.set(point, claims);
      sink.claims([...claimsByPoint].flatMap(([p, list]) => list.map((c) => ({ ...c, id: `${p}: ${c.id}` }))));
    },
  };
}

/** `nesslab serve DIR [--port N]`: serves a finished run's or sweep's folder (its report.html at /) until Ctrl-C. */
export async function serveCommand(dir: string | undefined, flags: { port?: string }): Promise<number> {
  if (!dir) throw new ScenarioError('serve', 'name the output folder of a finished run or sweep (DIR)');
  const served = await serveFolder(dir, parsePort(flags.port));
  process.stderr.write(`serving ${dir}: ${served.url} (Ctrl-C to stop)\n`);
  await new Promise<never>(() => {}); // until a signal ends the process
  return 0;
}
