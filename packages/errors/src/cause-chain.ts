import { PlatformError } from "./platform-error.ts";

/** Links beyond this are not followed: a cyclic or absurdly deep chain must not hang a router. */
const MAX_LINKS = 32;

/**
 * The error and everything it wraps, outermost first: `cause` (ES2022), `originalError` (kafkajs),
 * and each member of `errors` (AggregateError, pg's multi-host errors). Cycles are cut.
 */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < MAX_LINKS) {
    const current = queue.shift();
    if (current === undefined || current === null || seen.has(current)) continue;
    seen.add(current);
    // A link `instanceof` cannot even look at (a revoked proxy) says nothing: leave it out.
    if (typeof current === "object" && !inspectable(current)) continue;
    chain.push(current);
    if (typeof current !== "object") continue;
    const cause = read(current, "cause");
    const originalError = read(current, "originalError");
    const errors = read(current, "errors");
    if (cause !== undefined) queue.push(cause);
    if (originalError !== undefined) queue.push(originalError);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return chain;
}

function inspectable(link: object): boolean {
  try {
    Object.getPrototypeOf(link);
    return true;
  } catch {
    return false;
  }
}

/**
 * A property of a link, or undefined when reading it throws (a getter, a revoked proxy): a retry
 * router deciding on a strange error must not crash on it; the link's own classification still counts.
 */
function read(link: object, key: string): unknown {
  try {
    return (link as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** The first link of the chain that satisfies `predicate`, outermost first. */
export function findInChain<T>(error: unknown, predicate: (link: unknown) => link is T): T | undefined {
  for (const link of causeChain(error)) if (predicate(link)) return link;
  return undefined;
}

/**
 * True only when every classified link of the chain (every PlatformError in it) is retriable, and
 * there is at least one. An unclassified error (a bug, a library error nobody classified) is not
 * retriable: retrying a TypeError only burns the attempt budget before the DLQ gets it anyway.
 *
 * So a retriable "connection lost" that wraps a non-retriable "not authorised" is not retriable,
 * whichever of the two is outermost.
 */
export function isRetriable(error: unknown): boolean {
  let verdict = false;
  for (const link of causeChain(error)) {
    if (!(link instanceof PlatformError)) continue;
    if (!link.retriable) return false;
    verdict = true;
  }
  return verdict;
}

/** The innermost PlatformError of the chain: the most specific classification there is. */
export function innermostPlatformError(error: unknown): PlatformError | undefined {
  let found: PlatformError | undefined;
  for (const link of causeChain(error)) if (link instanceof PlatformError) found = link;
  return found;
}

/** A short, single-line description of the chain for logs and DLQ headers: `code: message <- ...`. */
export function describeChain(error: unknown, maxLength = 1_000): string {
  const parts = causeChain(error).map((link) => {
    try {
      if (link instanceof PlatformError) return `${link.code}: ${link.message}`;
      if (link instanceof Error) return `${link.name}: ${link.message}`;
      return String(link);
    } catch {
      return "[unreadable error]";
    }
  });
  const text = parts.join(" <- ").replace(/\s+/g, " ");
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
