// Vitest setup for every package: an error thrown inside a final subscribe callback must fail the test, not vanish.
import { config } from 'rxjs';
config.onUnhandledError = (err) => {
  throw err;
};
