// The `nesslab` executable: runs the command, prints one line per error, exits with its code.
import { readdirSync, rmSync } from 'node:fs';
import { config } from 'rxjs';
import { cli, exitFor } from './cli.ts';
import { openOutputs } from '@nesslab/report';

/** Finished units in a run's unit folder (none when there is no folder). */
function finishedUnits(folder: string): number {
  try {
    return readdirSync(folder).filter((f) => f.endsWith('.v8')).length;
  } catch {
    return 0;
  }
}

/** A unit folder holding nothing but its mark (so nesslab's own) and half-written units: of no use. */
function removeEmptyUnitFolder(folder: string): void {
  try {
    const names = readdirSync(folder);
    if (names.includes('.nesslab-units') && names.every((f) => f === '.nesslab-units' || f.includes('.v8.tmp-')))
      rmSync(folder, { recursive: true, force: true });
  } catch {
    /* no folder */
  }
}

/** Ctrl-C / SIGTERM: remove this run's staging folders and locks, then exit 130 / 143 with one line. */
function onSignal(signal: 'SIGINT' | 'SIGTERM', code: number): void {
  process.on(signal, () => {
    const staged = openOutputs();
    for (const o of staged) {
      try {
        o.abortSync();
      } catch {
        /* keep going: exit promptly */
      }
    }
    const kept = staged.map((o) => finishedUnits(o.units)).reduce((a, b) => a + b, 0);
    for (const o of staged) if (finishedUnits(o.units) === 0) removeEmptyUnitFolder(o.units); // nothing to resume
    process.stderr.write(
      `nesslab: interrupted by ${signal}${staged.length ? `; nothing was written to ${staged.map((o) => o.target).join(', ')}` : ''}${kept ? `; ${kept} finished unit${kept === 1 ? '' : 's'} kept: --resume continues` : ''}\n`,
    );
    process.exit(code);
  });
}
onSignal('SIGINT', 130);
onSignal('SIGTERM', 143);

config.onUnhandledError = (err) => {
  throw err;
};
process.on('uncaughtException', (err) => {
  report(err);
});
process.on('unhandledRejection', (err) => {
  report(err);
});

function report(err: unknown): never {
  const { code, line } = exitFor(err);
  for (const o of openOutputs()) {
    try {
      o.abortSync();
    } catch {
      /* exit anyway */
    }
  }
  process.stderr.write(`${line}\n`);
  process.exit(code);
}

cli(process.argv.slice(2)).then((code) => process.exit(code), report);
