// Progress reporting for long runs: a bar redrawn in place on a terminal, sparse plain lines otherwise.

/** The part of a stream the reporter uses (process.stderr satisfies it). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  label: string;
  total: number;
  /** Where to write; default process.stderr. */
  stream?: ProgressStream;
  /** Redraw in place with \r; default: the stream's own isTTY. */
  isTTY?: boolean;
  /** Clock in milliseconds; default Date.now. */
  now?: () => number;
  /** Unit named in plain (non-TTY) lines; default 'steps'. */
  unit?: string;
}

export interface Progress {
  /** Report `done` units completed out of `total` (clamped to [0, total]). */
  update(done: number): void;
  /** Print the final state and end the line; later calls to update/finish do nothing. */
  finish(): void;
}

const BAR_CELLS = 30;
const TTY_MIN_INTERVAL_MS = 100;

/** "12s", "3m05s", "2h07m". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.floor(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Counts: plain integers below 1e5, otherwise "4.0e7". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) < 1e5) return String(Math.round(n));
  return n.toExponential(1).replace('e+', 'e');
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream: ProgressStream = opts.stream ?? process.stderr;
  const tty = opts.isTTY ?? stream.isTTY === true;
  const now = opts.now ?? Date.now;
  const total = Math.max(0, opts.total);
  const unit = opts.unit ?? 'steps';
  const start = now();

  let done = 0;
  let finished = false;
  let lastDraw = -Infinity; // TTY: time of the last redraw
  let lastWidth = 0; // TTY: length of the line on screen
  let lastDecile = -1; // plain: last 10 % bucket printed
  let lastPrinted = -1; // plain: `done` of the last line printed

  const fraction = () => (total > 0 ? done / total : 1);

  const timing = (t: number, withEta: boolean) => {
    const elapsed = t - start;
    let s = `elapsed ${formatDuration(elapsed)}`;
    if (withEta) {
      const eta = done > 0 && elapsed > 0 ? ((total - done) * elapsed) / done : undefined;
      s += eta === undefined ? ' ETA ?' : ` ETA ${formatDuration(eta)}`;
    }
    return s;
  };

  const ttyLine = (t: number, final: boolean) => {
    const f = fraction();
    const full = Math.round(f * BAR_CELLS);
    const bar = '█'.repeat(full) + '░'.repeat(BAR_CELLS - full);
    const pct = `${Math.floor(f * 100)}%`.padStart(4);
    return `${opts.label} ${bar} ${pct} ${formatCount(done)}/${formatCount(total)} ${timing(t, !final && done < total)}`;
  };

  const plainLine = (t: number, final: boolean) => {
    const pct = `${Math.floor(fraction() * 100)}%`;
    return `${opts.label}: ${pct} (${formatCount(done)}/${formatCount(total)} ${unit}) ${timing(t, !final && done < total)}`;
  };

  const drawTTY = (t: number, final: boolean) => {
    let line = ttyLine(t, final);
    if (stream.columns !== undefined && stream.columns > 1 && line.length >= stream.columns) {
      line = line.slice(0, stream.columns - 1);
    }
    const pad = Math.max(0, lastWidth - line.length);
    stream.write(`\r${line}${' '.repeat(pad)}${final ? '\n' : ''}`);
    lastWidth = line.length;
    lastDraw = t;
  };

  const printPlain = (t: number, final: boolean) => {
    stream.write(`${plainLine(t, final)}\n`);
    lastPrinted = done;
  };

  return {
    update(n: number) {
      if (finished) return;
      done = Math.min(total, Math.max(0, Number.isFinite(n) ? n : 0));
      const t = now();
      if (tty) {
        if (t - lastDraw >= TTY_MIN_INTERVAL_MS) drawTTY(t, false);
      } else {
        const decile = Math.floor(fraction() * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          printPlain(t, false);
        }
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      const t = now();
      if (tty) drawTTY(t, true);
      else if (lastPrinted !== done) printPlain(t, true);
    },
  };
}
