/**
 * A calendar date in Vietnam (ICT, UTC+7, no daylight saving), written `YYYY-MM-DD`.
 *
 * Invoice dates (NLap), VAT periods and symbol years are calendar dates in Vietnam, not instants:
 * an order paid at 2026-12-31T18:00Z is dated 2027-01-01 on its invoice and so gets the 10% rate.
 */
export type LocalDate = string;

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date in `YYYY-MM-DD` form (2026-02-30 is rejected). */
export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== "string") return false;
  const match = LOCAL_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.toISOString().slice(0, 10) === value;
}

/** Latest instant whose Vietnam date still has a four-digit year (9999-12-31T23:59:59.999+07:00). */
const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999) - VIETNAM_OFFSET_MS;

/** An epoch-ms instant `vietnamDateOf` can date: finite, from 1970 to the year 9999. */
export function isValidInstant(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= MAX_INSTANT_MS;
}

/** The Vietnamese calendar date of an instant given as epoch milliseconds. */
export function vietnamDateOf(epochMs: number): LocalDate {
  if (!Number.isFinite(epochMs) || Math.abs(epochMs) > MAX_INSTANT_MS) {
    throw new RangeError(`not a valid instant: ${epochMs}`);
  }
  return new Date(epochMs + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** The four-digit year of a local date. */
export function yearOf(date: LocalDate): number {
  return Number(date.slice(0, 4));
}

/** The later of two local dates (`YYYY-MM-DD` strings order like the dates they name). */
export function laterDate(a: LocalDate, b: LocalDate): LocalDate {
  return b > a ? b : a;
}
