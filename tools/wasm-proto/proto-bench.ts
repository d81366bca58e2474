/**
 * Issue 16 item 1 prototype: steps/s of fused wasm WR-SGD steppers on tanh-regression against the plain JS hand loop
 * (tools/src/hand-loop.ts, the bench's baseline) and the kernel, alternating in one process, best of N.
 * Run: node tools/wasm-proto/run.mjs [seconds] [reps] [variants...]
 */
import { Xoshiro128, assemble, findMinimum, resolvePlugin, chainStreams } from '@nesslab/kernel';
import { samplersModule } from '@nesslab/samplers';
import { optimizersModule } from '@nesslab/optimizers';
import { landscapesModule, PAPER_X, PAPER_Y } from '@nesslab/landscapes';
import { handLoop, kernelRun } from '../src/hand-loop.ts';
import { observersModule } from '@nesslab/observers';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
/** CPU time of this process in ms (the machine is shared: wall time counts the other engineer's work). */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const seconds = Number(args[0] ?? 2),
  reps = Number(args[1] ?? 3);
const wats = args.slice(2);
const eta = 1e-7,
  m = 10,
  epsilon = 0.1,
  lambda = 10;
const container = assemble(landscapesModule, samplersModule, optimizersModule, observersModule);
const landscape = resolvePlugin(container, 'landscape', 'tanh-regression', 'bench');
landscape.configure({ epsilon, lambda, data: 'paper', dataSeed: 0, dataSize: 200 }, 1);
const theta0 = findMinimum(landscape, 1);

const handLoopAt = (steps: number) => handLoop(theta0, steps, { eta, m, epsilon, lambda }, cpuMs);

const kernelAt = (steps: number) => kernelRun(container, theta0, steps, { eta, m }, cpuMs);

// ---- the JS reference path, through the real plugins (for bits) ----
function referenceTrajectory(seed: number, steps: number): { theta: Float64Array[]; rng: number[] } {
  const sampler = resolvePlugin(container, 'sampler', 'with-replacement', 's');
  sampler.configure({ batchSize: m }, 200);
  const opt = resolvePlugin(container, 'optimizer', 'sgd', 'o');
  opt.configure({ eta }, landscape, sampler);
  const rng = chainStreams(seed, 0, 1)[0];
  const chain = {
    index: 0,
    theta: Float64Array.from(theta0),
    rng,
    samplerState: sampler.init(rng),
    state: opt.createState(),
    batch: new Int32Array(m),
    step: 0,
  };
  const out: Float64Array[] = [];
  const sc = new Float64Array(1);
  for (let s = 0; s < steps; s++) {
    opt.step(chain, sc);
    out.push(chain.theta.slice());
  }
  return { theta: out, rng: rng.state() };
}

const require = createRequire(import.meta.url);
const wabt = await require('wabt')();
const M = 200;
const sampleScale = M * (1 / (epsilon * epsilon));
const sArg = -sampleScale / m,
  l2 = 2 * lambda;

interface Variant {
  name: string;
  run: (steps: number) => number;
  check: () => string;
}
function wasmVariant(file: string): Variant {
  const mod = wabt.parseWat(file, readFileSync(file, 'utf8'), { simd: true, sat_float_to_int: true });
  mod.validate();
  const bytes = mod.toBinary({}).buffer;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const ex = inst.exports as { memory: WebAssembly.Memory; run: (...a: number[]) => void };
  const block = 4096;
  const final = (ex.run as unknown as { length: number }).length === 9; // the committed fused-step.wat
  const pk = ((80 + 20 * M + 15) >> 4) << 4,
    tv = pk + 48;
  const outOff = final ? tv + 16 * m : ((80 + 20 * M + 7) & ~7) + (file.includes('phased') ? 5120 : 0);
  const need = outOff + block * 56 + 65536;
  if (ex.memory.buffer.byteLength < need) ex.memory.grow(Math.ceil((need - ex.memory.buffer.byteLength) / 65536));
  const f64 = () => new Float64Array(ex.memory.buffer);
  const load = (theta: Float64Array, rngState: number[], order: Int32Array) => {
    const F = f64(),
      I = new Int32Array(ex.memory.buffer);
    F.set(theta, 0);
    for (let k = 0; k < 4; k++) I[14 + k] = rngState[k] | 0;
    F.set(PAPER_X, 10);
    F.set(PAPER_Y, 10 + M);
    I.set(order, 20 + 4 * M);
  };
  const frame = new Float64Array(block * 7);
  const outView = new Float64Array(ex.memory.buffer, outOff, block * 7);
  return {
    name: file.replace(/.*\//, ''),
    run(steps) {
      load(
        theta0,
        Xoshiro128.fromSeed(3).state(),
        Int32Array.from({ length: M }, (_, i) => i),
      );
      const t0 = cpuMs();
      for (let done = 0; done < steps; done += block) {
        const n = Math.min(block, steps - done);
        ex.run(n, M, m, sArg, l2, eta, pk, tv, outOff);
        frame.set(outView); // the engine's copy into the frame
      }
      if (!Number.isFinite(f64()[0])) throw new Error('wasm diverged');
      return steps / ((cpuMs() - t0) / 1000);
    },
    check() {
      const steps = 20000;
      const ref = referenceTrajectory(7, steps);
      const rng = chainStreams(7, 0, 1)[0];
      load(
        theta0,
        rng.state(),
        Int32Array.from({ length: M }, (_, i) => i),
      );
      let bad = 0;
      for (let done = 0; done < steps; done += 1000) {
        ex.run(1000, M, m, sArg, l2, eta, pk, tv, outOff);
        const F = f64();
        for (let s = 0; s < 1000; s++)
          for (let a = 0; a < 7; a++) if (!Object.is(F[outOff / 8 + s * 7 + a], ref.theta[done + s][a])) bad++;
      }
      const I = new Uint32Array(ex.memory.buffer);
      const rngOk = [0, 1, 2, 3].every((k) => I[14 + k] === ref.rng[k]);
      return `${bad} of ${steps * 7} θ values differ from the JS path; rng state ${rngOk ? 'equal' : 'DIFFERS'}`;
    },
  };
}

const variants = wats.map(wasmVariant);
for (const v of variants) console.log(`${v.name}: ${v.check()}`);
const probe = handLoopAt(200_000);
const steps = Math.max(4, Math.round((probe * seconds) / 4) * 4);
const best: Record<string, number> = { hand: 0, kernel: 0 };
for (let rep = 0; rep < reps; rep++) {
  best.hand = Math.max(best.hand, handLoopAt(steps));
  best.kernel = Math.max(best.kernel, await kernelAt(steps));
  for (const v of variants) best[v.name] = Math.max(best[v.name] ?? 0, v.run(steps));
}
for (const [k, v] of Object.entries(best))
  console.log(`${k.padEnd(28)} ${(v / 1e6).toFixed(3)} M steps/s  ${(v / best.hand).toFixed(3)} × hand loop`);
