import { ContainerModule } from 'inversify';
import { map, reduce, type Observable } from 'rxjs';
import type { Landscape } from '../contracts/landscape.ts';
import type { Sampler } from '../contracts/sampler.ts';
import type { Chain, Optimizer } from '../contracts/optimizer.ts';
import type { Observer } from '../contracts/observer.ts';
import type { Frame } from '../contracts/frame.ts';
import type { Rng } from '../contracts/rng.ts';
import { bindPlugin } from '../plugin.ts';
import { definePlugin, type ParamsOf } from '../define-plugin.ts';

export const toyQuadraticInfo = definePlugin({
  kind: 'landscape',
  name: 'toy-quadratic',
  description: 'toy-quadratic',
  precision: 'float64',
  params: { curvature: { type: 'number', description: 'a', default: 1 } },
});
export const toySamplerInfo = definePlugin({
  kind: 'sampler',
  name: 'toy-wr',
  description: 'toy-wr',
  params: {},
  precision: 'float64',
});
export const toySgdInfo = definePlugin({
  kind: 'optimizer',
  name: 'toy-sgd',
  description: 'toy-sgd',
  precision: 'float64',
  params: { eta: { type: 'number', description: 'η', default: 0.1, exclusiveMinimum: 0 } },
});
export const trajectoryInfo = definePlugin({
  kind: 'observer',
  name: 'trajectory',
  description: 'trajectory',
  params: {},
  precision: 'float64',
});

/** Test-only plugins: a quadratic landscape ℓ_i = ½ a |θ − x_i|², a WR sampler, SGD, and a trajectory hash. */
export class ToyQuadratic implements Landscape {
  dim = 2;
  dataSize = 8;
  private a = 1;
  private x = new Float64Array(16);
  configure(params: ParamsOf<typeof toyQuadraticInfo>): void {
    this.a = params.curvature;
    for (let i = 0; i < 16; i++) this.x[i] = Math.sin(1 + 3.7 * i);
  }
  loss(t: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.dataSize; i++)
      s += 0.5 * this.a * ((t[0] - this.x[2 * i]) ** 2 + (t[1] - this.x[2 * i + 1]) ** 2);
    return s / this.dataSize;
  }
  gradient(t: Float64Array, out: Float64Array): void {
    const all = new Int32Array(this.dataSize).map((_, i) => i);
    this.minibatchGradient(t, all, this.dataSize, out);
  }
  minibatchGradient(t: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    let g0 = 0,
      g1 = 0;
    for (let k = 0; k < m; k++) {
      const i = batch[k];
      g0 += t[0] - this.x[2 * i];
      g1 += t[1] - this.x[2 * i + 1];
    }
    out[0] = (this.a * g0) / m;
    out[1] = (this.a * g1) / m;
  }
  sampleGradients(t: Float64Array, out: Float64Array): void {
    for (let i = 0; i < this.dataSize; i++) {
      out[2 * i] = this.a * (t[0] - this.x[2 * i]);
      out[2 * i + 1] = this.a * (t[1] - this.x[2 * i + 1]);
    }
  }
  regulariserGradient(_t: Float64Array, out: Float64Array): void {
    out.fill(0);
  }
  hessian(_t: Float64Array, out: Float64Array): void {
    out.set([this.a, 0, 0, this.a]);
  }
  randomInit(out: Float64Array, normal: () => number): void {
    out[0] = normal();
    out[1] = normal();
  }
}

export class ToySampler implements Sampler<null> {
  batchSize = 2;
  stepsPerEpoch = 4;
  private M = 8;
  configure(_p: ParamsOf<typeof toySamplerInfo>, M: number): void {
    this.M = M;
  }
  init(): null {
    return null;
  }
  next(_s: null, rng: Rng, out: Int32Array): void {
    out[0] = rng.nextInt(this.M);
    do out[1] = rng.nextInt(this.M);
    while (out[1] === out[0]);
  }
}

export class ToySgd implements Optimizer<{ grad: Float64Array }> {
  scalarNames = ['batchLoss'];
  private eta = 0.1;
  private landscape!: Landscape;
  private sampler!: Sampler;
  configure(p: ParamsOf<typeof toySgdInfo>, l: Landscape, s: Sampler): void {
    this.eta = p.eta;
    this.landscape = l;
    this.sampler = s;
  }
  createState(): { grad: Float64Array } {
    return { grad: new Float64Array(2) };
  }
  step(chain: Chain<unknown, { grad: Float64Array }>, scalars: Float64Array): void {
    const g = chain.state.grad;
    this.sampler.next(chain.samplerState, chain.rng, chain.batch);
    this.landscape.minibatchGradient(chain.theta, chain.batch, 2, g);
    chain.theta[0] -= this.eta * g[0];
    chain.theta[1] -= this.eta * g[1];
    scalars[0] = g[0];
  }
}

/** Keeps every state and scalar of every chain (copied), in chain then step order. */
export class TrajectoryObserver implements Observer<{ chains: number[][] }, number[][]> {
  configure(): void {}
  attach(frames: Observable<Frame>) {
    return frames.pipe(
      reduce((acc: Map<number, number[]>, f: Frame) => {
        for (let c = 0; c < f.chains; c++) {
          const row = acc.get(f.chainStart + c) ?? [];
          for (let s = 0; s < f.steps; s++) {
            for (let a = 0; a < f.dim; a++) row.push(f.theta[(c * f.blockSize + s) * f.dim + a]);
            row.push(f.scalars.batchLoss[c * f.blockSize + s]);
          }
          acc.set(f.chainStart + c, row);
        }
        return acc;
      }, new Map()),
      map((acc) => ({ chains: [...acc.keys()].sort((a, b) => a - b).map((k) => acc.get(k)!) })),
    );
  }
  combine(parts: { chains: number[][] }[]) {
    return { chains: parts.flatMap((p) => p.chains) };
  }
  result(p: { chains: number[][] }) {
    return p.chains;
  }
}

export const toyModule = new ContainerModule((o) => {
  bindPlugin(o, ToyQuadratic, toyQuadraticInfo);
  bindPlugin(o, ToySampler, toySamplerInfo);
  bindPlugin(o, ToySgd, toySgdInfo);
  bindPlugin(o, TrajectoryObserver, trajectoryInfo);
});

export const toySpec = {
  seed: 11,
  landscape: { name: 'toy-quadratic' },
  sampler: { name: 'toy-wr' },
  optimizer: { name: 'toy-sgd', params: { eta: 0.1 } },
  observers: [{ name: 'trajectory' }],
  chains: 5,
  steps: 37,
  init: { kind: 'random' as const },
};
