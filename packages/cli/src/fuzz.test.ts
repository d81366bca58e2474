// Fuzz test of nesslab's input checking, property-based with fast-check (fixed seeds: the same cases in every CI run).
//
// The requirement (from the issue): at least 500 generated bad scenario files and flag sets; each must give exit 2 and
// one line (or exit 3 for a true divergence), leave nothing outside the staging folder, print no stack trace, never
// hang; the line starts with "nesslab: ", has the "<field>: <what>" shape and at most 300 characters, also for
// 100 000-deep nesting and 10 MB strings.
//
// Every generated input is known to be bad, so exit 0 is a failure. Each case runs `cli` in-process (as main.ts does:
// a thrown error goes through `exitFor`), in a fresh folder of os.tmpdir() that is also the working folder while it
// runs (so relative --out and plugin paths can only ever touch that folder), with --out <folder>/out unless the case is
// about --out. A case's problems are collected rather than thrown, so one run reports every failing category with a
// reproduction; each property then fails if any of its cases did, and the last test prints the tally.
//
// Coverage: the catalogue test runs every listed bad value of every field once (deterministic); the properties then draw
// random combinations (random files, values, keys, flags). A hang is a case with no answer in CASE_TIMEOUT_MS; a
// synchronous endless loop would block the race itself and is left to vitest's test timeout. argv values here may be
// larger than a real shell allows (Linux: 128 KiB per argument); the 100 000-deep argv cases stand for ≥ 5 000-deep ones.
//
// Some inputs are refused by judgment rather than by a written rule: `--preset` given with a simulation spec (which
// has no presets), `"seed": null` / `"observers": null` (null is not an integer / array), `nesslab ""` (no such command),
// `nesslab help a b` (extra arguments). They are kept strict here, like the rest.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { cli, exitFor } from './cli.ts';
import { scenarios } from '@nesslab/scenarios';

// ---------------------------------------------------------------------------------------------------------------
// Settings

/** Fixed: reproducible CI. Each property uses SEED + its index. */
const SEED = 20_240_601;
/** A case that has not answered after this is a hang. */
const CASE_TIMEOUT_MS = 20_000;
/** The longest stderr line allowed, in characters (code points). */
const MAX_LINE = 300;
/** Generated inputs in all, at least. */
const MIN_CASES = 500;

const PROTO_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
] as const;
const SPEC_FIELDS = [
  'seed',
  'landscape',
  'sampler',
  'optimizer',
  'observers',
  'chains',
  'steps',
  'blockSize',
  'init',
  'workers',
  'plugins',
  'name',
  'description',
];
const PACKAGED_FIELDS = ['scenario', 'preset', 'seed', 'params', 'plugins', 'name', 'description'];
const OPTION_NAMES = ['preset', 'set', 'seed', 'out', 'workers', 'check', 'quiet', 'force', 'grid', 'help', 'h'];

// Large values, built once. In generated files and argv they appear as sentinels ("@@NAME@@"), replaced when the case
// is written: the generated cases stay small and their reproductions readable.
const DEPTH = 100_000;
const TEN_MB = 10 * 2 ** 20;
const BIG_TEXT = 'x'.repeat(TEN_MB);
/** In a JSON file: the sentinel *with its quotes* is replaced by this text. */
const JSON_SUBST: Record<string, string> = {
  DEEP_ARRAY: `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`,
  DEEP_OBJECT: `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`,
  DEEP_OPEN: '['.repeat(DEPTH), // never closed: a syntax error 100 000 levels down
  BIG: JSON.stringify(BIG_TEXT),
  BIG_LINES: `"${'ab\\n'.repeat(Math.ceil(TEN_MB / 3))}"`, // a 10 MB string of short lines (newlines escaped in the file)
  BIG_OPEN: `"${BIG_TEXT}`, // a 10 MB string never closed
  NEG0: '-0',
};
/** In argv: the sentinel (no quotes) is replaced by this text. */
const ARG_SUBST: Record<string, string> = {
  DEEP_ARRAY: JSON_SUBST.DEEP_ARRAY,
  DEEP_OBJECT: JSON_SUBST.DEEP_OBJECT,
  DEEP_OPEN: JSON_SUBST.DEEP_OPEN,
  BIG: BIG_TEXT,
};
const expandJson = (text: string) => text.replace(/"@@([A-Z0-9_]+)@@"/g, (m, k: string) => JSON_SUBST[k] ?? m);
const expandArg = (text: string) => text.replace(/@@([A-Z0-9_]+)@@/g, (m, k: string) => ARG_SUBST[k] ?? m);

// ---------------------------------------------------------------------------------------------------------------
// Cases and how they are judged

interface Case {
  /** Category, for the tally and the report. */
  kind: string;
  /** What is wrong with the input. */
  label: string;
  /** Files to write in the case's folder (relative path → content, sentinels allowed); a path ending in '/' is a folder. */
  files: Record<string, string>;
  /** The arguments; '$TMP' stands for the case's folder. */
  argv: string[];
  expect: 2 | 3;
  /** The case gives its own --out (else run, validate and sweep get --out $TMP/out). */
  ownOut?: boolean;
}

interface Outcome {
  code: number | 'hang';
  line: string;
  stdout: string;
  stderr: string;
  leftovers: string[];
  dir: string;
}

/** "<field>: <what>": a non-empty field (which may itself hold ': ', e.g. a sub-simulation or file:line:col), a colon, a reason. */
const SHAPE = /^nesslab: [^\s:][^\n]*?: \S/;
/** A stack frame (as Node prints them: "    at fn (file:line:col)"). */
const STACK = /(^|\n)\s*at \S|\(\S+:\d+:\d+\)/;
/** A JavaScript engine failure passed off as the reason. */
const INTERNAL =
  /Maximum call stack|Cannot read propert|is not a function|is not iterable|Invalid array length|Invalid string length|out of memory|Cannot convert/;

type Problem =
  | 'hang'
  | 'exit 0 (accepted)'
  | 'exit 1 (internal error)'
  | 'wrong exit code'
  | 'stack trace'
  | 'not one line'
  | 'line too long'
  | 'bad line shape'
  | 'internal error text'
  | 'no divergence named'
  | 'stderr output'
  | 'files left behind';

interface Tally {
  cases: number;
  invocations: number;
  unique: Set<string>;
  clean: number;
  problems: Map<Problem, number>;
  byExit: Map<string, number>;
  /** Per category: cases, and how many of them were refused cleanly. */
  byKind: Map<string, { cases: number; clean: number }>;
  lineLengths: number[];
  failures: Map<string, { property: string; problem: Problem; count: number; example: string }>;
}
const tally: Tally = {
  cases: 0,
  invocations: 0,
  unique: new Set(),
  clean: 0,
  problems: new Map(),
  byExit: new Map(),
  byKind: new Map(),
  lineLengths: [],
  failures: new Map(),
};
const realCwd = process.cwd();
const hadNesslabOut = existsSync(join(realCwd, 'nesslab-out'));

/** nesslab's working names beside an output folder `target` (lock, staging, old, journal): `.<base>.…`. */
function besideNames(target: string): string[] {
  const parent = dirname(target);
  if (parent === target) return [];
  try {
    return readdirSync(parent)
      .filter((n) => n.startsWith(`.${basename(target)}.`))
      .sort();
  } catch {
    return [];
  }
}

/** Every path under `dir` (relative, '/'-separated, folders with a trailing '/'), dot files included. */
function listAll(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(`${path}/`, ...listAll(dir, path));
    else out.push(path);
  }
  return out;
}

/** The value of --out in argv, if any. */
function outArg(argv: string[]): string | undefined {
  let value: string | undefined;
  argv.forEach((a, i) => {
    if (a === '--out' && i + 1 < argv.length) value = argv[i + 1];
    else if (a.startsWith('--out=')) value = a.slice(6);
  });
  return value;
}

