/** Comparisons of simulated covariances with theory that several scenarios share (docs/science.md §6). */
import { subscript, type ScatterPoint } from '@nesslab/report';

/** |Σ_sim − Σ_th| / √(Σ_th,ii Σ_th,jj) per element, and its maximum over the 28 independent ones (docs/science.md §6). */
export function scaledSigmaError(sim: number[][], th: number[][]): { rows: number[][]; max: number } {
  const rows = th.map((row, a) => row.map((t, b) => Math.abs(sim[a][b] - t) / Math.sqrt(th[a][a] * th[b][b])));
  return { rows, max: Math.max(...rows.flatMap((row, a) => row.slice(a))) };
}

/**
 * Σ elements (upper triangle) on the theory's √(Σ_ii Σ_jj) scale, labelled Σ₁₂ (Σ₁₀,₁₁ past 9), for a simulation-vs-theory
 * scatter; with the standard errors of the simulated elements, each point's on the same scale (its error bar).
 */
export function sigmaPoints(simulation: number[][], theory: number[][], stdError?: number[][]): ScatterPoint[] {
  const points: ScatterPoint[] = [],
    comma = theory.length > 9 ? ',' : '';
  for (let a = 0; a < theory.length; a++) {
    for (let b = a; b < theory.length; b++) {
      const scale = Math.sqrt(theory[a][a] * theory[b][b]);
      points.push({
        theory: theory[a][b] / scale,
        simulation: simulation[a][b] / scale,
        label: `Σ${subscript(a + 1)}${comma}${subscript(b + 1)}`,
        group: a === b ? 'diagonal' : 'off-diagonal',
        ...(stdError ? { stdError: stdError[a][b] / scale } : {}),
      });
    }
  }
  return points;
}

/** Spearman's rank correlation (no ties expected: continuous data). */
export function spearman(x: number[], y: number[]): number {
  const rank = (v: number[]) => {
    const r = new Array<number>(v.length);
    v.map((x, i) => [x, i] as const)
      .sort((a, b) => a[0] - b[0])
      .forEach(([, i], k) => {
        r[i] = k;
      });
    return r;
  };
  const rx = rank(x),
    ry = rank(y),
    n = x.length;
  const d2 = rx.reduce((s, r, i) => s + (r - ry[i]) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}
