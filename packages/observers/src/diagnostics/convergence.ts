// Convergence diagnostics of one scalar quantity over an ensemble of chains, from the published formulas:
// rank-normalised split-R̂ and bulk-/tail-ESS (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021, "Rank-normalization,
// folding, and localization: an improved R̂ for assessing convergence of MCMC", Bayesian Analysis 16(2) 667–718), and
// nested R̂ (Margossian, Hoffman, Sountsov, Riou-Durand, Vehtari & Gelman 2024, "Nested R̂: assessing the convergence
// of Markov chain Monte Carlo when running many short chains", Bayesian Analysis). Where the paper leaves a detail to
// code (where Geyer's sequence stops, odd chain lengths, ties) this follows the authors' R package `posterior`
// (R/convergence.R, R/nested_rhat.R). Draws are chain-major, x[c·n + t]; the work arrays are made once per shape.

/** Two values closer than this are one constant (posterior's `is_constant`, tolerance .Machine$double.eps). */
const CONSTANT = 2 ** -52;

// Wichura's AS 241 (PPND16) coefficients, highest power first: numerator and denominator for |p − ½| ≤ 0.425 (in
// r = 0.180625 − (p − ½)²), then for r = √(−log min(p, 1 − p)) − 1.6 ≤ 3.4, then beyond.
const CENTRAL = [
  [
    2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457, 13731.693765509461125,
    1971.5909503065514427, 133.14166789178437745, 3.387132872796366608,
  ],
  [
    5226.495278852854561, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867, 5394.1960214247511077,
    687.1870074920579083, 42.313330701600911252, 1,
  ],
] as const;
const NEAR = [
  [
    7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177, 1.27045825245236838258,
    3.64784832476320460504, 5.7694972214606914055, 4.6303378461565452959, 1.42343711074968357734,
  ],
  [
    1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966, 0.14810397642748007459,
    0.68976733498510000455, 1.6763848301838038494, 2.05319162663775882187, 1,
  ],
] as const;
const FAR = [
  [
    2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386, 0.026532189526576123093,
    0.29656057182850489123, 1.7848265399172913358, 5.4637849111641143699, 6.6579046435011037772,
  ],
  [
    2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5, 7.868691311456132591e-4,
    0.0148753612908506148525, 0.13692988092273580531, 0.59983220655588793769, 1,
  ],
] as const;

/** Σ_k c_k r^(7−k) by Horner's rule, the coefficients highest power first. */
function horner(c: readonly number[], r: number): number {
  let s = c[0];
  for (let k = 1; k < c.length; k++) s = s * r + c[k];
  return s;
}

/** Φ⁻¹(p), the standard normal quantile: Wichura's AS 241 (PPND16), Appl. Statist. 37 (1988) 477–484, ≈ 1e-16 relative. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * horner(CENTRAL[0], r)) / horner(CENTRAL[1], r);
  }
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p)),
    [num, den] = r <= 5 ? NEAR : FAR,
    s = r <= 5 ? r - 1.6 : r - 5,
    z = horner(num, s) / horner(den, s);
  return q < 0 ? -z : z;
}

/** True when every value is finite and they are not all equal (posterior's `should_return_NA` is the opposite). */
function usable(x: Float64Array, length: number): boolean {
  let min = Infinity,
    max = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) return false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min >= CONSTANT;
}

/**
 * Split chains (Vehtari et al. 2021): each chain's first ⌊n/2⌋ draws, then its last ⌊n/2⌋ (the middle draw of
 * an odd n is left out), as posterior's split_chains orders them: out[j·h + t], the first halves of chains 0 … C − 1
 * as chains 0 … C − 1, their second halves as chains C … 2C − 1.
 */
export function splitChains(x: Float64Array, chains: number, n: number, out: Float64Array): void {
  const h = Math.floor(n / 2);
  for (let c = 0; c < chains; c++)
    for (let t = 0; t < h; t++) {
      out[c * h + t] = x[c * n + t];
      out[(chains + c) * h + t] = x[c * n + n - h + t];
    }
}

/**
 * Rank normalisation (Vehtari et al. 2021, §4): z_i = Φ⁻¹((r_i − 3/8)/(S − 2·3/8 + 1)) with r_i the rank of x_i
 * among all S values pooled over the chains, ties given their average rank (Blom's fractional offset 3/8).
 */