/** Runs one case in its own folder (also the working folder), as the executable would, and looks at what it left. */
async function execute(c: Case, command?: string): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'nesslab-fuzz-'));
  const expected = new Set<string>();
  const ourFile = (rel: string) => {
    const parts = rel.split('/').filter(Boolean);
    parts.forEach((_, i) =>
      expected.add(i < parts.length - 1 || rel.endsWith('/') ? `${parts.slice(0, i + 1).join('/')}/` : parts.join('/')),
    );
  };
  for (const [rel, content] of Object.entries(c.files)) {
    const path = join(dir, rel);
    ourFile(rel);
    if (rel.endsWith('/')) mkdirSync(path, { recursive: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, expandJson(content));
    }
  }
  const argv = c.argv.map((a) => expandArg(a.replaceAll('$TMP', dir)));
  if (command) argv[0] = command;
  const cmd = argv[0];
  const added: string[] = [];
  if (cmd === 'run' || cmd === 'sweep') added.push('--quiet');
  if ((cmd === 'run' || cmd === 'sweep' || cmd === 'validate') && !c.ownOut) added.push('--out', join(dir, 'out'));
  argv.splice(1, 0, ...added); // the case's own arguments stay last (a missing option value must be the last argument)
  // An --out outside the case folder (.., /, ~): nothing may appear beside it either.
  const out = outArg(argv);
  const outside = out !== undefined && out !== '' && !out.includes('\0') ? resolve(dir, out) : undefined;
  const watch = outside && relative(dir, outside).startsWith('..') ? outside : undefined;
  const besideBefore = watch ? besideNames(watch) : [];

  let stdout = '',
    stderr = '';
  const writeOut = process.stdout.write,
    writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  process.chdir(dir);
  let timer: NodeJS.Timeout | undefined;
  let result: { code: number | 'hang'; line: string };
  try {
    result = await Promise.race([
      cli(argv).then(
        (code) => ({ code, line: '' }),
        (err: unknown) => exitFor(err, false),
      ),
      new Promise<{ code: 'hang'; line: string }>((done) => {
        timer = setTimeout(() => done({ code: 'hang', line: '' }), CASE_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    process.chdir(realCwd);
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
  tally.invocations++;
  const leftovers = listAll(dir).filter((p) => !expected.has(p));
  if (watch)
    leftovers.push(
      ...besideNames(watch)
        .filter((n) => !besideBefore.includes(n))
        .map((n) => join(dirname(watch), n)),
    );
  if (result.code !== 'hang') rmSync(dir, { recursive: true, force: true }); // a hung run may still be writing there
  return { ...result, stdout, stderr, leftovers, dir };
}

/** The problems of one outcome, none for a clean refusal. */
function judge(c: Case, o: Outcome): Problem[] {
  if (o.code === 'hang') return ['hang'];
  const p: Problem[] = [];
  if (o.code !== c.expect)
    p.push(o.code === 0 ? 'exit 0 (accepted)' : o.code === 1 ? 'exit 1 (internal error)' : 'wrong exit code');
  if (o.code !== 0) {
    const line = o.line;
    if (STACK.test(line)) p.push('stack trace');
    if (line.includes('\n') || line.includes('\r')) p.push('not one line');
    if ([...line].length > MAX_LINE) p.push('line too long');
    if (!SHAPE.test(line)) p.push('bad line shape');
    if (INTERNAL.test(line)) p.push('internal error text');
    if (c.expect === 3 && !/chain \d+ diverged at step \d+/.test(line)) p.push('no divergence named');
  }
  if (o.stderr !== '') p.push('stderr output');
  if (o.leftovers.length) p.push('files left behind');
  return p;
}

const short = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);
/** A reproduction: argv (with $TMP for the case's folder) and the files, sentinels as written. */
function repro(c: Case, o: Outcome, command?: string): string {
  const argv = [...c.argv];
  if (command) argv[0] = command;
  const files = Object.entries(c.files)
    .map(([name, text]) => `    $TMP/${name}: ${short(JSON.stringify(text))}`)
    .join('\n');
  return [
    `  [${c.kind}] ${c.label}`,
    `    argv: nesslab ${argv.map((a) => JSON.stringify(short(a, 200))).join(' ')}${c.ownOut ? '' : ' (+ --quiet/--out $TMP/out as for every case)'}`,
    ...(files ? [files] : []),
    `    got: exit ${o.code}; line ${JSON.stringify(short(o.line, 600))} (${[...o.line].length} chars)` +
      `${o.stderr ? `; stderr ${JSON.stringify(short(o.stderr, 200))}` : ''}${o.stdout ? `; stdout ${JSON.stringify(short(o.stdout, 120))}` : ''}` +
      `${o.leftovers.length ? `; left behind ${o.leftovers.join(', ')}` : ''}`,
  ].join('\n');
}

/** Runs a case, records it in the tally, returns its problems. */
async function check(property: string, c: Case, command?: string): Promise<{ outcome: Outcome; problems: Problem[] }> {
  const outcome = await execute(c, command);
  const problems = judge(c, outcome);
  tally.byExit.set(String(outcome.code), (tally.byExit.get(String(outcome.code)) ?? 0) + 1);
  if (outcome.line) tally.lineLengths.push([...outcome.line].length);
  const kind = tally.byKind.get(c.kind) ?? { cases: 0, clean: 0 };
  kind.cases++;
  if (!problems.length) kind.clean++;
  tally.byKind.set(c.kind, kind);
  for (const problem of problems) {
    tally.problems.set(problem, (tally.problems.get(problem) ?? 0) + 1);
    const key = `${property} | ${c.kind} | ${problem}`;
    const f = tally.failures.get(key);
    if (f) f.count++;
    else tally.failures.set(key, { property, problem, count: 1, example: repro(c, outcome, command) });
  }
  return { outcome, problems };
}

/** Counts one generated input. */
function count(c: Case): void {
  tally.cases++;
  tally.unique.add(JSON.stringify([c.argv, c.files, c.ownOut ?? false]));
}

function failuresOf(property: string): string[] {
  return [...tally.failures.entries()]
    .filter(([, f]) => f.property === property)
    .map(([key, f]) => `${key} (${f.count}×)\n${f.example}`);
}

/** One property: `numRuns` generated cases, each run and judged; fails listing every failing category with an example. */
async function fuzz(property: string, index: number, numRuns: number, arb: fc.Arbitrary<Case>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arb, async (c) => {
      count(c);
      const { problems } = await check(property, c);
      if (!problems.length) tally.clean++;
      return true; // problems are collected, not thrown: one run reports every category
    }),
    { seed: SEED + index, numRuns },
  );
  expect(failuresOf(property), `${property}: bad inputs not refused cleanly`).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------------------
// Generators: known-bad inputs only

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;
interface Mutation {
  kind: string;
  label: string;
  apply(target: Obj): void;
}

const DELETE = Symbol('delete');
const show = (v: unknown) => (v === DELETE ? '(absent)' : short(JSON.stringify(v) ?? String(v), 120));
/** Sets `path` in `o` as own properties (so "__proto__" is a key like any other), creating objects on the way. */
function setPath(o: Obj, path: (string | number)[], value: unknown): void {
  let at: Obj = o;
  for (const key of path.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null || !Object.hasOwn(at, key))
      Object.defineProperty(at, key, { value: {}, enumerable: true, writable: true, configurable: true });
    at = at[key];
  }
  const last = path[path.length - 1]!;
  if (value === DELETE) delete at[last];
  else
    Object.defineProperty(at, last, {
      value: structuredClone(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
}
/** Listed values (each also run once by the catalogue test) and, optionally, random ones of the same badness. */
interface Values {
  list: readonly unknown[];
  random?: fc.Arbitrary<unknown>;
}
/** Every listed value of every field, with the file it goes into: the catalogue runs each once. */
const CATALOGUE: { base: 'spec' | 'packaged'; mutation: Mutation }[] = [];
const mutation = (kind: string, path: (string | number)[], v: unknown): Mutation => ({
  kind,
  label: `${path.join('.')} = ${show(v)}`,
  apply: (s: Obj) => setPath(s, path, v),
});
/** Unbiased: fast-check's bias would favour the first few entries of a list. */
const oneOf = <T>(xs: readonly T[]) => fc.noBias(fc.constantFrom(...xs));
const at = (
  kind: string,
  path: (string | number)[],
  values: Values,
  base: 'spec' | 'packaged' = 'spec',
): fc.Arbitrary<Mutation> => {
  for (const v of values.list) CATALOGUE.push({ base, mutation: mutation(kind, path, v) });
  const listed = oneOf(values.list);
  return (values.random ? fc.oneof(listed, values.random) : listed).map((v) => mutation(kind, path, v));
};
const L = (...list: unknown[]): Values => ({ list });

const NEG0 = '@@NEG0@@';
/** Not an integer ≥ min (in JSON): wrong types, fractions, unsafe integers, below the minimum. */
const badInteger = (min: number): Values => ({
  list: [
    null,
    true,
    false,
    'x',
    '1',
    '',
    [],
    [1],
    {},
    { a: 1 },
    1.5,
    2 ** 53,
    2 ** 53 + 2,
    1e308,
    -1e308,
    min - 1,
    -1,
    min - 0.5,
    ...(min > 0 ? [NEG0] : []),
  ],
  random: fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !(Number.isSafeInteger(v) && v >= min)),
    fc.integer({ min: -1e9, max: min - 1 }),
  ),
});
/** Not a finite number > 0. */
const badPositive: Values = {
  list: [0, NEG0, -1, -1e-300, -1e308, 'x', '1e-7', '', null, true, [], [1e-7], {}],
  random: fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }),
};
/** Not a finite number ≥ 0. */
const badNonNegative: Values = {
  list: ['x', '0', null, true, [], {}, -1, -1e-300],
  random: fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
};
const badBoolean = L('yes', 'true', 1, 0, null, [], {});
const badString = L(5, 0, null, true, false, [], ['x'], {});
/** A key that is not one of `known`: near misses, prototype names, random text. */
const unknownKey = (known: readonly string[]) =>
  fc
    .oneof(
      oneOf([
        ...PROTO_NAMES,
        'Eta',
        'eta ',
        '',
        'η',
        'colour',
        'Seed',
        'chain',
        'observer',
        'optimiser',
        'batchsize',
        'params2',
      ]),
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 6, unit: 'binary' }),
    )
    .filter((k) => !known.includes(k));
