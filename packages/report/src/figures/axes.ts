// Number formatting and axes shared by the figures: superscript powers of ten, linear axes with a factored-out
// power of ten, log axes at whole decades.

export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const SUPERSCRIPT: Record<string, string> = {
  '-': '\u207b',
  '0': '\u2070',
  '1': '\u00b9',
  '2': '\u00b2',
  '3': '\u00b3',
  '4': '\u2074',
  '5': '\u2075',
  '6': '\u2076',
  '7': '\u2077',
  '8': '\u2078',
  '9': '\u2079',
};

/** "₁₂" for 12: an index as Unicode subscript digits (Σ₁₂, θ₆; DejaVu Sans has them all). */
export function subscript(k: number | string): string {
  return String(k).replace(/[-0-9]/g, (c) => (c === '-' ? '\u208b' : String.fromCharCode(0x2080 + Number(c))));
}

/** "10⁻³" for k = -3. */
export function powerOfTen(k: number): string {
  return '10' + String(k).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c]!);
}

function maxAbsOf(values: number[]): number {
  let m = 0;
  for (const v of values) if (isNum(v)) m = Math.max(m, Math.abs(v));
  return m;
}

export interface AxisScale {
  scale: Record<string, unknown>;
  axis: Record<string, unknown>;
}

/**
 * Scale + axis for a linear axis. When the values are tiny (|max| < 1e-3) or huge (≥ 1e5), the
 * common power of ten is factored out into the axis title ("Σ (×10⁻⁵)") and ticks read -1, 0, 1, …
 */
export function linearAxis(title: string, values: number[], scale: Record<string, unknown>): AxisScale {
  const maxAbs = maxAbsOf(values);
  if (maxAbs > 0 && (maxAbs < 1e-3 || maxAbs >= 1e5)) {
    const e = Math.floor(Math.log10(maxAbs));
    return {
      scale,
      axis: {
        title: `${title} (\u00d710${powerOfTen(e).slice(2)})`,
        labelExpr: `format(datum.value * ${10 ** -e}, '.4~g')`,
      },
    };
  }
  return { scale, axis: { title } };
}

/**
 * Scale + axis for a log axis: domain snapped to whole decades around the positive `values`, grid
 * lines and labels (10ⁿ) at decades only.
 */
export function logAxis(title: string, values: number[]): AxisScale {
  const pos = values.filter((v) => isNum(v) && v > 0);
  if (pos.length === 0) return { scale: { type: 'log' }, axis: { title } };
  let kmin = Math.floor(Math.log10(Math.min(...pos)) + 1e-9);
  let kmax = Math.ceil(Math.log10(Math.max(...pos)) - 1e-9);
  if (kmax <= kmin) kmax = kmin + 1;
  const step = Math.max(1, Math.ceil((kmax - kmin) / 8));
  kmin = Math.floor(kmin / step) * step;
  kmax = Math.ceil(kmax / step) * step;
  const ks: number[] = [];
  for (let k = kmin; k <= kmax; k += step) ks.push(k);
  const kExpr = 'round(log(datum.value) / LN10)';
  const labelExpr = ks.reduceRight(
    (acc, k) => `${kExpr} == ${k} ? '${powerOfTen(k)}' : ${acc}`,
    `format(datum.value, '.0e')`,
  );
  return {
    scale: { type: 'log', domain: [10 ** kmin, 10 ** kmax], nice: false },
    axis: { title, values: ks.map((k) => 10 ** k), labelExpr },
  };
}
