// Shape checks for what `decide` reads from payloads beyond what TypeScript can promise. The issuer
// builds its internal events from provider answers (JSON), so a value of the wrong type must be
// refused (INVALID_EVENT: to the DLQ with the reason), never make `decide` throw, and never reach
// the state: a buyer without a kind recorded as the issued buyer, or a number where invoice.events
// needs a string (its outbox record could then never be published).
import type { InvoiceBuyer } from "../events.ts";

/** The payload without its null-valued keys: JSON's null reads as an absent optional field. */
export function withoutNulls<T extends object>(payload: T): T {
  return Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== null)) as T;
}

/** Every named field is absent or a string. */
export function optionalStrings(payload: object, keys: readonly string[]): boolean {
  const record = payload as Record<string, unknown>;
  return keys.every((k) => record[k] === undefined || typeof record[k] === "string");
}

/** A buyer a send can carry: the anonymous retail buyer, or a named one of a known kind. */
export function isInvoiceBuyer(value: unknown): value is InvoiceBuyer {
  if (typeof value !== "object" || value === null) return false;
  const buyer = value as Record<string, unknown>;
  if (buyer.kind === "anonymous") return true;
  return (
    (buyer.kind === "company" || buyer.kind === "individual") &&
    typeof buyer.name === "string" &&
    optionalStrings(buyer, ["taxCode", "address", "email", "personalId", "phone"])
  );
}

/** JSON with object keys sorted: the same data compares equal whatever order its keys came in. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The same data, as JSON would store it. */
export function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