const anyJson = fc.jsonValue({ maxDepth: 2 });

// The simulation spec: a valid tiny one (tanh-regression, M = 200, N = 7), then one mutation.
const baseSpec = fc
  .record({
    seed: fc.nat(1_000_000),
    chains: fc.integer({ min: 1, max: 4 }),
    steps: fc.integer({ min: 50, max: 300 }),
    batchSize: fc.integer({ min: 1, max: 50 }),
    wor: fc.boolean(),
  })
  .map((r): Obj => ({
    seed: r.seed,
    landscape: { name: 'tanh-regression' },
    sampler: { name: r.wor ? 'without-replacement' : 'with-replacement', params: { batchSize: r.batchSize } },
    optimizer: { name: 'sgd', params: { eta: 1e-7 } },
    observers: [{ name: 'moments' }],
    chains: r.chains,
    steps: r.steps,
  }));

const REF_KINDS = {
  landscape: ['tanh-regression', 'sgd'],
  sampler: ['with-replacement', 'tanh-regression'],
  optimizer: ['sgd', 'with-replacement'],
} as const;
const badRef = (valid: string, otherKind: string) =>
  L(
    ...[
      DELETE,
      42,
      null,
      true,
      [],
      {},
      { name: 42 },
      { name: null },
      { name: [valid] },
      { name: 'nope' },
      { name: '' },
      { name: valid.toUpperCase() },
      { name: otherKind },
      { params: {} },
      { name: valid, extra: 1 },
      { name: valid, params: [] },
      { name: valid, params: 5 },
      { name: valid, params: null },
      { name: valid, params: 'x' },
      { name: valid, params: true },
      'nope',
      '',
      otherKind,
      ...PROTO_NAMES,
      ...PROTO_NAMES.map((name) => ({ name })),
    ],
  );
const eye = (n: number, d = 1) =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? d : 0)));

const initBad: fc.Arbitrary<Mutation> = fc.oneof(
  at(
    'init',
    ['init'],
    L(
      ...[
        5,
        'minimum',
        '',
        [],
        null,
        true,
        {},
        { kind: 'nope' },
        { kind: 5 },
        { kind: null },
        { kind: 'Minimum' },
        ...PROTO_NAMES.map((kind) => ({ kind })),
        { kind: 'minimum', theta: [0, 0, 0, 0, 0, 0, 0] },
        { kind: 'random', mean: [] },
        { kind: 'point' },
        { kind: 'point', theta: 'x' },
        { kind: 'point', theta: {} },
        { kind: 'gaussian' },
        { kind: 'gaussian', covariance: 'x' },
        { kind: 'gaussian', covariance: 5 },
        { kind: 'gaussian', covariance: [] },
        { kind: 'gaussian', covariance: [[1]] },
        { kind: 'gaussian', covariance: eye(3) },
        { kind: 'gaussian', covariance: eye(8) },
        { kind: 'point', theta: [0, 0, 0, 0, 0, 0, 0], covariance: eye(7) },
      ],
    ),
  ),
  fc
    .array(fc.double({ min: -10, max: 10, noNaN: true }), { maxLength: 20 })
    .filter((t) => t.length !== 7)
    .map((theta) => ({
      kind: 'init.theta length',
      label: `init.theta of ${theta.length} numbers (N = 7)`,
      apply: (s: Obj) => {
        s.init = { kind: 'point', theta };
      },
    })),
  fc.tuple(fc.nat(6), oneOf<unknown>(['x', null, true, [], {}, [1], '1'])).map(([i, v]) => ({
    kind: 'init.theta element',
    label: `init.theta[${i}] = ${show(v)}`,
    apply: (s: Obj) => {
      const theta: unknown[] = [0, 0, 0, 0, 0, 0, 0];
      theta[i] = v;
      s.init = { kind: 'point', theta };
    },
  })),
  fc.tuple(fc.nat(6), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), fc.boolean()).map(([j, x, withMean]) => ({
    kind: 'init.covariance not PSD',
    label: `init.covariance = I with [${j}][${j}] = -${x}${withMean ? ', mean given' : ''}`,
    apply: (s: Obj) => {
      const c = eye(7);
      c[j]![j] = -x;
      s.init = { kind: 'gaussian', covariance: c, ...(withMean ? { mean: [0, 0, 0, 0, 0, 0, 0] } : {}) };
    },
  })),
  fc
    .tuple(fc.nat(6), fc.nat(6), fc.double({ min: 1.01, max: 100, noNaN: true }))
    .filter(([i, j]) => i !== j)
    .map(([i, j, x]) => ({
      kind: 'init.covariance not PSD',
      label: `init.covariance = I with [${i}][${j}] = [${j}][${i}] = ${x}`,
      apply: (s: Obj) => {
        const c = eye(7);
        c[i]![j] = x;
        c[j]![i] = x;
        s.init = { kind: 'gaussian', covariance: c };
      },
    })),
  fc.tuple(fc.nat(6), fc.nat(6), oneOf<unknown>(['x', null, true, [], {}])).map(([i, j, v]) => ({
    kind: 'init.covariance element',
    label: `init.covariance[${i}][${j}] = ${show(v)}`,
    apply: (s: Obj) => {
      const c: unknown[][] = eye(7);
      c[i]![j] = v;
      s.init = { kind: 'gaussian', covariance: c };
    },
  })),
  fc
    .tuple(
      fc.nat(6),
      fc.integer({ min: 0, max: 9 }).filter((n) => n !== 7),
    )
    .map(([i, n]) => ({
      kind: 'init.covariance shape',
      label: `init.covariance row ${i} of ${n} numbers`,
      apply: (s: Obj) => {
        const c: number[][] = eye(7);
        c[i] = Array.from({ length: n }, () => 0);
        s.init = { kind: 'gaussian', covariance: c };
      },
    })),
  fc
    .oneof(
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { maxLength: 12 }).filter((m) => m.length !== 7),
      oneOf<unknown>(['x', 5, {}, [0, 0, 0, 'x', 0, 0, 0], [null, 0, 0, 0, 0, 0, 0]]),
    )
    .map((mean) => ({
      kind: 'init.mean',
      label: `init.mean = ${show(mean)} with a 7×7 covariance`,
      apply: (s: Obj) => {
        s.init = { kind: 'gaussian', mean, covariance: eye(7) };
      },
    })),
  fc
    .tuple(
      oneOf(['minimum', 'random', 'point', 'gaussian']),
      unknownKey(['kind', 'theta', 'mean', 'covariance']),
      anyJson,
    )
    .map(([kind, key, v]) => ({
      kind: 'init unknown field',
      label: `init { kind: ${kind}, ${JSON.stringify(key)}: … }`,
      apply: (s: Obj) => {
        const init: Obj =
          kind === 'point'
            ? { kind, theta: [0, 0, 0, 0, 0, 0, 0] }
            : kind === 'gaussian'
              ? { kind, covariance: eye(7) }
              : { kind };
        setPath(init, [key], v);
        s.init = init;
      },
    })),
);

