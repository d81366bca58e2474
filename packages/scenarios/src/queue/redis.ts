// Redis for the unit queue: the URL checked and shown without its password, a first connection that fails within a
// few seconds when Redis cannot be reached (never a hang), and the long-lived connection BullMQ runs on. ioredis and
// BullMQ are imported on first use, so that nesslab without --queue never loads them.
import { ScenarioError, oneLine, preview } from '@nesslab/kernel';
import type { Redis, RedisOptions } from 'ioredis';

/** A checked Redis URL: `url` for the client (credentials and all), `shown` for messages (no user, no password). */
export interface RedisTarget {
  url: string;
  shown: string;
  /** The password, to blank it out of any message a client or a server writes. */
  secret?: string;
}

/** BullMQ's key prefix and queue name: a nesslab queue is `nesslab:units:*` in its Redis database. */
export const QUEUE_PREFIX = 'nesslab';
export const QUEUE_NAME = 'units';

/** `redis://[user:pass@]host[:port][/db]` or `rediss://…` (TLS); anything else is a ScenarioError naming `field`. */
export function redisTarget(url: unknown, field: string): RedisTarget {
  const bad = (what: string) => new ScenarioError(field, what);
  if (typeof url !== 'string' || url === '') throw bad('needs a Redis URL: redis://host:port[/db]');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad(`must be a Redis URL redis://host:port[/db], got ${preview(oneLine(url, 80))}`);
  }
  const secret = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  const safe = () => preview(oneLine(hide(url, secret, parsed.password), 80));
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw bad(`must be a redis:// or rediss:// URL, got ${safe()}`);
  if (!parsed.hostname) throw bad(`names no host: ${safe()}`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db))
    throw bad(`the database must be a number (redis://host:port/2), got ${safe()}`);
  if (parsed.search || parsed.hash) throw bad(`takes no query or fragment: ${safe()}`);
  const shown = `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}${db ? `/${Number(db)}` : ''}`;
  return { url, shown, ...(secret ? { secret } : {}) };
}

/** `text` with the password blanked out (as given and URL-encoded). */
function hide(text: string, ...secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

/** An error's message as one line, the password blanked out. */
export function reason(target: RedisTarget, e: unknown): string {
  const message = e instanceof Error ? e.message || e.name : String(e);
  return oneLine(hide(message, target.secret, target.secret && encodeURIComponent(target.secret)), 160);
}

let loaded: Promise<{ Redis: typeof Redis }> | undefined;
/** ioredis, imported once. */
export const ioredis = () => (loaded ??= import('ioredis').then((m) => ({ Redis: m.Redis ?? m.default })));

/** The default seconds to reach Redis before giving up. */
export const CONNECT_SECONDS = 3;

/**
 * Connects once, without retries, and pings: resolves when Redis answers, else throws a ScenarioError
 * `cannot reach redis://host:port: <reason>` within about `seconds` (refused, no such host, timeout, wrong password).
 */
export async function checkReachable(target: RedisTarget, field: string, seconds = CONNECT_SECONDS): Promise<void> {
  const { Redis } = await ioredis();
  const client = new Redis(target.url, {
    lazyConnect: true,
    connectTimeout: seconds * 1000,
    commandTimeout: seconds * 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  let lastError: unknown;
  client.on('error', (e: unknown) => (lastError = e));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${seconds} s`)), (seconds + 1) * 1000);
      }),
    ]);
  } catch (e) {
    throw new ScenarioError(field, `cannot reach ${target.shown}: ${reason(target, lastError ?? e)}`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * The connection BullMQ runs on (it duplicates it for its blocking reads): reconnects on its own after a network
 * glitch or a Redis restart, every `retryMs` at most, and never gives up by itself (its owner decides when a Redis
 * gone for too long ends the run). `onState` hears when it is lost (with why) and when it is back.
 */
export async function openConnection(
  target: RedisTarget,
  name: string,
  onState: (state: 'lost' | 'ready', why?: string) => void,
  retryMs = 2000,
): Promise<Redis> {
  const { Redis } = await ioredis();
  const options: RedisOptions = {
    connectionName: name,
    connectTimeout: CONNECT_SECONDS * 1000,
    maxRetriesPerRequest: null, // BullMQ's requirement: commands wait for the connection to come back
    retryStrategy: (times) => Math.min(250 * times, retryMs),
  };
  const client = new Redis(target.url, options);
  let up = false,
    lastError = '';
  client.on('error', (e: unknown) => (lastError = reason(target, e)));
  client.on('ready', () => {
    up = true;
    onState('ready');
  });
  client.on('close', () => {
    if (up) onState('lost', lastError || 'connection closed');
    up = false;
  });
  return client;
}
