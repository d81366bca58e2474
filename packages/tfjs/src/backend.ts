/**
 * TensorFlow.js loading and backend selection, once per process (per worker thread: each has its own engine).
 *
 * tfjs is loaded at run time from node_modules with `createRequire(import.meta.url)` instead of a static import:
 *  - one copy of tfjs-core: the CLI is an esbuild bundle; a static import would bundle one copy of tfjs while
 *    tfjs-node, the wasm backend and users' landscapes (`import * as tf from '@tensorflow/tfjs-core'` in a plugin
 *    outside the bundle) load another from node_modules;
 *  - the wasm backend runs as the real CommonJS file it is: its Emscripten loader reads `__dirname`, which an
 *    ESM bundle does not have (a bundled copy throws ReferenceError when the backend initialises);
 *  - nothing of tfjs but the gradient and chained-op registrations (core-registrations.ts, bundled: ≈40 ms) is loaded
 *    until a tfjs landscape is used (tfjs-core and the cpu backend: ≈0.2 s and ≈10 MB).
 * Only tfjs-core and the backends are loaded, not the `@tensorflow/tfjs` umbrella (layers, converter, data, webgl):
 * tfjs-core brings the ops and autodiff (tf.grad; the ops' gradients from core-registrations.ts), loading
 * `@tensorflow/tfjs-backend-cpu` registers the cpu backend and its kernels, `@tensorflow/tfjs-backend-wasm` the wasm
 * backend, `@tensorflow/tfjs-node` (optional) the tensorflow backend. tfjs keeps its engine and its kernel and
 * gradient registries in globals, so every copy of tfjs-core in the process shares them.
 * The .wasm files are found the same way, in the package's dist folder inside nesslab's node_modules, never relative
 * to the bundle or the working directory and never over the network.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';
import './core-registrations.ts'; // gradients and chained ops: bundled, see there

export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendSelection {
  /** The backend every tfjs landscape of this process computes on. */
  name: TfjsBackendName;
  /** Each backend tried, in order, with the reason it failed (or 'selected'). */
  tried: string[];
}

/** Backends in the order tried: native TensorFlow (tfjs-node), WebAssembly, plain JavaScript. */
export const BACKEND_ORDER: readonly TfjsBackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * Restricts and orders the backends tried, e.g. NESSLAB_TFJS_BACKEND=cpu or =wasm,cpu (for benchmarks and
 * debugging); unset: all of BACKEND_ORDER.
 */
export const BACKEND_ENV = 'NESSLAB_TFJS_BACKEND';

type Require = (id: string) => unknown;

/**
 * require() from this file's own node_modules chain only: nesslab's install. Never from the working directory, where
 * a folder's node_modules could hold any package under tfjs's name (nothing is loaded implicitly from there).
 */
function requirers(): { label: string; require: NodeJS.Require }[] {
  return [{ label: "nesslab's install", require: createRequire(import.meta.url) }];
}

function load<T>(id: string): T {
  const errors: string[] = [];
  for (const r of requirers()) {
    try {
      return (r.require as Require)(id) as T;
    } catch (e) {
      errors.push(`from ${r.label}: ${firstLine(e)}`);
    }
  }
  throw new Error(`cannot load ${id} (${errors.join('; ')})`);
}