const observerBad: fc.Arbitrary<Mutation> = fc.oneof(
  at('observers not an array', ['observers'], L({}, 5, 'moments', true, { name: 'moments' }, null, '')),
  at(
    'observer array param 100 000 deep',
    ['observers', 1],
    L(
      ...[
        ['marginal-2d', 'components'],
        ['marginal-2d', 'scales'],
        ['marginal-2d', 'offset'],
        ['entropy-production', 'segmentLengths'],
        ['entropy-production', 'sigma'],
        ['entropy-production', 'circulation'],
        ['entropy-production', 'diffusion'],
      ].map(([name, param]) => ({ name, params: { [param!]: '@@DEEP_ARRAY@@' } })),
    ),
  ),
  ...[0, 1].map((i) =>
    at(
      'observer entry',
      ['observers', i],
      L(
        ...[
          42,
          null,
          true,
          [],
          'nope',
          '',
          {},
          { name: 5 },
          { name: null },
          { name: 'nope' },
          { name: 'Moments' },
          { name: 'moments', extra: 1 },
          { name: 'moments', params: [] },
          { name: 'moments', params: 5 },
          { name: 'moments', params: null },
          ...PROTO_NAMES,
          ...PROTO_NAMES.map((name) => ({ name })),
          { name: 'activation-rate' },
          { name: 'weight-norm' },
          { name: 'marginal-2d', params: { components: [1, 1] } },
          { name: 'marginal-2d', params: { components: [1, 8] } },
          { name: 'marginal-2d', params: { components: 'x' } },
          { name: 'entropy-production', params: { segmentLengths: [0] } },
          { name: 'entropy-production', params: { segmentLengths: [] } },
        ],
      ),
    ),
  ),
  fc.oneof(
    at('moments params', ['observers', 0, 'params', 'burnIn'], badInteger(0)),
    at('moments params', ['observers', 0, 'params', 'every'], badInteger(1)),
    at('moments params', ['observers', 0, 'params', 'chainMeans'], badBoolean),
  ),
  fc.tuple(unknownKey(['burnIn', 'every', 'chainMeans']), anyJson).map(([k, v]) => ({
    kind: 'unknown param',
    label: `observers[0].params[${JSON.stringify(k)}]`,
    apply: (s: Obj) => setPath(s, ['observers', 0, 'params', k], v),
  })),
  fc.tuple(unknownKey(['name', 'params']), anyJson).map(([k, v]) => ({
    kind: 'unknown field',
    label: `observers[0][${JSON.stringify(k)}]`,
    apply: (s: Obj) => setPath(s, ['observers', 0, k], v),
  })),
);

const refBad: fc.Arbitrary<Mutation> = fc.oneof(
  ...(Object.entries(REF_KINDS) as [keyof typeof REF_KINDS, readonly [string, string]][]).flatMap(
    ([kind, [valid, other]]) => [
      at(`${kind} ref`, [kind], badRef(valid, other)),
      fc.tuple(unknownKey(['name', 'params']), anyJson).map(([k, v]) => ({
        kind: 'unknown field',
        label: `${kind}[${JSON.stringify(k)}]`,
        apply: (s: Obj) => setPath(s, [kind, k], v),
      })),
    ],
  ),
  fc
    .tuple(
      oneOf(['landscape', 'sampler', 'optimizer'] as const),
      unknownKey(['epsilon', 'lambda', 'data', 'dataSeed', 'dataSize', 'batchSize', 'eta']),
      anyJson,
    )
    .map(([kind, k, v]) => ({
      kind: 'unknown param',
      label: `${kind}.params[${JSON.stringify(k)}]`,
      apply: (s: Obj) => setPath(s, [kind, 'params', k], v),
    })),
);

const paramBad: fc.Arbitrary<Mutation> = fc.oneof(
  at('landscape params', ['landscape', 'params', 'epsilon'], badPositive),
  at('landscape params', ['landscape', 'params', 'lambda'], badNonNegative),
  at(
    'landscape params',
    ['landscape', 'params', 'data'],
    L('other', '', 'Paper', ' paper', 5, null, true, [], {}, ...PROTO_NAMES),
  ),
  at('landscape params', ['landscape', 'params', 'dataSeed'], badInteger(0)),
  at('landscape params', ['landscape', 'params', 'dataSize'], {
    list: [...badInteger(1).list, 100, 199, 201, 2097153],
    random: fc.oneof(
      badInteger(1).random!,
      fc.integer({ min: 1, max: 1e6 }).filter((n) => n !== 200),
      fc.integer({ min: 2097153, max: Number.MAX_SAFE_INTEGER }),
    ),
  }),
  at('sampler params', ['sampler', 'params', 'batchSize'], badInteger(1)),
  at('batchSize > M', ['sampler', 'params', 'batchSize'], {
    list: [201, 1000, 2 ** 31, Number.MAX_SAFE_INTEGER],
    random: fc.oneof(fc.integer({ min: 201, max: 10_000 }), fc.integer({ min: 201, max: Number.MAX_SAFE_INTEGER })),
  }),
  fc
    .tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 1000 }), fc.boolean())
    .map(([m, extra, wor]) => ({
      kind: 'batchSize > M',
      label: `generated data of M = ${m}, batchSize ${m + extra}`,
      apply: (s: Obj) => {
        s.landscape = { name: 'tanh-regression', params: { data: 'generated', dataSize: m } };
        s.sampler = { name: wor ? 'without-replacement' : 'with-replacement', params: { batchSize: m + extra } };
      },
    })),
  at('optimizer params', ['optimizer', 'params', 'eta'], badPositive),
  fc
    .tuple(oneOf(['sgworld', 'sgworld-lm', 'sgworld-uncorrected']), fc.integer({ min: 1, max: 100 }))
    .map(([name, m]) => ({
      kind: 'sgworld with WR',
      label: `optimizer ${name} with with-replacement, batchSize ${m}`,
      apply: (s: Obj) => {
        s.optimizer = { name };
        s.sampler = { name: 'with-replacement', params: { batchSize: m } };
      },
    })),
  fc
    .tuple(
      oneOf(['sgworld', 'sgworld-lm', 'sgworld-uncorrected']),
      fc.integer({ min: 1, max: 199 }).filter((m) => 200 % m !== 0),
    )
    .map(([name, m]) => ({
      kind: 'sgworld m ∤ M',
      label: `optimizer ${name} with without-replacement, batchSize ${m} (M = 200)`,
      apply: (s: Obj) => {
        s.optimizer = { name };
        s.sampler = { name: 'without-replacement', params: { batchSize: m } };
      },
    })),
  fc.tuple(fc.nat(1000), oneOf([10, 20, 50])).map(([k, m]) => ({
    kind: 'full-batch params',
    label: `full-batch sampler with batchSize ${m + k}`,
    apply: (s: Obj) => {
      s.sampler = { name: 'full-batch', params: { batchSize: m + k } };
    },
  })),
);

const topBad: fc.Arbitrary<Mutation> = fc.oneof(
  at('seed', ['seed'], badInteger(0)),
  at('chains', ['chains'], badInteger(1)),
  at('chains memory', ['chains'], {
    list: [1e12, Number.MAX_SAFE_INTEGER],
    random: fc.integer({ min: 1e12, max: Number.MAX_SAFE_INTEGER }),
  }), // > 1 PB of chain state: refused on any machine
  at('steps', ['steps'], badInteger(1)),
  at('blockSize', ['blockSize'], badInteger(1)),
  at('workers', ['workers'], badInteger(1)),
  at('required', ['chains'], L(DELETE)),
  at('required', ['steps'], L(DELETE)),
  at('name', ['name'], badString),
  at('description', ['description'], badString),
  at(
    'plugins',
    ['plugins'],
    L(
      5,
      'x',
      '',
      {},
      null,
      true,
      [5],
      [''],
      [null],
      [[]],
      [{}],
      ['./nope.js'],
      ['../nope/plugin.js'],
      ['@nobody/nesslab-observer-none'],
      ['file:///nonexistent/nesslab-plugin.js'],
      ...PROTO_NAMES.map((p) => [p]),
    ),
  ),
  fc.tuple(unknownKey(SPEC_FIELDS), anyJson).map(([k, v]) => ({
    kind: 'unknown field',
    label: `top-level ${JSON.stringify(k)}`,
    apply: (s: Obj) => setPath(s, [k], v),
  })),
);

const FILE_NAMES = [
  'spec.json',
  'bad file.json',
  'ünï-cödé.json',
  'line\nbreak.json',
  'deep/er/spec.json',
  '-dash.json',
];
const specCase = (kind: string, m: fc.Arbitrary<Mutation>): fc.Arbitrary<Case> =>
  fc
    .tuple(baseSpec, m, oneOf(['validate', 'validate', 'validate', 'run']), oneOf(FILE_NAMES), fc.boolean())
    .map(([base, mut, command, name, pretty]) => {
      const s = structuredClone(base);
      mut.apply(s);
      return {
        kind: `${kind}: ${mut.kind}`,
        label: mut.label,
        files: { [name]: JSON.stringify(s, null, pretty ? 2 : undefined) },
        argv: [command, `$TMP/${name}`],
        expect: 2,
      };
    });
const badSpecFile = fc.oneof(
  { arbitrary: specCase('spec', topBad), weight: 4 },
  { arbitrary: specCase('spec', refBad), weight: 3 },
  { arbitrary: specCase('spec', paramBad), weight: 4 },
  { arbitrary: specCase('spec', observerBad), weight: 2 },
  { arbitrary: specCase('spec', initBad), weight: 3 },
);

