// What travels through the queue. A unit is a BullMQ job whose id is the unit's key (units/key.ts), so a unit is
// enqueued once whoever asks. Its data carries the GroupJob as v8 bytes (float64 and typed arrays exact; JSON would
// turn NaN into null), the versions the key was made with, and the run's plugins as the workers can find them. Its
// result is `encodeUnit(key, partials)` as base64, checked with `decodeUnit` by the submitter; its failure is the
// unit's error, class and fields kept, so that a divergence or bad input ends the run as it would on one machine.
import { deserialize, serialize } from 'node:v8';
import type { GroupJob } from '@nesslab/kernel';
import type { RunVersions } from '../units/key.ts';
import { rebuildError } from '../workers.ts';
import type { PortablePlugin } from './plugins.ts';

/** The layout of a job's data; a worker refuses another. */
export const QUEUE_FORMAT = 1;

/** A queued unit's data (BullMQ stores it as JSON). */
export interface QueuedUnit {
  format: number;
  /** v8.serialize of the GroupJob without its SharedArrayBuffer `stopAfter` (it cannot cross machines), base64. */
  job: string;
  versions: RunVersions;
  /** The plugin files the versions were computed from, as the workers can find them. */
  plugins: PortablePlugin[];
  /** The spec's own plugin files (loaded beside `plugins`; already among them in nesslab's runs). */
  specPlugins: PortablePlugin[];
  /** For people looking at Redis: which chains of which run. */
  summary: string;
}

export const encodeJob = (job: GroupJob): string => {
  const { stopAfter: _shared, ...portable } = job;
  return serialize(portable).toString('base64');
};
export const decodeJob = (text: string): GroupJob => deserialize(Buffer.from(text, 'base64')) as GroupJob;

/** A unit's error as a job's failedReason: a marker, then the fields `rebuildError` needs, as JSON. */
const MARK = 'nesslab-unit-error ';
export function errorReason(e: unknown): string {
  const err = (e instanceof Error ? e : new Error(String(e))) as Error & {
    chain?: number;
    step?: number;
    field?: string;
    detail?: string;
    simulation?: string;
  };
  const { name, message, chain, step, field, detail, simulation } = err;
  return MARK + JSON.stringify({ name, message, chain, step, field, detail, simulation });
}

/** The error a worker reported for a unit, as the class it was thrown as; BullMQ's own reasons as plain Errors. */
export function errorFromReason(reason: unknown, unit: string): Error {
  const text = typeof reason === 'string' ? reason : String(reason);
  if (text.startsWith(MARK)) {
    try {
      return rebuildError(JSON.parse(text.slice(MARK.length)));
    } catch {
      /* not ours after all */
    }
  }
  return new Error(`unit ${unit} failed on a queue worker: ${text || 'no reason given'}`);
}

/** A unit's key as people see it in messages. */
export const shortKey = (key: string) => key.slice(0, 12);
