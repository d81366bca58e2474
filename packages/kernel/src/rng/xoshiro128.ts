import type { Rng } from '../contracts/rng.ts';

const TWO32 = 4294967296;
const TWO53_INV = 1 / 9007199254740992;
// Jump polynomial of xoshiro128**: one jump = 2^64 calls of nextU32 (Blackman & Vigna).
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];

/**
 * xoshiro128** (period 2^128 − 1), 32-bit arithmetic only, state in four integer fields.
 * Chain streams are 2^64 apart: `streams(seed, first, count)` gives chain k the state jumped k times.
 */
export class Xoshiro128 implements Rng {
  private spare = 0;
  private hasSpare = false;
  constructor(
    private s0: number,
    private s1: number,
    private s2: number,
    private s3: number,
  ) {
    if ((s0 | s1 | s2 | s3) === 0) throw new Error('xoshiro128: all-zero state');
  }

  static fromSeed(seed: number): Xoshiro128 {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    const out = splitmix64Words(BigInt(seed), 4);
    return new Xoshiro128(out[0], out[1], out[2], out[3]);
  }

  nextU32(): number {
    const s0 = this.s0,
      s1 = this.s1,
      s2 = this.s2 ^ s0,
      s3 = this.s3 ^ s1;
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    this.s0 = s0 ^ s3;
    this.s1 = s1 ^ s2;
    this.s2 = s2 ^ (s1 << 9);
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  nextDouble(): number {
    const hi = this.nextU32() >>> 5,
      lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) * TWO53_INV;
  }

  nextInt(n: number): number {
    // Lemire's multiply-and-reject; x·n < 2^53 is exact in a double for n ≤ 2^21.
    let m = this.nextU32() * n;
    let low = m % TWO32;
    if (low < n) {
      const threshold = (TWO32 - n) % n;
      while (low < threshold) {
        m = this.nextU32() * n;
        low = m % TWO32;
      }
    }
    return Math.floor(m / TWO32);
  }

  nextNormal(): number {
    // Marsaglia's polar method; the second variate is kept as part of the state.
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.nextDouble() - 1;
      v = 2 * this.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /** Advances by 2^64 calls (independent, non-overlapping sub-streams). */
  jump(): void {
    let t0 = 0,
      t1 = 0,
      t2 = 0,
      t3 = 0;
    for (let i = 0; i < 4; i++) {
      for (let b = 0; b < 32; b++) {
        if (JUMP[i] & (1 << b)) {
          t0 ^= this.s0;
          t1 ^= this.s1;
          t2 ^= this.s2;
          t3 ^= this.s3;
        }
        this.nextU32();
      }
    }
    this.s0 = t0;
    this.s1 = t1;
    this.s2 = t2;
    this.s3 = t3;
    this.hasSpare = false;
  }

  clone(): Xoshiro128 {
    const c = new Xoshiro128(this.s0, this.s1, this.s2, this.s3);
    c.spare = this.spare;
    c.hasSpare = this.hasSpare;
    return c;
  }

  /** Writes the four state words into out[at … at + 3] (allocation-free; a fused block runner's copy). */
  saveState(out: Int32Array, at: number): void {
    out[at] = this.s0;
    out[at + 1] = this.s1;
    out[at + 2] = this.s2;
    out[at + 3] = this.s3;
  }

  /** Sets the four state words from src[at … at + 3], as `saveState` wrote them; the spare normal is kept. */
  loadState(src: Int32Array, at: number): void {
    if ((src[at] | src[at + 1] | src[at + 2] | src[at + 3]) === 0) throw new Error('xoshiro128: all-zero state');
    this.s0 = src[at];
    this.s1 = src[at + 1];
    this.s2 = src[at + 2];
    this.s3 = src[at + 3];
  }

  /** The state as four unsigned words (for hashing and tests). */
  state(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }
}

/** The random streams of chains first … first + count − 1 of a run seeded with `seed`. */
export function chainStreams(seed: number, first: number, count: number): Xoshiro128[] {
  const base = Xoshiro128.fromSeed(seed);
  for (let k = 0; k < first; k++) base.jump();
  const out: Xoshiro128[] = [];
  for (let k = 0; k < count; k++) {
    out.push(base.clone());
    base.jump();
  }
  return out;
}

/** SplitMix64 output, as 32-bit words, for seeding (Vigna's recommended seeder). */
function splitmix64Words(seed: bigint, words: number): number[] {
  const mask = (1n << 64n) - 1n;
  let x = seed & mask;
  const out: number[] = [];
  while (out.length < words) {
    x = (x + 0x9e3779b97f4a7c15n) & mask;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    z = z ^ (z >> 31n);
    out.push(Number(z & 0xffffffffn), Number(z >> 32n));
  }
  return out.slice(0, words);
}