// JSON syntax errors: a valid file broken in one place, and files that are not one object.
const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const nth = (text: string, re: RegExp, k: number): number => {
  const hits = [...text.matchAll(re)].map((m) => m.index!);
  return hits.length ? hits[k % hits.length]! : -1;
};
const BREAKS = [
  'truncate',
  'bom',
  'nan',
  'trailing comma',
  'single quotes',
  'comment',
  'unquoted key',
  'missing comma',
  'missing colon',
  'control char',
  'bad escape',
  'two values',
  'bad number',
] as const;
const syntaxCase: fc.Arbitrary<Case> = fc
  .tuple(baseSpec, fc.boolean(), oneOf(BREAKS), fc.nat(), oneOf(['validate', 'validate', 'run']), oneOf(FILE_NAMES))
  .map(([spec, pretty, how, k, command, name]) => {
    const text = JSON.stringify(spec, null, pretty ? 2 : undefined);
    const insert = (i: number, s: string, drop = 0) => `${text.slice(0, i)}${s}${text.slice(i + drop)}`;
    let bad: string;
    switch (how) {
      case 'truncate':
        bad = text.slice(0, k % text.length);
        break;
      case 'bom':
        bad = `\uFEFF${text}`;
        break;
      case 'nan':
        bad = text.replace(/("steps":\s*)\d+/, `$1${['NaN', 'Infinity', '-Infinity'][k % 3]}`);
        break;
      case 'trailing comma':
        bad = insert(nth(text, /\s*[}\]]/g, k), ',');
        break;
      case 'single quotes': {
        const i = nth(text, /"\w+"(?=:)/g, k);
        const key = /"(\w+)"/.exec(text.slice(i))![1]!;
        bad = insert(i, `'${key}'`, key.length + 2);
        break;
      }
      case 'comment':
        bad = insert(nth(text, /[{,]/g, k) + 1, ['// a comment\n', '/* a comment */', '# a comment\n'][k % 3]!);
        break;
      case 'unquoted key': {
        const i = nth(text, /"\w+"(?=:)/g, k);
        const key = /"(\w+)"/.exec(text.slice(i))![1]!;
        bad = insert(i, key, key.length + 2);
        break;
      }
      case 'missing comma':
        bad = insert(nth(text, /,/g, k), ' ', 1);
        break;
      case 'missing colon':
        bad = insert(nth(text, /:/g, k), ' ', 1);
        break;
      case 'control char':
        bad = text.replace('tanh-regression', `tanh${['\n', '\t', '\u0000', '\u001b'][k % 4]}regression`);
        break;
      case 'bad escape':
        bad = text.replace('tanh-regression', ['tanh\\x41', 'tanh\\u12', 'tanh\\'][k % 3]!);
        break;
      case 'two values':
        bad = `${text}${['{}', ' x', '}', ']', ',', text][k % 6]}`;
        break;
      case 'bad number':
        bad = text.replace(
          /("steps":\s*)\d+/,
          `$1${['+1', '.5', '01', '0x10', '1e', '-', '1.', '1_000', '−1'][k % 9]}`,
        );
        break;
    }
    return {
      kind: `syntax: ${how}`,
      label: `${how} (#${k % 997})`,
      files: { [name]: bad },
      argv: [command, `$TMP/${name}`],
      expect: 2 as const,
    };
  })
  .filter((c) => !parses(Object.values(c.files)[0]!));
const TOP_LEVEL = [
  '',
  ' ',
  '\n',
  '[]',
  '[{}]',
  '42',
  '-1',
  '0',
  '1e308',
  '"regression-ness"',
  '""',
  'null',
  'true',
  'false',
  'undefined',
  '[1,2,3]',
];
const nonObjectCase: fc.Arbitrary<Case> = fc
  .tuple(oneOf(TOP_LEVEL), oneOf(['validate', 'run']), oneOf(FILE_NAMES))
  .map(([text, command, name]) => ({
    kind: 'not an object',
    label: `file is ${JSON.stringify(text)}`,
    files: { [name]: text },
    argv: [command, `$TMP/${name}`],
    expect: 2 as const,
  }));

// 100 000-deep nesting and 10 MB strings, where values, keys and names go.
const DEEP_SPOTS: [string, (string | number)[]][] = [
  ['param value', ['optimizer', 'params', 'eta']],
  ['param value', ['observers', 0, 'params', 'burnIn']],
  ['ref', ['landscape']],
  ['ref', ['sampler', 'params']],
  ['init.theta', ['init']],
  ['field', ['seed']],
  ['field', ['chains']],
  ['field', ['name']],
  ['field', ['plugins']],
  ['field', ['observers']],
  ['array param', ['observers', 1]],
  ['unknown field', ['deep']],
];
const deepCase: fc.Arbitrary<Case> = fc
  .tuple(
    baseSpec,
    oneOf(DEEP_SPOTS),
    oneOf(['DEEP_ARRAY', 'DEEP_OBJECT', 'DEEP_OPEN']),
    oneOf(['validate', 'validate', 'run']),
    fc.nat(3),
  )
  .map(([spec, [where, path], deep, command, k]) => {
    const s = structuredClone(spec);
    const v = `@@${deep}@@`;
    if (path[0] === 'init') s.init = k % 2 ? { kind: 'point', theta: v } : { kind: 'gaussian', covariance: v };
    else if (path[0] === 'observers' && path[1] === 1) {
      const [name, param] = [
        ['marginal-2d', 'components'],
        ['marginal-2d', 'scales'],
        ['marginal-2d', 'offset'],
        ['entropy-production', 'segmentLengths'],
      ][k]!;
      s.observers.push({ name, params: { [param!]: v } });
    } else setPath(s, path, v);
    return {
      kind: `deep: ${where}`,
      label: `${deep} at ${path.join('.')}${path[0] === 'observers' && path[1] === 1 ? ` (${JSON.stringify(s.observers[1])})` : ''}`,
      files: { 'deep.json': JSON.stringify(s) },
      argv: [command, '$TMP/deep.json'],
      expect: 2 as const,
    };
  });
const BIG_SPOTS: [string, (string | number)[]][] = [
  ['param value', ['optimizer', 'params', 'eta']],
  ['param value', ['landscape', 'params', 'data']],
  ['name', ['landscape', 'name']],
  ['name', ['sampler', 'name']],
  ['name', ['observers', 0, 'name']],
  ['name', ['init', 'kind']],
  ['field', ['seed']],
  ['field', ['plugins', 0]],
  ['field', ['observers', 0]],
];
const bigCase: fc.Arbitrary<Case> = fc
  .tuple(
    baseSpec,
    fc.oneof(
      oneOf(BIG_SPOTS),
      oneOf<[string, (string | number)[]]>([
        ['key', ['@@BIG@@']],
        ['key', ['optimizer', 'params', '@@BIG@@']],
        ['key', ['init', '@@BIG@@']],
        ['key', ['landscape', '@@BIG@@']],
      ]),
    ),
    oneOf(['BIG', 'BIG_LINES']),
    oneOf(['validate', 'validate', 'run']),
  )
  .map(([spec, [where, path], big, command]) => {
    const s = structuredClone(spec);
    const isKey = path.some((p) => p === '@@BIG@@');
    if (path[0] === 'plugins') s.plugins = [`@@${big}@@`];
    else if (path[0] === 'init' && !isKey) s.init = { kind: `@@${big}@@` };
    else if (path[0] === 'init') s.init = { kind: 'minimum' };
    if (path[0] !== 'plugins' && !(path[0] === 'init' && !isKey)) setPath(s, path, isKey ? 1 : `@@${big}@@`);
    return {
      kind: `10 MB: ${where}`,
      label: `${big} ${isKey ? 'as a key' : 'as a value'} at ${path.join('.')}`,
      files: { 'big.json': JSON.stringify(s) },
      argv: [command, '$TMP/big.json'],
      expect: 2 as const,
    };
  });
const bigSyntaxCase: fc.Arbitrary<Case> = fc
  .tuple(
    oneOf(['{"name": "@@BIG_OPEN@@', '{"seed": "@@DEEP_OPEN@@', '"@@DEEP_OPEN@@', '{"observers": "@@DEEP_OPEN@@}']),
    oneOf(['validate', 'run']),
  )
  .map(([text, command]) => ({
    kind: 'deep/10 MB syntax',
    label: text,
    files: { 'open.json': text },
    argv: [command, '$TMP/open.json'],
    expect: 2 as const,
  }));