export function rankNormalise(x: Float64Array, S: number, out: Float64Array, order: Uint32Array): void {
  for (let i = 0; i < S; i++) order[i] = i;
  order.subarray(0, S).sort((a, b) => x[a] - x[b] || a - b);
  for (let i = 0; i < S;) {
    let j = i;
    while (j + 1 < S && x[order[j + 1]] === x[order[i]]) j++;
    const u = ((i + 1 + j + 1) / 2 - 3 / 8) / (S + 1 / 4); // the average rank of the tie run i … j (ranks from 1)
    const z = normalQuantile(u);
    for (let k = i; k <= j; k++) out[order[k]] = z;
    i = j + 1;
  }
}

/**
 * R̂ of C chains of n draws (Vehtari et al. 2021, after Gelman et al.'s BDA3): B = n/(C − 1) Σ_c (x̄_c − x̄)²,
 * W = (1/C) Σ_c s_c² with s_c² = 1/(n − 1) Σ_t (x_ct − x̄_c)², var⁺ = (n − 1)/n W + B/n, R̂ = √(var⁺/W). NaN when the
 * values are all equal or not all finite, or with fewer than two chains or draws.
 */
export function potentialScaleReduction(x: Float64Array, chains: number, n: number): number {
  if (chains < 2 || n < 2 || !usable(x, chains * n)) return NaN;
  let meanOfMeans = 0,
    within = 0;
  for (let c = 0; c < chains; c++) meanOfMeans += chainMean(x, c, n);
  meanOfMeans /= chains;
  let between = 0;
  for (let c = 0; c < chains; c++) {
    const m = chainMean(x, c, n),
      d = m - meanOfMeans;
    between += d * d;
    within += chainVariance(x, c, n, m);
  }
  between = (n * between) / (chains - 1);
  within /= chains;
  return Math.sqrt((between / within + n - 1) / n);
}

function chainMean(x: Float64Array, c: number, n: number): number {
  let s = 0;
  for (let t = 0; t < n; t++) s += x[c * n + t];
  return s / n;
}

/** s_c² = 1/(n − 1) Σ_t (x_ct − x̄_c)². */
function chainVariance(x: Float64Array, c: number, n: number, mean: number): number {
  let s = 0;
  for (let t = 0; t < n; t++) {
    const d = x[c * n + t] - mean;
    s += d * d;
  }
  return s / (n - 1);
}

/**
 * Effective sample size of C chains of n draws (Vehtari et al. 2021 §3.2, Eq. 10–11, as posterior's `.ess`):
 * ρ̂_t = 1 − (W − (1/C) Σ_c γ̂_{c,t}) / var⁺ with γ̂_{c,t} = (1/n) Σ_{k<n−t} (x_{c,k} − x̄_c)(x_{c,k+t} − x̄_c) (Geyer's
 * biased autocovariance), W and var⁺ as for R̂, ρ̂₀ = 1; Geyer's initial positive sequence (pairs P̂_k = ρ̂_{2k} + ρ̂_{2k+1}
 * summed while positive; a next pair is read while its even lag stays below n − 3), made monotone (a pair larger than the
 * one before takes its value),
 * τ̂ = −1 + 2 Σ_{t<T} ρ̂_t + ρ̂_T with T the last even lag read and ρ̂_T kept only if positive; S_eff = C n / τ̂, capped
 * at C n log₁₀(C n). NaN below three draws per chain, or for constant or non-finite values. Work arrays: `rho` (n
 * numbers) and `means` (C).
 * (The paper writes s_c² ρ̂_{c,t} where posterior, Stan and ArviZ use γ̂_{c,t}: this follows the code. With T = 0 the
 * sum is empty, as in ArviZ; posterior's 1:0 reads ρ̂₀ there.)
 */
