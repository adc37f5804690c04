/** Numbers as a person reads them in an explanation: 4 significant digits, no exponent for the usual range. */
export function num(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e-4 && abs < 1e9) return String(Number(value.toPrecision(4)));
  return value.toExponential(3);
}

export function signed(value: number): string {
  return value > 0 ? `+${num(value)}` : num(value);
}

export function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(4))} %`;
}