// Packaged-scenario files: { scenario, preset, seed, params }.
const TINY_PARAMS = { chains: 4, steps: 2000, burnIn: 0, trainingChains: 2, trainingSteps: 100 };
const SCENARIO_NAMES = Object.keys(scenarios);
const ARRAY_PARAMS = SCENARIO_NAMES.flatMap((name) =>
  Object.entries(scenarios[name]!.params)
    .filter(([, p]) => p.type === 'array')
    .map(([k]) => [name, k] as const),
);
const basePackaged = fc
  .record({ preset: oneOf([undefined, 'quick', 'full']), seed: fc.option(fc.nat(1_000_000), { nil: undefined }) })
  .map(({ preset, seed }): Obj => ({
    scenario: 'regression-ness',
    ...(preset ? { preset } : {}),
    ...(seed !== undefined ? { seed } : {}),
    params: { ...TINY_PARAMS },
  }));
const atP = (kind: string, path: (string | number)[], values: Values) => at(kind, path, values, 'packaged');
/** A scenario's array parameter (escape-sgd sharpnesses, thermophoresis etas, …) that is not an array, or nested 100 000 deep. */
const ARRAY_VALUES = [5, 'x', {}, true, null, '@@DEEP_OBJECT@@', '@@DEEP_ARRAY@@'];
const arrayParam = ([name, param]: readonly [string, string], v: unknown): Mutation => ({
  kind: v === '@@DEEP_ARRAY@@' ? 'array param 100 000 deep' : 'array param type',
  label: `${name} params.${param} = ${show(v)}`,
  apply: (s: Obj) => {
    s.scenario = name;
    s.params = {};
    setPath(s, ['params', param], v);
  },
});
for (const p of ARRAY_PARAMS)
  for (const v of ARRAY_VALUES) CATALOGUE.push({ base: 'packaged', mutation: arrayParam(p, v) });
const arrayParamBad = fc.tuple(oneOf(ARRAY_PARAMS), oneOf(ARRAY_VALUES)).map(([p, v]) => arrayParam(p, v));
const packagedBad: fc.Arbitrary<Mutation> = fc.oneof(
  atP(
    'scenario',
    ['scenario'],
    L(
      5,
      null,
      true,
      [],
      {},
      '',
      'nope',
      'Regression-ness',
      'regression-ness ',
      'tanh-regression',
      'sgd',
      ...PROTO_NAMES,
    ),
  ),
  atP('preset', ['preset'], L(5, null, true, [], {}, '', 'huge', 'QUICK', 'Full', ' quick', ...PROTO_NAMES)),
  atP('seed', ['seed'], badInteger(0)),
  atP('params', ['params'], L([], [TINY_PARAMS], 5, 'x', null, true)),
  atP('param values', ['params', 'eta'], badPositive),
  atP('param values', ['params', 'sigmaTolerance'], badPositive),
  atP('param values', ['params', 'batchSize'], badInteger(1)),
  atP('param values', ['params', 'chains'], badInteger(2)),
  atP('param values', ['params', 'trainingChains'], badInteger(2)),
  atP('param values', ['params', 'steps'], badInteger(1)),
  atP('param values', ['params', 'burnIn'], badInteger(0)),
  fc.tuple(oneOf(SCENARIO_NAMES), fc.nat(), anyJson).chain(([name, , v]) =>
    unknownKey(Object.keys(scenarios[name]!.params)).map((k) => ({
      kind: 'unknown param',
      label: `${name} params[${JSON.stringify(k)}]`,
      apply: (s: Obj) => {
        s.scenario = name;
        s.params = {};
        setPath(s, ['params', k], v);
      },
    })),
  ),
  arrayParamBad,
  fc.tuple(unknownKey(PACKAGED_FIELDS), anyJson).map(([k, v]) => ({
    kind: 'unknown field',
    label: `top-level ${JSON.stringify(k)}`,
    apply: (s: Obj) => setPath(s, [k], v),
  })),
  atP('spec field in packaged file', ['chains'], { list: [4], random: fc.integer({ min: 1, max: 10 }) }),
  atP('name', ['name'], badString),
  atP('description', ['description'], badString),
  atP('plugins', ['plugins'], L(5, 'x', {}, [5], [''], ['./nope.js'], ['@nobody/nesslab-observer-none'])),
  atP('10 MB', ['scenario'], L('@@BIG@@')),
  atP('10 MB', ['preset'], L('@@BIG@@')),
  atP('10 MB', ['params', '@@BIG@@'], L(1)),
  atP('10 MB', ['@@BIG@@'], L(1)),
  atP('deep', ['params', 'eta'], L('@@DEEP_ARRAY@@')),
  atP('deep', ['seed'], L('@@DEEP_OBJECT@@')),
);
const packagedCase: fc.Arbitrary<Case> = fc
  .tuple(basePackaged, packagedBad, oneOf(['validate', 'validate', 'run']))
  .map(([base, m, command]) => {
    const s = structuredClone(base);
    m.apply(s);
    return {
      kind: `packaged: ${m.kind}`,
      label: m.label,
      files: { 'pack.json': JSON.stringify(s) },
      argv: [command, '$TMP/pack.json'],
      expect: 2 as const,
    };
  });

// Flag sets: a valid target and command, then one bad flag (or a bad command line).
const VALID_SPEC = JSON.stringify({
  seed: 2,
  landscape: { name: 'tanh-regression' },
  sampler: { name: 'with-replacement', params: { batchSize: 10 } },
  optimizer: { name: 'sgd', params: { eta: 1e-7 } },
  observers: [{ name: 'moments' }],
  chains: 3,
  steps: 200,
});
const VALID_PACK = JSON.stringify({ scenario: 'regression-ness', preset: 'quick', params: TINY_PARAMS });
type Target = 'name' | 'spec' | 'pack';
const TARGET_FILES: Record<Target, Record<string, string>> = {
  name: {},
  spec: { 'ok.json': VALID_SPEC },
  pack: { 'pack.json': VALID_PACK },
};
const TARGET_ARG: Record<Target, string> = { name: 'regression-ness', spec: '$TMP/ok.json', pack: '$TMP/pack.json' };
interface BadFlags {
  kind: string;
  argv: string[];
  targets?: readonly Target[];
  commands?: readonly string[];
  files?: Record<string, string>;
  ownOut?: boolean;
}
const flag = (kind: string, argv: string[], extra: Omit<BadFlags, 'kind' | 'argv'> = {}): BadFlags => ({
  kind,
  argv,
  ...extra,
});
const withValue = (name: string, v: string) => (v === '' || v.startsWith('-') ? [`--${name}=${v}`] : [`--${name}`, v]);
const PACKAGED: readonly Target[] = ['name', 'pack'];
const FILES: readonly Target[] = ['spec', 'pack'];
const SPEC_ONLY: readonly Target[] = ['spec'];

const badSeed = fc
  .oneof(
    oneOf([
      '-1',
      '1.5',
      '1e3',
      '0x10',
      '',
      '9007199254740992',
      '18446744073709551616',
      'abc',
      ' 1',
      '1 ',
      '+1',
      '-0',
      '١٢',
      '1_000',
      'Infinity',
      'NaN',
      '00000000000000000001',
      '@@BIG@@',
    ]),
    fc.string({ maxLength: 20 }).filter((s) => !(/^\d{1,16}$/.test(s) && Number(s) <= Number.MAX_SAFE_INTEGER)),
  )
  .chain((v) =>
    fc.boolean().map((eq) => flag('--seed', eq || v === '' || v.startsWith('-') ? [`--seed=${v}`] : ['--seed', v])),
  );
const badWorkers = oneOf(['0', '-1', '1e6', 'x', '', '1.5', '257', '1000000', '0x4', ' 2', '+2', '00', '9999999']).map(
  (v) => flag('--workers', withValue('workers', v)),
);
const badPreset = fc
  .tuple(
    oneOf(['huge', '', 'QUICK', 'Full', ' quick', '@@BIG@@', ...PROTO_NAMES]),
    oneOf<readonly Target[]>([PACKAGED, SPEC_ONLY]),
  )
  .map(([v, targets]) =>
    flag(targets === SPEC_ONLY ? '--preset on a spec file' : '--preset', withValue('preset', v), { targets }),
  );
