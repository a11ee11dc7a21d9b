/**
 * Exact decimal helpers for quantities. Quantities may have decimals (1.5 kg), money never does, so a
 * quantity is held as an integer count of millionths (XML `SLuong` allows 6 decimals) and every product
 * is computed in bigint before the one rounding step.
 */
export const QUANTITY_SCALE = 1_000_000n;
const QUANTITY_DECIMALS = 6;
/** `SLuong` is a (21,6) number: at most 15 digits before the point. */
const MAX_QUANTITY_INTEGER_DIGITS = 15;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** A positive decimal quantity, as scaled integer and as canonical text (no exponent, no trailing zeros). */
export interface Quantity {
  scaled: bigint;
  text: string;
}

/** Parses a positive quantity with at most 6 decimals, or undefined. */
export function parseQuantity(input: string | number): Quantity | undefined {
  let text: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return undefined;
    // String(0.1) is "0.1"; tiny or huge numbers come out with an exponent and are refused below.
    text = String(input);
  } else if (typeof input === "string") {
    text = input.trim();
  } else {
    return undefined;
  }
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const whole = (match[1] ?? "").replace(/^0+(?=\d)/, "");
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > QUANTITY_DECIMALS || whole.length > MAX_QUANTITY_INTEGER_DIGITS) return undefined;
  const scaled = BigInt(whole) * QUANTITY_SCALE + BigInt(fraction.padEnd(QUANTITY_DECIMALS, "0") || "0");
  if (scaled <= 0n) return undefined;
  return { scaled, text: fraction ? `${whole}.${fraction}` : whole };
}

/**
 * THE rounding rule of this package: round half up to a whole VND. Every amount is non-negative, so
 * "half up" and "half away from zero" agree; it is what Vietnamese invoicing software and the
 * providers' 1-VND tolerances assume (an exact .5 goes up).
 */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n)
    throw new RangeError("roundHalfUp expects a non-negative fraction");
  return (numerator * 2n + denominator) / (denominator * 2n);
}
