/**
 * Kayenta's `Precision.round(x, 2)`: `new BigDecimal(Double.toString(x)).setScale(2, HALF_UP)`, i.e.
 * half-up on the shortest decimal that prints the double (1.005 -> 1.01, 2.675 -> 2.68), where
 * `Math.round(x * 100) / 100` gives 1 and 2.67.
 */
export function roundHalfUp(value: number, scale: number): number {
  if (!Number.isFinite(value)) return value;
  const text = String(value);
  if (text.includes('e')) return text.includes('e-') ? 0 : value;
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  if (fraction.length <= scale) return value;
  const kept = `${whole}${fraction.slice(0, scale)}`;
  const digits = fraction.charCodeAt(scale) >= '5'.charCodeAt(0) ? (BigInt(kept) + 1n).toString() : kept;
  const padded = digits.padStart(scale + 1, '0');
  const result = Number(`${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`);
  return negative && result !== 0 ? -result : result;
}