const badSet = fc.oneof(
  oneOf(['eta', '=1', '', '==', 'eta:1', '@@BIG@@']).map((v) => flag('--set without key=', withValue('set', v))),
  fc
    .oneof(
      oneOf([...PROTO_NAMES, 'colour', 'Eta', 'eta ', '@@BIG@@']),
      fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !k.includes('=') && !k.startsWith('-')),
    )
    .chain((k) =>
      fc
        .tuple(oneOf<readonly Target[]>([PACKAGED, SPEC_ONLY]), anyJson)
        .filter(
          ([t]) =>
            k !== 'plugins' &&
            !(t === PACKAGED ? Object.keys(scenarios['regression-ness']!.params) : SPEC_FIELDS).includes(k),
        )
        .map(([targets, v]) => flag('--set unknown key', ['--set', `${k}=${JSON.stringify(v)}`], { targets })),
    ),
  oneOf([
    'eta=-1',
    'eta=0',
    'eta=abc',
    'eta=',
    'eta=null',
    'eta=[1e-6]',
    'eta={"a":1}',
    'chains=1',
    'chains=1.5',
    'steps=0',
    'batchSize=0',
    'burnIn=-1',
    'eta=@@DEEP_ARRAY@@',
    'eta=@@DEEP_OPEN@@',
  ]).map((s) => flag('--set bad value', ['--set', s], { targets: PACKAGED })),
  oneOf([
    'chains=0',
    'steps=-1',
    'seed=-1',
    'seed=1.5',
    'seed=null',
    'landscape=5',
    'observers={}',
    'init=5',
    'blockSize=0',
    'workers=0',
    'name=5',
    'chains=1e15',
    'init=@@DEEP_ARRAY@@',
  ]).map((s) => flag('--set bad spec value', ['--set', s], { targets: SPEC_ONLY })),
  oneOf([
    'plugins=[5]',
    'plugins=5',
    'plugins=["./nope.js"]',
    'plugins=[""]',
    'plugins=["@nobody/nesslab-observer-none"]',
    'plugins=x',
    'plugins={}',
    'plugins=null',
    'plugins=["file:///nonexistent/p.js"]',
  ]).map((s) => flag('--set plugins', ['--set', s])),
  oneOf<[string, string]>([
    ['eta=1e-6', 'eta=2e-6'],
    ['chains=4', 'chains=4'],
  ]).map(([a, b]) => flag('--set twice', ['--set', a, '--set', b], { targets: PACKAGED })),
  oneOf(ARRAY_PARAMS).map(([name, param]) => ({
    ...flag('--set array param 100 000 deep', ['--set', `${param}=@@DEEP_ARRAY@@`], { commands: ['validate'] }),
    target: name,
  })),
);
const HOME = homedir();
const badOut = fc.oneof(
  oneOf<[string, string[], Record<string, string>?, string[]?]>([
    ['empty', ['--out=']],
    ['blank', ['--out', '  ']],
    ['dot', ['--out', '.']],
    ['dot slash', ['--out', './']],
    ['cwd', ['--out', '$TMP']],
    ['cwd via ..', ['--out', 'sub/..']],
    ['NUL', ['--out', 'a\u0000b']],
    ['long name', ['--out', `$TMP/${'n'.repeat(201)}`]],
    ['long name', ['--out', `${'é'.repeat(101)}`]],
    ['a file', ['--out', '$TMP/file.txt'], { 'file.txt': 'not a folder' }],
    ['through a file', ['--out', '$TMP/file.txt/out'], { 'file.txt': 'x' }],
    ['foreign folder', ['--out', '$TMP/mine'], { 'mine/notes.txt': 'mine' }],
    ['foreign folder --force', ['--out', '$TMP/mine', '--force'], { 'mine/notes.txt': 'mine' }],
    [
      'earlier result without --force',
      ['--out', '$TMP/old'],
      {
        'old/.nesslab': JSON.stringify({ nesslab: '0.1.0', runId: 'abc', files: ['results.json'] }),
        'old/results.json': '{}',
      },
    ],
    [
      'earlier result plus a stray file --force',
      ['--out', '$TMP/old', '--force'],
      {
        'old/.nesslab': JSON.stringify({ nesslab: '0.1.0', files: ['results.json'] }),
        'old/results.json': '{}',
        'old/mine.txt': 'x',
      },
    ],
    ['missing value', ['--out']],
  ]).map(([what, argv, files]) => flag(`--out ${what}`, argv, { ownOut: true, ...(files ? { files } : {}) })),
  // Outside the case folder: only with validate (a run there must never start, even if the check broke).
  oneOf<[string, string]>([
    ['..', '..'],
    ['../..', '../..'],
    ['/', '/'],
    ['home', HOME],
    ['above home', dirname(HOME)],
    ['tmpdir', tmpdir()],
    ['cwd ancestor', '$TMP/..'],
  ]).map(([what, v]) => flag(`--out ${what}`, ['--out', v], { ownOut: true, commands: ['validate'] })),
);
const badOption = fc.oneof(
  fc
    .oneof(
      oneOf([
        '--foo',
        '--colour=red',
        '-x',
        '--Seed=1',
        '--seeds=1',
        '--out-dir=x',
        '--dry-run',
        '-q',
        '-s',
        '-o',
        '--verbose',
        '--no-quiet',
        '--',
        '--=1',
      ]),
      fc
        .string({ minLength: 1, maxLength: 10, unit: 'grapheme-ascii' })
        .filter((s) => /^[a-zA-Z]/.test(s) && !OPTION_NAMES.includes(s.split('=')[0]!))
        .map((s) => `--${s}`),
    )
    .filter((o) => o !== '--')
    .map((o) => flag('unknown option', [o])),
  oneOf(['--quiet=yes', '--force=1', '--check=true', '--help=1', '-h=1']).map((o) => flag('boolean with a value', [o])),
  oneOf(['--seed', '--set', '--preset', '--workers', '--grid']).map((o) => flag('option without its value', [o])),
  oneOf<[string, string]>([
    ['--seed', '-1'],
    ['--out', '-x'],
    ['--set', '-1'],
    ['--preset', '-q'],
  ]).map(([o, v]) => flag('ambiguous value', [o, v])),
  oneOf(['eta=1e-6,2e-6', 'eta', '']).map((g) => flag('--grid on run/validate', ['--grid', g])),
  oneOf(['extra', 'regression-ness', '$TMP/ok.json', '-']).map((x) =>
    flag('extra positional', [x], { files: TARGET_FILES.spec }),
  ),
);
const flagCase: fc.Arbitrary<Case> = fc
  .tuple(
    fc.oneof(
      { arbitrary: badSeed, weight: 3 },
      { arbitrary: badWorkers, weight: 2 },
      { arbitrary: badPreset, weight: 2 },
      { arbitrary: badSet, weight: 5 },
      { arbitrary: badOut, weight: 4 },
      { arbitrary: badOption, weight: 4 },
    ),
    oneOf<Target>(['name', 'spec', 'pack']),
    oneOf(['validate', 'run']),
    fc.subarray([['--seed', '7'], ['--workers', '1'], ['--check']]),
  )
  .map(([bad, target0, command0, extras]): Case => {
    const named = (bad as BadFlags & { target?: string }).target;
    let target: Target = bad.targets && !bad.targets.includes(target0) ? bad.targets[0]! : target0;
    let command = bad.commands && !bad.commands.includes(command0) ? bad.commands[0]! : command0;
    if (command === 'run' && target === 'name') target = 'pack'; // a run of the quick preset takes ~30 s: runs get the tiny file
    if (named) command = 'validate';
    const targetArg = named ?? TARGET_ARG[target];
    return {
      kind: `flags: ${bad.kind}`,
      label: bad.argv.join(' '),
      files: { ...(named ? {} : TARGET_FILES[target]), ...bad.files },
      argv: [command, targetArg, ...extras.flat(), ...bad.argv],
      expect: 2,
      ...(bad.ownOut ? { ownOut: true } : {}),
    };
  });
