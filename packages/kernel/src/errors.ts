/** Bad input: names the offending field (`scenario.optimizer.params.eta`). CLI exit code 2. */
export class ScenarioError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ScenarioError';
  }
}

/** A chain left the finite numbers. CLI exit code 3. */
export class DivergenceError extends Error {
  constructor(readonly chain: number, readonly step: number, detail = 'θ is not finite') {
    super(`chain ${chain} diverged at step ${step}: ${detail}`);
    this.name = 'DivergenceError';
  }
}
