import type { Frame } from '../contracts/frame.ts';

/** The one Frame a chain group reuses for every block. */
export function allocateFrame(
  dim: number,
  chainStart: number,
  chains: number,
  blockSize: number,
  scalarNames: readonly string[],
): Frame {
  const scalars: Record<string, Float64Array> = {};
  for (const name of scalarNames) scalars[name] = new Float64Array(chains * blockSize);
  return {
    dim,
    chainStart,
    chains,
    blockSize,
    stepStart: 1,
    steps: 0,
    theta: new Float64Array(chains * blockSize * dim),
    previous: new Float64Array(chains * dim),
    scalars,
  };
}

/** Default block: about 2^20 doubles of states per frame (8 MiB), between 16 and 4096 steps. */
export function defaultBlockSize(chains: number, dim: number, steps: number): number {
  const fit = Math.floor((1 << 20) / Math.max(1, chains * dim));
  return Math.max(1, Math.min(steps, Math.max(16, Math.min(4096, fit))));
}