export function effectiveSampleSize(
  x: Float64Array,
  chains: number,
  n: number,
  rho: Float64Array,
  means: Float64Array,
): number {
  if (n < 3 || chains < 1 || !usable(x, chains * n)) return NaN;
  let meanOfMeans = 0;
  for (let c = 0; c < chains; c++) meanOfMeans += means[c] = chainMean(x, c, n);
  meanOfMeans /= chains;
  let spread = 0;
  for (let c = 0; c < chains; c++) {
    const d = means[c] - meanOfMeans;
    spread += d * d;
  }
  /** (1/C) Σ_c γ̂_{c,lag}. */
  const autocovariance = (lag: number): number => {
    let total = 0;
    for (let c = 0; c < chains; c++) {
      const m = means[c];
      let s = 0;
      for (let k = c * n, end = c * n + n - lag; k < end; k++) s += (x[k] - m) * (x[k + lag] - m);
      total += s / n;
    }
    return total / chains;
  };
  const meanVar = (autocovariance(0) * n) / (n - 1); // W
  let varPlus = (meanVar * (n - 1)) / n;
  if (chains > 1) varPlus += spread / (chains - 1);
  rho.fill(0, 0, n);
  let even = 1,
    odd = 1 - (meanVar - autocovariance(1)) / varPlus,
    t = 0;
  rho[0] = even;
  rho[1] = odd;
  while (t < n - 5 && even + odd > 0) {
    t += 2;
    even = 1 - (meanVar - autocovariance(t)) / varPlus;
    odd = 1 - (meanVar - autocovariance(t + 1)) / varPlus;
    if (even + odd >= 0) {
      rho[t] = even;
      rho[t + 1] = odd;
    }
  }
  const last = t;
  if (even > 0) rho[last] = even;
  for (let k = 2; k <= last - 2; k += 2) {
    if (rho[k] + rho[k + 1] > rho[k - 2] + rho[k - 1]) rho[k] = rho[k + 1] = (rho[k - 2] + rho[k - 1]) / 2;
  }
  let sum = 0;
  for (let k = 0; k < last; k++) sum += rho[k];
  const draws = chains * n,
    tau = Math.max(-1 + 2 * sum + rho[last], 1 / Math.log10(draws));
  return draws / tau;
}

/** The p-quantile of `sorted` (ascending, S values), R's type 7: (1 − h)·x₍ⱼ₎ + h·x₍ⱼ₊₁₎ at j + h = (S − 1)p. */
export function quantileType7(sorted: Float64Array, S: number, p: number): number {
  const at = (S - 1) * p,
    j = Math.floor(at),
    h = at - j;
  return h > 0 && j + 1 < S ? (1 - h) * sorted[j] + h * sorted[j + 1] : sorted[j];
}

/** The median of `sorted` (ascending, S values): the middle value, or the mean of the two middle ones. */
export function median(sorted: Float64Array, S: number): number {
  const half = S >> 1;
  return S % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}

/**
 * Nested R̂ (Margossian et al. 2024, Eq. 4–8) of K superchains of M chains of n draws, superchain k holding chains
 * k·M … k·M + M − 1: with chain means x̄_{mk}, superchain means x̄_k = (1/M) Σ_m x̄_{mk} (Eq. 4) and x̄ = (1/K) Σ_k x̄_k,
 * B̂_ν = 1/(K − 1) Σ_k (x̄_k − x̄)² (Eq. 6); B̃_k = 1/(M − 1) Σ_m (x̄_{mk} − x̄_k)² (0 when M = 1) and
 * W̃_k = (1/M) Σ_m s_{mk}² with s² = 1/(n − 1) Σ_t (x_{tmk} − x̄_{mk})² (0 when n = 1), Ŵ_ν = (1/K) Σ_k (B̃_k + W̃_k) (Eq. 7);
 * R̂_ν = √(1 + B̂_ν/Ŵ_ν) (Eq. 8). Raw draws: neither split nor rank-normalised, as the paper and posterior's
 * rhat_nested define it. NaN below two superchains, or for constant or non-finite values.
 */
export function nestedRhat(x: Float64Array, superchains: number, perSuperchain: number, n: number): number {
  const K = superchains,
    M = perSuperchain;
  if (K < 2 || M < 1 || n < 1 || !usable(x, K * M * n)) return NaN;
  let overall = 0;
  for (let k = 0; k < K; k++) overall += superchainMean(x, k, M, n);
  overall /= K;
  let between = 0,
    within = 0;
  for (let k = 0; k < K; k++) {
    const mk = superchainMean(x, k, M, n),
      d = mk - overall;
    between += d * d;
    let chainSpread = 0,
      chainVar = 0;
    for (let m = 0; m < M; m++) {
      const c = k * M + m,
        mean = chainMean(x, c, n),
        e = mean - mk;
      chainSpread += e * e;
      if (n > 1) chainVar += chainVariance(x, c, n, mean);
    }
    within += (M > 1 ? chainSpread / (M - 1) : 0) + chainVar / M;
  }
  between /= K - 1;
  within /= K;
  return Math.sqrt(1 + between / within);
}

