// What the live page shows, as one small JSON state: each sub-simulation's progress and ETA, a chart per observer value
// (`Observer.live`, one point each time more chains have finished) with its theory line where the scenario gives one,
// the claims once decided, and whether the run is over.
import type { Claim } from '@nesslab/kernel';

/** How a run tells the live view what happens (scenarios' runResolved calls it). */
export interface LiveSink {
  /** Every sub-simulation the run will step, in order, before the first starts (the overall progress counts them all). */
  plan?(simulations: readonly { label: string; total: number }[]): void;
  /** A sub-simulation (by its label) starts: `total` chain-steps; `theory` lines by observer and value name. */
  simulation(label: string, total: number, theory?: Record<string, Record<string, number>>): void;
  progress(label: string, done: number, total: number): void;
  /** Observer values merged over the first `chains` of `total` chains. */
  values(
    label: string,
    update: { chains: number; total: number; values: Record<string, Record<string, number>>; ms?: number },
  ): void;
  claims(claims: readonly Claim[]): void;
}

export interface LiveSimulation {
  label: string;
  done: number;
  total: number;
  /** Seconds since the simulation started; and the estimated seconds left (null until there is a rate). */
  elapsed: number;
  eta: number | null;
  finished: boolean;
  /** Planned, not started yet. */
  waiting: boolean;
}

export interface LiveChart {
  id: string;
  simulation: string;
  observer: string;
  name: string;
  /** [chains finished, value] */
  points: [number, number][];
  chains: number;
  theory?: number;
}

export interface LiveState {
  title: string;
  status: 'running' | 'done' | 'failed';
  /** Over all simulations: chain-steps done / planned so far. */
  progress: number;
  simulations: LiveSimulation[];
  charts: LiveChart[];
  claims: Claim[] | null;
  /** Where the report is, once the run is over. */
  report?: string;
  error?: string;
  /** Bumped on every change. */
  version: number;
}

/** Collects what a run reports into a LiveState; `onChange` is called (synchronously) after each change. */
export class LiveBoard implements LiveSink {
  private readonly sims = new Map<string, { done: number; total: number; started?: number; updated: number }>();
  private readonly theory = new Map<string, Record<string, Record<string, number>>>();
  private readonly charts = new Map<string, LiveChart>();
  private claimList: Claim[] | null = null;
  status: LiveState['status'] = 'running';
  /** Milliseconds of main-thread work the live view has cost the run: merges, observers' `live`, sending the state. */
  cost = 0;
  report?: string;
  error?: string;
  version = 0;

  constructor(
    readonly title: string,
    private readonly onChange: () => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  private changed(): void {
    this.version++;
    this.onChange();
  }

  plan(simulations: readonly { label: string; total: number }[]): void {
    for (const { label, total } of simulations)
      if (!this.sims.has(label)) this.sims.set(label, { done: 0, total, updated: this.now() });
    this.changed();
  }

  simulation(label: string, total: number, theory?: Record<string, Record<string, number>>): void {
    const t = this.now();
    this.sims.set(label, { done: 0, total, started: t, updated: t });
    if (theory) this.theory.set(label, theory);
    this.changed();
  }

  progress(label: string, done: number, total: number): void {
    const s = this.sims.get(label);
    if (!s) this.sims.set(label, { done, total, started: this.now(), updated: this.now() });
    else Object.assign(s, { done, total, updated: this.now(), started: s.started ?? this.now() });
    this.changed();
  }

  values(
    label: string,
    update: { chains: number; total: number; values: Record<string, Record<string, number>>; ms?: number },
  ): void {
    this.cost += update.ms ?? 0;
    for (const [observer, values] of Object.entries(update.values)) {
      for (const [name, value] of Object.entries(values)) {
        const id = `${label} · ${observer} · ${name}`;
        let chart = this.charts.get(id);
        if (!chart) {
          const theory = this.theory.get(label)?.[observer]?.[name];
          chart = { id, simulation: label, observer, name, points: [], chains: update.total };
          if (theory !== undefined && Number.isFinite(theory)) chart.theory = theory;
          this.charts.set(id, chart);
        }
        const last = chart.points[chart.points.length - 1];
        if (last && last[0] === update.chains) last[1] = value;
        else chart.points.push([update.chains, value]);
      }
    }
    this.changed();
  }

  claims(claims: readonly Claim[]): void {
    this.claimList = [...claims];
    this.changed();
  }

  finish(report: string | undefined, error?: string): void {
    this.status = error === undefined ? 'done' : 'failed';
    if (report !== undefined) this.report = report;
    if (error !== undefined) this.error = error;
    for (const s of this.sims.values()) s.done = error === undefined ? s.total : s.done;
    this.changed();
  }

  state(): LiveState {
    const t = this.now();
    let done = 0,
      total = 0;
    const simulations = [...this.sims].map(([label, s]) => {
      done += s.done;
      total += s.total;
      const started = s.started ?? t,
        elapsed = (t - started) / 1000,
        rate = s.done / Math.max(1e-9, (s.updated - started) / 1000);
      const finished = s.done >= s.total;
      return {
        label,
        done: s.done,
        total: s.total,
        elapsed,
        eta: finished ? 0 : s.done > 0 && rate > 0 ? (s.total - s.done) / rate : null,
        finished,
        waiting: s.started === undefined,
      };
    });
    return {
      title: this.title,
      status: this.status,
      progress: total > 0 ? done / total : 0,
      simulations,
      charts: [...this.charts.values()],
      claims: this.claimList,
      ...(this.report !== undefined ? { report: this.report } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
      version: this.version,
    };
  }
}
