import { Subject, lastValueFrom, type Observable } from 'rxjs';
import type { Chain, Optimizer } from '../contracts/optimizer.ts';
import type { Landscape } from '../contracts/landscape.ts';
import type { Sampler } from '../contracts/sampler.ts';
import type { Observer } from '../contracts/observer.ts';
import type { Frame } from '../contracts/frame.ts';
import { chainStreams } from '../rng/xoshiro128.ts';
import { DivergenceError } from '../errors.ts';
import { hasFusedBlocks } from '../contracts/capabilities.ts';
import { allocateFrame } from './frame-buffer.ts';

/** Configured plugins of one simulation. */
export interface SimulationParts {
  landscape: Landscape;
  sampler: Sampler;
  optimizer: Optimizer;
  observers: Observer[];
}

export interface ChainGroup {
  seed: number;
  /** Global index of the first chain, and how many. */
  chainStart: number;
  chainCount: number;
  steps: number;
  blockSize: number;
  /** θ at step 0 for a global chain index; may draw from the chain's own stream (`normal`). */
  initialTheta(chain: number, out: Float64Array, normal: () => number): void;
  /** Called after every block with the steps done so far by this group (summed over its chains). */
  onProgress?(chainSteps: number): void;
  /**
   * Shared with the run's other groups: [0] is the earliest step any group has diverged at (Infinity while none has).
   * A group stops (throwing `Superseded`) once its next block starts past it, and lowers it when it diverges itself.
   */
  stopAfter?: Float64Array;
}

/** A group stopped because another had already diverged earlier: its partials are not wanted. */
export class Superseded extends Error {
  constructor(step: number) {
    super(`stopped before step ${step}: another chain group diverged earlier`);
    this.name = 'Superseded';
  }
}

/**
 * Steps a group of chains in blocks and lets the observers reduce the frame stream; returns each
 * observer's partial. The hot loop (one chain, one block) calls only `optimizer.step` and copies θ
 * into the reused frame: no allocation, and RxJS is crossed once per block. Where the landscape offers a fused runner
 * for this sampler and optimizer (`FusedBlocks`), it takes each chain's block instead, with the same bits.
 */
export async function runChains(parts: SimulationParts, group: ChainGroup): Promise<unknown[]> {
  const { landscape, sampler, optimizer, observers } = parts;
  const dim = landscape.dim,
    { chainStart, chainCount, steps, blockSize } = group;
  const rngs = chainStreams(group.seed, chainStart, chainCount);
  const chains: Chain[] = rngs.map((rng, k) => {
    const theta = new Float64Array(dim);
    group.initialTheta(chainStart + k, theta, () => rng.nextNormal());
    return {
      index: chainStart + k,
      theta,
      rng,
      samplerState: sampler.init(rng),
      state: optimizer.createState(),
      batch: new Int32Array(Math.max(1, sampler.batchSize)),
      step: 0,
    };
  });
  const frame = allocateFrame(dim, chainStart, chainCount, blockSize, optimizer.scalarNames);
  const frames = new Subject<Frame>();
  const results = observers.map((o) => lastValueFrom(o.attach(frames.asObservable() as Observable<Frame>)));
  // An observer's error must not be lost while we keep stepping: remember the first one.
  let observerError: unknown;
  results.forEach((p) =>
    p.catch((e) => {
      observerError ??= e;
    }),
  );

  // A landscape may take whole blocks of this (sampler, optimizer) pair itself (FusedBlocks), with the same bits.
  const fused = hasFusedBlocks(landscape) ? landscape.fusedBlockRunner(sampler, optimizer) : undefined;
  const stepScalars = new Float64Array(Math.max(1, optimizer.scalarNames.length));
  const scalarBuffers = optimizer.scalarNames.map((n) => frame.scalars[n]);
  const stopAfter = group.stopAfter;
  for (let stepStart = 1; stepStart <= steps; stepStart += blockSize) {
    if (stopAfter && stepStart > stopAfter[0]) throw new Superseded(stepStart);
    const blockSteps = Math.min(blockSize, steps - stepStart + 1);
    frame.stepStart = stepStart;
    frame.steps = blockSteps;
    let diverged = false;
    for (let c = 0; c < chainCount; c++) {
      const chain = chains[c],
        theta = chain.theta;
      frame.previous.set(theta, c * dim);
      if (fused?.run(chain, blockSteps, frame.theta, c * blockSize * dim) !== true)
        stepBlock(
          optimizer,
          chain,
          blockSteps,
          frame.theta,
          c * blockSize * dim,
          stepScalars,
          scalarBuffers,
          c * blockSize,
        );
      if (!allFinite(theta)) diverged = true;
    }
    if (diverged) {
      // Every chain of the block has been stepped: report the earliest step, ties to the lowest chain.
      const errors: DivergenceError[] = [];
      for (let c = 0; c < chainCount; c++)
        if (!allFinite(chains[c].theta)) errors.push(divergence(frame, c, chains[c].index));
      const first = DivergenceError.earliest(errors)!;
      if (stopAfter && first.step < stopAfter[0]) stopAfter[0] = first.step; // a benign race: only how soon others stop
      throw first;
    }
    frames.next(frame);
    if (observerError !== undefined) throw observerError;
    group.onProgress?.(chainCount * (stepStart + blockSteps - 1));
  }
  frames.complete();
  return Promise.all(results);
}

/** The hot loop: one chain, one block. Kept small and monomorphic in its callers' eyes. */
function stepBlock(
  optimizer: Optimizer,
  chain: Chain,
  blockSteps: number,
  out: Float64Array,
  offset: number,
  stepScalars: Float64Array,
  scalarBuffers: Float64Array[],
  scalarOffset: number,
): void {
  const theta = chain.theta,
    dim = theta.length,
    nScalars = scalarBuffers.length;
  for (let s = 0; s < blockSteps; s++) {
    optimizer.step(chain, stepScalars);
    chain.step++;
    for (let a = 0; a < dim; a++) out[offset + a] = theta[a];
    offset += dim;
    for (let k = 0; k < nScalars; k++) scalarBuffers[k][scalarOffset + s] = stepScalars[k];
  }
}

function allFinite(x: Float64Array): boolean {
  let acc = 0;
  for (let i = 0; i < x.length; i++) acc += x[i] - x[i]; // NaN if any x[i] is ±∞ or NaN
  return acc === 0;
}

function divergence(frame: Frame, localChain: number, globalChain: number): DivergenceError {
  const dim = frame.dim,
    base = localChain * frame.blockSize * dim;
  for (let s = 0; s < frame.steps; s++) {
    for (let a = 0; a < dim; a++) {
      if (!Number.isFinite(frame.theta[base + s * dim + a]))
        return new DivergenceError(globalChain, frame.stepStart + s, `θ[${a}] = ${frame.theta[base + s * dim + a]}`);
    }
  }
  return new DivergenceError(globalChain, frame.stepStart + frame.steps - 1);
}