function superchainMean(x: Float64Array, k: number, M: number, n: number): number {
  let s = 0;
  for (let m = 0; m < M; m++) s += chainMean(x, k * M + m, n);
  return s / M;
}

/** One coordinate's diagnostics. */
export interface CoordinateDiagnostics {
  /** max(R̂_bulk, R̂_tail) (Vehtari et al. 2021, §4). */
  rhat: number;
  /** Rank-normalised split-R̂. */
  rhatBulk: number;
  /** Rank-normalised split-R̂ of the draws folded about their median, |x − median(x)|. */
  rhatTail: number;
  /** ESS of the rank-normalised split chains. */
  essBulk: number;
  /** min of the ESS of the split chains' indicators x ≤ q̂₀.₀₅ and x ≤ q̂₀.₉₅ (§4). */
  essTail: number;
  /** Nested R̂ of the raw draws (Margossian et al. 2024). */
  nestedRhat: number;
}

/**
 * The work arrays for C chains of n draws each, made once and used for every coordinate: `of(x)` reads x[c·n + t].
 * Superchains: K of M consecutive chains (chains K·M … C − 1 are left out of nested R̂ only).
 */
export class EnsembleDiagnostics {
  private readonly half: number;
  private readonly sorted: Float64Array;
  private readonly split: Float64Array;
  private readonly work: Float64Array;
  private readonly z: Float64Array;
  private readonly order: Uint32Array;
  private readonly rho: Float64Array;
  private readonly means: Float64Array;

  constructor(
    readonly chains: number,
    readonly n: number,
    readonly superchains: number,
    readonly perSuperchain: number,
  ) {
    this.half = Math.floor(n / 2);
    const S2 = 2 * chains * this.half;
    this.sorted = new Float64Array(chains * n);
    this.work = new Float64Array(chains * n);
    this.split = new Float64Array(S2);
    this.z = new Float64Array(S2);
    this.order = new Uint32Array(S2);
    this.rho = new Float64Array(Math.max(2, this.half));
    this.means = new Float64Array(2 * chains);
  }

  /** Doubles (and 4-byte indices) the work arrays hold, for memoryBytes. */
  static bytes(chains: number, n: number): number {
    const h = Math.floor(n / 2);
    return 8 * (2 * chains * n + 4 * chains * h + Math.max(2, h) + 2 * chains) + 4 * 2 * chains * h;
  }

  of(x: Float64Array): CoordinateDiagnostics {
    const { chains: C, n, half: h, sorted, split, work, z, order, rho, means } = this,
      S = C * n,
      S2 = 2 * C * h,
      nested = nestedRhat(x, this.superchains, this.perSuperchain, n);
    if (h < 2 || !usable(x, S))
      return { rhat: NaN, rhatBulk: NaN, rhatTail: NaN, essBulk: NaN, essTail: NaN, nestedRhat: nested };
    sorted.set(x.subarray(0, S));
    sorted.subarray(0, S).sort();
    // Bulk: rank-normalised split chains.
    splitChains(x, C, n, split);
    rankNormalise(split, S2, z, order);
    const rhatBulk = potentialScaleReduction(z, 2 * C, h),
      essBulk = effectiveSampleSize(z, 2 * C, h, rho, means);
    // Tail: the draws folded about their median (over all draws, before the split), then as the bulk.
    const med = median(sorted, S);
    for (let i = 0; i < S; i++) work[i] = Math.abs(x[i] - med);
    splitChains(work, C, n, split);
    rankNormalise(split, S2, z, order);
    const rhatTail = potentialScaleReduction(z, 2 * C, h);
    // Tail-ESS: the indicators of the 5 % and 95 % quantiles (over all draws), split.
    let essTail = Infinity;
    for (const p of [0.05, 0.95]) {
      const q = quantileType7(sorted, S, p);
      for (let i = 0; i < S; i++) work[i] = x[i] <= q ? 1 : 0;
      splitChains(work, C, n, split);
      essTail = Math.min(essTail, effectiveSampleSize(split, 2 * C, h, rho, means));
    }
    return { rhat: Math.max(rhatBulk, rhatTail), rhatBulk, rhatTail, essBulk, essTail, nestedRhat: nested };
  }
}
