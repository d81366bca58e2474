// defineScenario: a packaged scenario's metadata, plan, analysis and figures, with its params typed from their specs
// and its claims built from their ids (each statement written once, in `claims`).
import type { TopLevelSpec } from '@nesslab/report';
import type {
  Claim,
  ParamSpec,
  ParamValue,
  Preset,
  ScenarioAnalysis,
  ScenarioContext,
  ScenarioDefinition,
  ScenarioPlan,
  SimulationOutcome,
} from '@nesslab/kernel';

/** A scenario's resolved parameters, typed from their specs (numbers, strings, enums, booleans, arrays). */
export type ScenarioParams<P extends Readonly<Record<string, ParamSpec>>> = {
  readonly [K in keyof P]: ParamValue<P[K]>;
};

/** How a claim decides: within ±tolerance of expected, within a factor of it, at most / at least a bound, or as computed. */
export type ClaimTest =
  | { expected: number; tolerance: number }
  | { expected: number; factor: number }
  | { atMost: number }
  | { atLeast: number }
  | { expected: number | string; tolerance: number | string; holds: boolean };

/** Builds the claim `id` (its statement from the scenario's `claims`) from what was measured and how it is judged. */
export type ClaimBuilder<Id extends string> = (id: Id, measured: number | string, test: ClaimTest) => Claim;

/** What `analyse` gets beside the params, outcomes and plan: the context, and `claim` bound to the scenario's claims. */
export interface AnalyseTools<Id extends PropertyKey = string> {
  ctx: ScenarioContext;
  claim: ClaimBuilder<Extract<Id, string>>;
}

export interface ScenarioSource<
  P extends Readonly<Record<string, ParamSpec>>,
  C extends Readonly<Record<string, string>>,
  S extends ScenarioPlan,
  A extends ScenarioAnalysis,
> {
  name: string;
  title: string;
  reproduces: string;
  params: P;
  presets: Readonly<Record<Preset, Partial<{ [K in keyof P]: ParamValue<P[K]> }>>>;
  claims: C;
  plan(params: ScenarioParams<P>, ctx: ScenarioContext): S | Promise<S>;
  analyse(
    params: ScenarioParams<P>,
    outcomes: readonly SimulationOutcome[],
    plan: S,
    tools: AnalyseTools<keyof C>,
  ): A | Promise<A>;
  /** Vega-Lite specs by file name (plots/<name>.svg). */
  figures?(
    params: ScenarioParams<P>,
    analysis: A,
    plan: S,
    outcomes: readonly SimulationOutcome[],
  ): Record<string, TopLevelSpec>;
}

/** The judgement of a claim test: the expected and tolerance shown, and whether it holds. NaN never holds. */
export function judge(measured: number | string, test: ClaimTest): Pick<Claim, 'expected' | 'tolerance' | 'holds'> {
  if ('holds' in test) return { expected: test.expected, tolerance: test.tolerance, holds: test.holds };
  const m = typeof measured === 'number' ? measured : Number.NaN;
  if ('atMost' in test) return { expected: `≤ ${test.atMost}`, tolerance: 0, holds: m <= test.atMost };
  if ('atLeast' in test) return { expected: `≥ ${test.atLeast}`, tolerance: 0, holds: m >= test.atLeast };
  if ('factor' in test)
    return {
      expected: test.expected,
      tolerance: `×${test.factor}`,
      holds: m / test.expected <= test.factor && test.expected / m <= test.factor,
    };
  return { expected: test.expected, tolerance: test.tolerance, holds: Math.abs(m - test.expected) <= test.tolerance };
}

/**
 * Declares a packaged scenario: checks its metadata once at import time (kebab-case name, every preset key a
 * param, every default and preset value within its spec), and returns the definition that scenario packages bind
 * under the kernel's `ScenarioDefinition` token.
 */
export function defineScenario<
  const P extends Readonly<Record<string, ParamSpec>>,
  const C extends Readonly<Record<string, string>>,
  S extends ScenarioPlan,
  A extends ScenarioAnalysis,
>(source: ScenarioSource<P, C, S, A>): ScenarioDefinition<ScenarioParams<P>, S, A> {
  const where = `scenario "${source.name}"`;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(source.name)) throw new Error(`${where}: the name must be kebab-case`);
  for (const preset of ['quick', 'full'] as const) {
    for (const key of Object.keys(source.presets[preset] ?? {}))
      if (!Object.hasOwn(source.params, key))
        throw new Error(`${where}: preset ${preset} sets "${key}", which is not a param`);
  }
  const claim: ClaimBuilder<Extract<keyof C, string>> = (id, measured, test) => {
    if (!Object.hasOwn(source.claims, id)) throw new Error(`${where}: unknown claim "${id}"`);
    return { id, statement: source.claims[id]!, measured, ...judge(measured, test) };
  };
  return {
    name: source.name,
    title: source.title,
    reproduces: source.reproduces,
    params: source.params,
    presets: source.presets as ScenarioDefinition['presets'],
    claims: source.claims,
    plan: (params, ctx) => source.plan(params, ctx),
    analyse: (params, outcomes, plan, ctx) => source.analyse(params, outcomes, plan, { ctx, claim }),
    ...(source.figures ? { figures: source.figures.bind(source) } : {}),
  };
}
