// The live view's web server, on 127.0.0.1 only: `/` is the live page while the run runs, `/events` streams its state
// (Server-Sent Events, at most twice a second), `/state` is the state as JSON. When the run is over, `/` and
// `/report.html` are the run's report and the output folder's files are served read-only. `serveFolder` serves a
// finished run's or sweep's folder the same way (`nesslab serve DIR`).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { realpathSync, readFileSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { ScenarioError } from '@nesslab/kernel';
import { LiveBoard } from './board.ts';
import { livePage } from './page.ts';

/** Updates go out at most this often (ms): ≤ 2 Hz. */
export const LIVE_INTERVAL_MS = 500;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.npy': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file of `root` for a URL path, or undefined: nothing outside root (.., links out), no folders, no dot files. */
export function folderFile(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.split('/').some((part) => part.startsWith('.'))) return undefined;
  const base = realpathSync(root);
  const file = resolve(base, `.${path === '/' ? '/report.html' : path}`);
  try {
    const real = realpathSync(file);
    if (real !== base && !real.startsWith(base + sep)) return undefined;
    return statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(res: ServerResponse, file: string): void {
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  res.end(readFileSync(file));
}

/** 404, but /favicon.ico (which browsers ask for on their own) is an empty 204. */
const notFound = (res: ServerResponse, path: string) => {
  if (path === '/favicon.ico') {
    res.writeHead(204);
    return res.end();
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found\n');
};

/** Listens on 127.0.0.1:port (0: a free one); a port in use or not allowed is bad input naming `--port`. */
async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(
        new ScenarioError(
          '--port',
          e.code === 'EADDRINUSE'
            ? `port ${port} on 127.0.0.1 is in use`
            : `cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => ok());
  });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/`;
}

export interface LiveServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** Give the run's events to this. */
  board: LiveBoard;
  /**
   * The run is over: the page turns into `report` (the report's HTML; the output folder's files are served from
   * `folder`), or shows `error`. Resolves once every open page has moved to the report (or after `waitMs`), and
   * closes the server.
   */
  finish(end: { report?: string; folder?: string; error?: string }, waitMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the live view of a run titled `title`. */
export async function startLiveServer(options: { title: string; port?: number }): Promise<LiveServer> {
  const clients = new Set<ServerResponse>();
  /** Reports sent whole (finish waits for one per page that was open). */
  let reportsSent = 0;
  let report: string | undefined,
    folder: string | undefined,
    sentVersion = -1,
    lastSent = 0,
    timer: NodeJS.Timeout | undefined;
  const broadcast = () => {
    timer = undefined;
    const started = performance.now();
    const state = board.state();
    if (state.version === sentVersion) return;
    sentVersion = state.version;
    lastSent = started;
    const message = `data: ${JSON.stringify(state)}\n\n`;
    for (const res of clients) res.write(message);
    board.cost += performance.now() - started;
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(broadcast, Math.max(0, lastSent + LIVE_INTERVAL_MS - performance.now()));
    timer.unref();
  };
  const board = new LiveBoard(options.title, schedule);
  // Progress does not change the board's version between blocks' reports: tick ETA and elapsed once a second anyway.
  const tick = setInterval(() => {
    if (board.status === 'running') {
      board.version++;
      schedule();
    }
  }, 1000);
  tick.unref();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' });
      return res.end();
    }
    if (path === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(`retry: 1000\ndata: ${JSON.stringify(board.state())}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/state') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(JSON.stringify(board.state()));
    }
    if (report !== undefined && (path === '/' || path === '/report.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.on('finish', () => reportsSent++);
      return res.end(report);
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(livePage(options.title));
    }
    const file = folder && folderFile(folder, path);
    if (file) return sendFile(res, file);
    notFound(res, path);
  };
  const server = createServer(handle);
  const url = await listen(server, options.port ?? 0);
  const close = async () => {
    clearInterval(tick);
    if (timer) clearTimeout(timer);
    for (const res of clients) res.end();
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  };
  return {
    url,
    board,
    close,
    async finish(end, waitMs = 5000) {
      report = end.report;
      folder = end.folder;
      board.finish(end.report !== undefined ? '/report.html' : undefined, end.error);
      if (timer) clearTimeout(timer);
      broadcast();
      // An open page leaves /events, then asks for the report (in that order: closing here as soon as the last page
      // left would refuse its report). Wait for every page open now to have left and been sent the report, a few
      // seconds at most (a page may have been closed instead).
      const pages = clients.size,
        sentBefore = reportsSent,
        until = performance.now() + waitMs;
      const waiting = () => clients.size > 0 || (end.report !== undefined && reportsSent - sentBefore < pages);
      while (waiting() && performance.now() < until) await new Promise((ok) => setTimeout(ok, 50));
      await close();
    },
  };
}

/** Serves a finished run's or sweep's folder (its report.html at /) on 127.0.0.1 until closed. */
export async function serveFolder(dir: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const root = resolve(dir);
  if (!folderFile(root, '/report.html'))
    throw new ScenarioError(
      'DIR',
      `${dir} has no report.html (not a nesslab result, or written before reports existed)`,
    );
  const server = createServer((req, res) => {
    const file = req.method === 'GET' || req.method === 'HEAD' ? folderFile(root, req.url ?? '/') : undefined;
    if (file) return sendFile(res, file);
    notFound(res, (req.url ?? '/').split('?')[0]!);
  });
  const url = await listen(server, port);
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
