import { pointsAndLines, powerOfTen, type LineSeries, type PointSeries, type TopLevelSpec } from '@nesslab/report';
import type { LandscapeName, Method, Scored } from './entropy-estimators.ts';

/** What the plots read. */
export interface EstimatorRuns {
  eta: number;
  chains: number;
  exact: Record<LandscapeName, number>;
  estimates: Record<Method, Record<LandscapeName, Scored[]>>;
  /** The linear chain's limit of each method on a fine ℓ grid (per step). */
  curves: Record<LandscapeName, { ell: number[] } & Record<Method, number[]>>;
  /** ℓ of the length plots, and the steps per chain of the ℓ plots. */
  smallest: number;
  longest: Record<LandscapeName, number>;
}

const COLOR: Record<Method, string> = { tur: '#4c78a8', force: '#f58518' };
const NAME: Record<Method, string> = { tur: 'TUR, optimal linear current', force: 'force inference' };
/** Points of the two methods side by side on a log axis: TUR a little left, force a little right. */
const DODGE: Record<Method, number> = { tur: 0.93, force: 1.07 };
const TITLE: Record<LandscapeName, string> = {
  'tanh-regression': 'tanh regression (N = 7) at θ₀',
  'linearised-regression': 'linearised regression (N = 3)',
};
const METHODS: Method[] = ['tur', 'force'];

/** 1e-7 as 10⁻⁷, 2.5e-7 as 2.5×10⁻⁷. */
function tenPower(x: number): string {
  const k = Math.floor(Math.log10(x) + 1e-9),
    m = Number((x / 10 ** k).toPrecision(3));
  return m === 1 ? powerOfTen(k) : `${m}×${powerOfTen(k)}`;
}

/** One point series per method, in its colour, x dodged on the log axis, ±1 s.e. bars. */
function perMethod(
  rows: (m: Method) => Scored[],
  x: (s: Scored) => number,
  y: (s: Scored) => number,
  stdError: (s: Scored) => number,
): PointSeries[] {
  return METHODS.map((m) => ({
    name: NAME[m],
    x: rows(m).map((s) => x(s) * DODGE[m]),
    y: rows(m).map(y),
    stdError: rows(m).map(stdError),
    color: COLOR[m],
  }));
}

/** Per landscape: relative error vs trajectory length τ (smallest ℓ), and σ/Eq. 29 vs ℓ (longest run), ±1 s.e. */
export function estimatorPlots(r: EstimatorRuns): Record<string, TopLevelSpec> {
  const out: Record<string, TopLevelSpec> = {};
  for (const l of Object.keys(r.exact) as LandscapeName[]) {
    const exact = r.exact[l];
    const byLength = (m: Method) => r.estimates[m][l].filter((s) => s.segmentLength === r.smallest);
    const taus = METHODS.flatMap((m) => byLength(m).map((s) => s.steps));
    out[`length-${l}`] = pointsAndLines({
      title: `Entropy production from trajectories vs length, ${TITLE[l]}`,
      subtitle: [
        `WR SGD, η = ${tenPower(r.eta)}, m = 10, ${r.chains} chains; ℓ = ${r.smallest}; Eq. 29: σ = ${exact.toPrecision(3)} per step`,
        'bars: ±1 standard error (delete-one-chain jackknife)',
      ],
      xTitle: 'trajectory length τ (steps, all chains)',
      yTitle: 'σ estimate / Eq. 29 − 1',
      logX: true,
      points: perMethod(
        byLength,
        (s) => s.steps,
        (s) => s.relativeError,
        (s) => s.relativeStdError,
      ),
      lines: [
        { name: 'Eq. 29 (exact)', x: [Math.min(...taus) / 1.5, Math.max(...taus) * 1.5], y: [0, 0], color: 'black' },
      ],
    });
    const byEll = (m: Method) => r.estimates[m][l].filter((s) => s.stepsPerChain === r.longest[l]);
    const curve = r.curves[l];
    out[`segment-length-${l}`] = pointsAndLines({
      title: `Entropy production seen every ℓ steps, ${TITLE[l]}`,
      subtitle: [
        `WR SGD, η = ${tenPower(r.eta)}, ${r.chains} chains × ${tenPower(r.longest[l])} steps; bars: ±1 standard error`,
        'lines: each estimator’s limit on the linear chain (I − ηH₀ per step, Gaussian noise for the TUR)',
      ],
      xTitle: 'segment length ℓ (steps)',
      yTitle: 'σ estimate / Eq. 29',
      logX: true,
      points: perMethod(
        byEll,
        (s) => s.segmentLength,
        (s) => s.estimate / exact,
        (s) => s.stdError / exact,
      ),
      lines: [
        ...METHODS.map((m): LineSeries => ({
          name: `${m === 'tur' ? 'TUR' : 'force'}: linear chain`,
          x: curve.ell,
          y: curve[m].map((v) => v / exact),
          color: COLOR[m],
          dashed: true,
        })),
        { name: 'Eq. 29 (exact)', x: [curve.ell[0], curve.ell[curve.ell.length - 1]], y: [1, 1], color: 'black' },
      ],
    });
  }
  return out;
}