function resolve(id: string): string {
  const errors: string[] = [];
  for (const r of requirers()) {
    try {
      return r.require.resolve(id);
    } catch (e) {
      errors.push(`from ${r.label}: ${firstLine(e)}`);
    }
  }
  throw new Error(`cannot resolve ${id} (${errors.join('; ')})`);
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

let tfModule: typeof TF | undefined;

/**
 * The `@tensorflow/tfjs-core` module, with the cpu backend registered (`@tensorflow/tfjs-backend-cpu`, loaded with
 * it): both on first call, synchronously. The wasm and tensorflow backends are loaded by `selectBackend` only.
 */
export function loadTfjs(): typeof TF {
  if (!tfModule) {
    const tf = load<typeof TF>('@tensorflow/tfjs-core');
    load('@tensorflow/tfjs-backend-cpu'); // registers the 'cpu' backend and its kernels with tfjs-core's engine
    tfModule = tf;
  }
  return tfModule;
}

let selection: BackendSelection | undefined;
let pending: Promise<BackendSelection> | undefined;

/** The process's selection once made (by `selectBackend` or `useBackendSync`); undefined before. */
export function currentBackend(): BackendSelection | undefined {
  return selection;
}

/**
 * Picks tfjs's backend: the first of tensorflow (`@tensorflow/tfjs-node`, an optional dependency), wasm
 * (`@tensorflow/tfjs-backend-wasm`, .wasm files from its dist folder in node_modules), cpu that
 * `tf.setBackend` + `tf.ready()` accept. Made once per process; later calls return the same selection.
 */
export function selectBackend(): Promise<BackendSelection> {
  if (selection) return Promise.resolve(selection);
  return (pending ??= select().then(
    (s) => {
      selection = s;
      pending = undefined;
      return s;
    },
    (e) => {
      pending = undefined;
      throw e;
    },
  ));
}

/**
 * For synchronous callers (`Landscape.configure`): makes the selected backend current and returns it. When no
 * selection was made yet it selects cpu synchronously (its initialisation is synchronous) and keeps it for the
 * process, so every landscape of a run computes on one backend; `await selectBackend()` earlier to get wasm or
 * tensorflow. Throws while an asynchronous selection is still under way (no backend is usable then).
 */
export function useBackendSync(): BackendSelection {
  const tf = loadTfjs();
  if (selection) {
    if (tf.getBackend() !== selection.name) void tf.setBackend(selection.name); // initialised already: takes effect synchronously
    if (tf.getBackend() !== selection.name)
      throw new Error(`tfjs: cannot switch back to the selected backend "${selection.name}"`);
    return selection;
  }
  if (pending)
    throw new Error(
      'tfjs: backend selection is still under way; `await TfjsLandscape.ready()` before configuring a tfjs landscape',
    );
  void tf.setBackend('cpu');
  if (tf.getBackend() !== 'cpu' || tf.findBackend('cpu') == null)
    throw new Error('tfjs: the cpu backend did not initialise synchronously');
  selection = {
    name: 'cpu',
    tried: [
      'tensorflow, wasm: not tried: a tfjs landscape was configured before `await TfjsLandscape.ready()` (selectBackend); cpu: selected synchronously',
    ],
  };
  return selection;
}

function candidates(): TfjsBackendName[] {
  const raw = process.env[BACKEND_ENV];
  if (!raw) return [...BACKEND_ORDER];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(BACKEND_ORDER as readonly string[]).includes(n))
      throw new Error(`${BACKEND_ENV}: unknown backend "${n}" (known: ${BACKEND_ORDER.join(', ')})`);
  }
  return names as TfjsBackendName[];
}

async function select(): Promise<BackendSelection> {
  const tf = loadTfjs();
  const tried: string[] = [];
  const order = candidates();
  for (const name of order) {
    try {
      if (name === 'tensorflow') load('@tensorflow/tfjs-node'); // registers the 'tensorflow' backend
      if (name === 'wasm') prepareWasm();
      const { ok, warnings } = await captureWarnings(async () => {
        const accepted = await tf.setBackend(name);
        await tf.ready();
        return accepted && tf.getBackend() === name;
      });
      if (ok) {
        tried.push(`${name}: selected`);
        return { name, tried };
      }
      tried.push(`${name}: tf.setBackend refused it${warnings.length ? ` (${warnings.join(' | ')})` : ''}`);
    } catch (e) {
      tried.push(`${name}: ${firstLine(e)}`);
    }
  }
  throw new Error(`tfjs: no backend could be initialised: ${tried.join('; ')}`);
}

let wasmPrepared = false;

/** Loads the wasm backend (registers 'wasm') and points it at its .wasm files in node_modules. */
function prepareWasm(): void {
  if (wasmPrepared) return;
  const dist = path.join(path.dirname(resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  for (const file of [
    'tfjs-backend-wasm.wasm',
    'tfjs-backend-wasm-simd.wasm',
    'tfjs-backend-wasm-threaded-simd.wasm',
  ]) {
    if (!existsSync(dist + file)) throw new Error(`${dist + file} is missing`);
  }
  const wasm = load<typeof TfWasm>('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(dist);
  wasmPrepared = true;
}

/** Runs `fn`, collecting what tfjs prints with console.warn meanwhile (it still prints): why a backend failed. */
async function captureWarnings<T>(fn: () => Promise<T>): Promise<{ ok: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => firstLine(a)).join(' '));
    original.apply(console, args);
  };
  try {
    return { ok: await fn(), warnings };
  } finally {
    console.warn = original;
  }
}
