// The `nesslab` executable: runs the command, prints one line per error, exits with its code.
import { config } from 'rxjs';
import { cli, exitFor } from './cli.ts';
import { openOutputs } from '@nesslab/report';

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
    process.stderr.write(
      `nesslab: interrupted by ${signal}${staged.length ? `; nothing was written to ${staged.map((o) => o.target).join(', ')}` : ''}\n`,
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
