// One-off: fused-step.wat's scalar and f64x2 expm1 against Math.expm1 over 10^7 random and edge arguments.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const wabt = await createRequire(import.meta.url)('wabt')();
const src = readFileSync(
  new URL('../../packages/landscapes/src/tanh-regression/fused-step.wat', import.meta.url),
  'utf8',
);
const mod = wabt.parseWat('f.wat', src, { simd: true, sat_float_to_int: true });
const ex = new WebAssembly.Instance(new WebAssembly.Module(mod.toBinary({}).buffer), {}).exports;
const buf = new DataView(new ArrayBuffer(8));
let s = 12345,
  bad = 0,
  n = 0;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
const check = (x, y) => {
  n++;
  const r = Math.expm1(x);
  if (!Object.is(ex.expm1(x), r) && !(r !== r && ex.expm1(x) !== ex.expm1(x))) bad++;
  const v = ex.expm1x2(x, y);
  if (!Object.is(v, r) && !(r !== r && v !== v)) bad++;
};
for (let i = 0; i < 10_000_000; i++) {
  const k = i % 4;
  let x;
  if (k === 0) x = 80 * rnd() - 40;
  else if (k === 1) x = (rnd() < 0.5 ? -1 : 1) * 2 ** (-1080 + 1090 * rnd());
  else if (k === 2) {
    buf.setUint32(0, (rnd() * 4294967296) >>> 0);
    buf.setUint32(4, (rnd() * 4294967296) >>> 0);
    x = buf.getFloat64(0);
  } else x = (Math.round(120 * rnd() - 60) + (rnd() - 0.5)) * Math.LN2;
  check(x, 80 * rnd() - 40);
}
console.log(`${bad} mismatches in ${2 * n} comparisons (${n} arguments; scalar and lane 0 of f64x2)`);