/** Command lines that are wrong as a whole: commands, positionals, list/describe misuse, sweep grids. */
const commandCase: fc.Arbitrary<Case> = fc.oneof(
  fc
    .oneof(
      oneOf(['runn', 'Run', 'VALIDATE', 'lst', 'swep', 'help2', '-', '', '@@BIG@@', ...PROTO_NAMES]),
      fc
        .string({ minLength: 1, maxLength: 8 })
        .filter((s) => !s.startsWith('-') && !['list', 'describe', 'validate', 'run', 'sweep', 'help'].includes(s)),
    )
    .chain((cmd) =>
      oneOf<string[]>([[], ['regression-ness'], ['$TMP/ok.json']]).map((rest) => ({
        kind: 'unknown command',
        label: JSON.stringify(cmd),
        files: TARGET_FILES.spec,
        argv: [cmd, ...rest],
        expect: 2 as const,
      })),
    ),
  oneOf<string[]>([
    ['list', 'extra'],
    ['list', '--quiet'],
    ['list', '--seed', '1'],
    ['describe'],
    ['describe', 'sgd', '--quiet'],
    ['describe', 'nope'],
    ['describe', ''],
    ['describe', '@@BIG@@'],
    ['describe', 'sgd', 'moments'],
    ['help', 'a', 'b'],
    ...PROTO_NAMES.map((n) => ['describe', n]),
  ]).map((argv) => ({ kind: 'list/describe misuse', label: argv.join(' '), files: {}, argv, expect: 2 as const })),
  oneOf<string[]>([
    ['validate'],
    ['run'],
    ['sweep'],
    ['validate', '--seed', '1'],
    ['run', '--quiet'],
    ['validate', '$TMP/ok.json', 'extra'],
    ['run', '$TMP/ok.json', '$TMP/ok.json'],
    ['validate', 'regression-ness', 'escape-sgd'],
  ]).map((argv) => ({
    kind: 'missing or extra positional',
    label: argv.join(' '),
    files: TARGET_FILES.spec,
    argv,
    expect: 2 as const,
  })),
  fc
    .tuple(
      oneOf<string[]>([
        [],
        ['--grid', 'eta'],
        ['--grid', '=1e-6,2e-6'],
        ['--grid', 'eta='],
        ['--grid', 'eta= '],
        ['--grid', 'eta=1e-6,,2e-6'],
        ['--grid', 'colour=1,2'],
        ['--grid', 'eta=1e-6', '--grid', 'eta=2e-6'],
        ['--grid', 'eta=1e-6,1e-6'],
        ['--grid', 'eta=-1,1e-6'],
        ['--grid', 'eta=abc'],
        ['--grid', 'chains=1,4'],
        ['--grid', 'eta=1e-6', '--set', 'eta=1e-6'],
        ['--grid', 'eta=1e-6', '--seed=-1'],
        ['--grid', 'eta=1e-6', '--workers', '0'],
        ['--grid', 'eta=1e-6', '--preset', 'huge'],
        ['--grid', 'eta=@@DEEP_ARRAY@@'],
        ['--grid', 'eta=1e-6', '--set', 'colour=1'],
        ...PROTO_NAMES.map((n) => ['--grid', `${n}=1,2`]),
      ]),
      oneOf(['regression-ness', '$TMP/pack.json', '$TMP/ok.json', 'nope']),
    )
    .map(([grid, target]) => ({
      kind: 'sweep',
      label: `sweep ${target} ${grid.join(' ')}`,
      files: { ...TARGET_FILES.spec, ...TARGET_FILES.pack },
      argv: ['sweep', target, ...grid],
      expect: 2 as const,
    })),
  oneOf(ARRAY_PARAMS).map(([name, param]) => ({
    kind: 'sweep array param 100 000 deep',
    label: `sweep ${name} --grid ${param}=<deep>`,
    files: {},
    argv: ['sweep', name, '--grid', `${param}=@@DEEP_ARRAY@@`],
    expect: 2 as const,
  })),
);

// True divergences: sgd with η ≥ 0.5 on tanh-regression leaves the finite numbers within ~100 steps.
const divergenceCase: fc.Arbitrary<Case> = fc
  .tuple(baseSpec, fc.double({ min: 0.5, max: 1e3, noNaN: true }), fc.integer({ min: 200, max: 400 }))
  .map(([spec, eta, steps]) => {
    const s = structuredClone(spec);
    s.optimizer.params.eta = eta;
    s.steps = steps;
    return {
      kind: 'divergence',
      label: `sgd eta = ${eta}, ${s.chains} chains × ${steps} steps`,
      files: { 'diverge.json': JSON.stringify(s) },
      argv: ['run', '$TMP/diverge.json'],
      expect: 3 as const,
    };
  });

// ---------------------------------------------------------------------------------------------------------------
// The properties

describe(
  'nesslab fuzz: bad input gives exit 2 and one clean line, and leaves nothing behind',
  { timeout: 600_000 },
  () => {
    it('every listed bad value of every field, once each (spec and packaged files; validate, every fourth also run)', async () => {
      const property = 'catalogue';
      const spec = JSON.parse(VALID_SPEC) as Obj,
        packaged = JSON.parse(VALID_PACK) as Obj;
      for (const [i, { base, mutation: m }] of CATALOGUE.entries()) {
        const s = structuredClone(base === 'spec' ? spec : packaged);
        m.apply(s);
        const c: Case = {
          kind: `${base}: ${m.kind}`,
          label: m.label,
          files: { 'bad.json': JSON.stringify(s) },
          argv: [i % 4 === 3 ? 'run' : 'validate', '$TMP/bad.json'],
          expect: 2,
        };
        count(c);
        if (!(await check(property, c)).problems.length) tally.clean++;
      }
      expect(CATALOGUE.length).toBeGreaterThan(500);
      expect(failuresOf(property), `${property}: bad inputs not refused cleanly`).toEqual([]);
    });

    it('bad simulation specs (wrong types, out of range, unknown fields, prototype names, wrong shapes, memory)', async () => {
      await fuzz('spec files', 1, 1500, badSpecFile);
    });

    it('JSON syntax errors and files that are not one object', async () => {
      await fuzz(
        'syntax',
        2,
        300,
        fc.oneof({ arbitrary: syntaxCase, weight: 5 }, { arbitrary: nonObjectCase, weight: 1 }),
      );
    });

    it('100 000-deep nesting and 10 MB strings, as values, keys and names', async () => {
      await fuzz(
        'deep and big',
        3,
        60,
        fc.oneof(
          { arbitrary: deepCase, weight: 3 },
          { arbitrary: bigCase, weight: 2 },
          { arbitrary: bigSyntaxCase, weight: 1 },
        ),
      );
    });

    it('bad packaged-scenario files', async () => {
      await fuzz('packaged files', 4, 400, packagedCase);
    });

    it('bad flag sets (--seed, --workers, --preset, --set, --out, unknown options)', async () => {
      await fuzz('flags', 5, 800, flagCase);
    });

    it('bad command lines (commands, positionals, list/describe, sweep grids)', async () => {
      await fuzz('commands', 6, 250, commandCase);
    });

    it('a true divergence gives exit 3, naming chain and step, and writes nothing', async () => {
      await fuzz('divergence', 7, 12, divergenceCase);
    });

    it('validate and run refuse a bad file with the same line', async () => {
      const property = 'validate = run';
      const same: string[] = [];
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { arbitrary: badSpecFile, weight: 4 },
            { arbitrary: packagedCase, weight: 2 },
            { arbitrary: syntaxCase, weight: 1 },
          ),
          async (c) => {
            count(c);
            const v = await check(property, c, 'validate');
            const r = await check(property, c, 'run');
            if (!v.problems.length && !r.problems.length) tally.clean++;
            const line = (o: Outcome) => o.line.replaceAll(o.dir, '$TMP'); // each call has its own folder
            if (line(v.outcome) !== line(r.outcome))
              same.push(
                `  [${c.kind}] ${c.label}\n    validate: ${JSON.stringify(line(v.outcome))}\n    run:      ${JSON.stringify(line(r.outcome))}`,
              );
            return true;
          },
        ),
        { seed: SEED + 8, numRuns: 60 },
      );
      expect(same, 'validate and run gave different lines').toEqual([]);
      expect(failuresOf(property), `${property}: bad inputs not refused cleanly`).toEqual([]);
    });

    it(`tried at least ${MIN_CASES} generated bad inputs; tally`, () => {
      const p = (k: Problem) => tally.problems.get(k) ?? 0;
      const lines = tally.lineLengths;
      const summary = {
        'cases tried (generated inputs)': tally.cases,
        'distinct inputs': tally.unique.size,
        'cli invocations': tally.invocations,
        'clean (expected code, good line, nothing left)': tally.clean,
        'exit codes': Object.fromEntries([...tally.byExit.entries()].sort()),
        'exit 0 (bad input accepted)': p('exit 0 (accepted)'),
        'exit 1 (internal error)': p('exit 1 (internal error)'),
        'stack traces': p('stack trace'),
        hangs: p('hang'),
        'files left behind': p('files left behind'),
        'lines over 300 characters': p('line too long'),
        'lines not "nesslab: <field>: <what>"': p('bad line shape'),
        'multi-line': p('not one line'),
        'engine errors as the reason': p('internal error text'),
        'stderr besides the line': p('stderr output'),
        'longest line (characters)': lines.length ? Math.max(...lines) : 0,
      };
      console.log(`nesslab fuzz tally:\n${JSON.stringify(summary, null, 2)}`);
      console.log(
        `per category (clean/cases):\n${[...tally.byKind.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => `  ${k}: ${v.clean}/${v.cases}`)
          .join('\n')}`,
      );
      if (tally.failures.size)
        console.log(
          `failing categories (${tally.failures.size}):\n${[...tally.failures.entries()].map(([key, f]) => `${key} (${f.count}×)\n${f.example}`).join('\n')}`,
        );
      expect(
        !hadNesslabOut && existsSync(join(realCwd, 'nesslab-out')),
        'a nesslab-out/ appeared in the working folder',
      ).toBe(false);
      expect(tally.cases).toBeGreaterThanOrEqual(MIN_CASES);
      expect(tally.unique.size).toBeGreaterThanOrEqual(MIN_CASES);
    });
  },
);
