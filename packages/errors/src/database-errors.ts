import { causeChain } from "./cause-chain.ts";
import { PlatformError } from "./platform-error.ts";

/**
 * One classification of PostgreSQL failures, whether they reach us from `pg` (SQLSTATE in `code`),
 * from Prisma (P-codes, with the driver adapter's error in `meta.driverAdapterError` or `cause`) or
 * from the socket (ECONNRESET...). Strings only: this package depends on neither library.
 *
 * Retriable means "the same transaction may succeed if run again": serialization failures and
 * deadlocks (PostgreSQL asks the client to retry), a lost or refused connection, a full pool, a
 * server restarting. Constraint violations, bad data and a missing table are not: running the same
 * statement again fails the same way.
 */
export type DatabaseErrorCode =
  | "DB_SERIALIZATION"
  | "DB_DEADLOCK"
  | "DB_CONNECTION"
  | "DB_POOL_TIMEOUT"
  | "DB_TIMEOUT"
  | "DB_LOCK_TIMEOUT"
  | "DB_UNAVAILABLE"
  | "DB_UNIQUE_VIOLATION"
  | "DB_CONSTRAINT"
  | "DB_INVALID_DATA"
  | "DB_SCHEMA"
  | "DB_AUTH"
  | "DB_NOT_FOUND"
  | "DB_UNKNOWN";

export class DatabaseError extends PlatformError {
  override readonly name = "DatabaseError";
  declare readonly code: DatabaseErrorCode;

  constructor(
    message: string,
    code: DatabaseErrorCode,
    retriable: boolean,
    options?: { cause?: unknown; sqlState?: string; constraint?: string },
  ) {
    super(code, message, { retriable, cause: options?.cause });
    this.sqlState = options?.sqlState;
    this.constraint = options?.constraint;
  }

  /** The SQLSTATE PostgreSQL reported, when there was one. */
  readonly sqlState: string | undefined;
  /** The violated constraint or index, when PostgreSQL named it. */
  readonly constraint: string | undefined;
}

type Verdict = [DatabaseErrorCode, boolean];

const BY_SQLSTATE: Record<string, Verdict> = {
  "40001": ["DB_SERIALIZATION", true],
  "40P01": ["DB_DEADLOCK", true],
  "55P03": ["DB_LOCK_TIMEOUT", true],
  "57014": ["DB_TIMEOUT", true],
  "57P01": ["DB_CONNECTION", true],
  "57P02": ["DB_CONNECTION", true],
  "57P03": ["DB_UNAVAILABLE", true],
  // The server closed an idle session or an idle transaction (idle_session_timeout,
  // idle_in_transaction_session_timeout): the connection is gone, a new one will do.
  "57P05": ["DB_CONNECTION", true],
  "25P03": ["DB_CONNECTION", true],
  // "cannot execute INSERT in a read-only transaction": connected to a standby, typically right after a
  // failover, until the pool reaches the new primary. Writes to a read-only database fail the same way
  // until an operator acts, which the retry budget then reports.
  "25006": ["DB_UNAVAILABLE", true],
  "53300": ["DB_UNAVAILABLE", true],
  "23505": ["DB_UNIQUE_VIOLATION", false],
  "3D000": ["DB_SCHEMA", false],
  "25P02": ["DB_INVALID_DATA", false],
};

/** By SQLSTATE class (first two characters) when the exact code is not listed. */
const BY_SQLSTATE_CLASS: Record<string, Verdict> = {
  "08": ["DB_CONNECTION", true],
  "53": ["DB_UNAVAILABLE", true],
  "23": ["DB_CONSTRAINT", false],
  "22": ["DB_INVALID_DATA", false],
  "42": ["DB_SCHEMA", false],
  "28": ["DB_AUTH", false],
};

const BY_PRISMA_CODE: Record<string, Verdict> = {
  P1000: ["DB_AUTH", false],
  P1001: ["DB_CONNECTION", true],
  P1002: ["DB_TIMEOUT", true],
  P1003: ["DB_SCHEMA", false],
  P1008: ["DB_TIMEOUT", true],
  P1017: ["DB_CONNECTION", true],
  P2002: ["DB_UNIQUE_VIOLATION", false],
  P2003: ["DB_CONSTRAINT", false],
  P2011: ["DB_CONSTRAINT", false],
  P2021: ["DB_SCHEMA", false],
  P2022: ["DB_SCHEMA", false],
  P2024: ["DB_POOL_TIMEOUT", true],
  P2025: ["DB_NOT_FOUND", false],
  // "Transaction API error": the interactive transaction expired or was closed under us.
  P2028: ["DB_TIMEOUT", true],
  P2034: ["DB_SERIALIZATION", true],
};

/** Prisma's driver-adapter error kinds (`@prisma/driver-adapter-utils` MappedError). */
const BY_ADAPTER_KIND: Record<string, Verdict> = {
  DatabaseNotReachable: ["DB_CONNECTION", true],
  ConnectionClosed: ["DB_CONNECTION", true],
  SocketTimeout: ["DB_TIMEOUT", true],
  TooManyConnections: ["DB_UNAVAILABLE", true],
  TransactionWriteConflict: ["DB_SERIALIZATION", true],
  TransactionAlreadyClosed: ["DB_TIMEOUT", true],
  UniqueConstraintViolation: ["DB_UNIQUE_VIOLATION", false],
  NullConstraintViolation: ["DB_CONSTRAINT", false],
  ForeignKeyConstraintViolation: ["DB_CONSTRAINT", false],
  RestrictViolation: ["DB_CONSTRAINT", false],
  TableDoesNotExist: ["DB_SCHEMA", false],
  ColumnNotFound: ["DB_SCHEMA", false],
  DatabaseDoesNotExist: ["DB_SCHEMA", false],
  DatabaseAccessDenied: ["DB_AUTH", false],
  AuthenticationFailed: ["DB_AUTH", false],
  ValueOutOfRange: ["DB_INVALID_DATA", false],
  InvalidInputValue: ["DB_INVALID_DATA", false],
  LengthMismatch: ["DB_INVALID_DATA", false],
};

const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNABORTED",
  // DNS: a temporary failure, or the database's name not resolving (yet) during a failover. Prisma's
  // adapter calls both DatabaseNotReachable; raw `pg` (migrate, the worker id lease) reports the code.
  "EAI_AGAIN",
  "ENOTFOUND",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** Messages of `pg` / `pg-pool` failures that carry no code at all. */
const BY_MESSAGE: Array<[RegExp, Verdict]> = [
  [/Connection terminated unexpectedly/i, ["DB_CONNECTION", true]],
  [/Connection terminated due to connection timeout/i, ["DB_CONNECTION", true]],
  [/timeout exceeded when trying to connect/i, ["DB_POOL_TIMEOUT", true]],
  [/Client has encountered a connection error/i, ["DB_CONNECTION", true]],
];

interface Found {
  verdict: Verdict;
  sqlState?: string;
  constraint?: string;
}

function inspect(link: unknown): Found | undefined {
  if (link instanceof DatabaseError) {
    return { verdict: [link.code, link.retriable], sqlState: link.sqlState, constraint: link.constraint };
  }
  if (!link || typeof link !== "object") return undefined;
  const l = link as {
    code?: unknown;
    kind?: unknown;
    constraint?: unknown;
    message?: unknown;
    originalCode?: unknown;
  };
  const constraint = constraintName(l.constraint);
  if (typeof l.kind === "string") {
    if (l.kind === "postgres" && typeof l.code === "string") return bySqlState(l.code, constraint);
    // A mapped kind keeps PostgreSQL's SQLSTATE in `originalCode`: it is more precise than the kind
    // (the adapter calls a deadlock, 40P01, a TransactionWriteConflict) and names the constraint.
    const original = typeof l.originalCode === "string" ? l.originalCode : undefined;
    const precise = original === undefined ? undefined : bySqlState(original, constraint);
    if (precise) return precise;
    const verdict = BY_ADAPTER_KIND[l.kind];
    if (verdict) {
      return {
        verdict,
        ...(original ? { sqlState: original } : {}),
        ...(constraint ? { constraint } : {}),
      };
    }
  }
  if (typeof l.code === "string") {
    if (BY_PRISMA_CODE[l.code]) return { verdict: BY_PRISMA_CODE[l.code] as Verdict };
    if (SOCKET_CODES.has(l.code)) return { verdict: ["DB_CONNECTION", true] };
    if (/^[0-9A-Z]{5}$/.test(l.code)) return bySqlState(l.code, constraint);
  }
  if (typeof l.message === "string") {
    for (const [pattern, verdict] of BY_MESSAGE) if (pattern.test(l.message)) return { verdict };
  }
  return undefined;
}

/** pg's `constraint` is a name; Prisma's adapter gives `{ index }` (a name) or `{ fields }` (columns). */
function constraintName(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const index = (value as { index?: unknown } | null | undefined)?.index;
  return typeof index === "string" ? index : undefined;
}

function bySqlState(sqlState: string, constraint?: string): Found | undefined {
  const verdict = BY_SQLSTATE[sqlState] ?? BY_SQLSTATE_CLASS[sqlState.slice(0, 2)];
  return verdict ? { verdict, sqlState, ...(constraint ? { constraint } : {}) } : undefined;
}

/** The chain plus what Prisma hides in `meta` (the driver adapter's error and its cause). */
function linksOf(error: unknown): unknown[] {
  const links: unknown[] = [];
  for (const link of causeChain(error)) {
    links.push(link);
    const meta = (link as { meta?: { driverAdapterError?: unknown } } | null)?.meta;
    if (meta?.driverAdapterError) links.push(...causeChain(meta.driverAdapterError));
  }
  return links;
}

/**
 * Maps whatever a database call threw to a DatabaseError. The innermost classified link decides the
 * code (a Prisma P2010 wrapping PostgreSQL's 40001 is a serialization failure); it is retriable only
 * if every classified link is. An unrecognised error is DB_UNKNOWN and not retriable.
 */
export function classifyDatabaseError(error: unknown): DatabaseError {
  if (error instanceof DatabaseError) return error;
  let found: Found | undefined;
  let retriable = true;
  for (const link of linksOf(error)) {
    const here = inspect(link);
    if (!here) continue;
    found = here;
    retriable &&= here.verdict[1];
  }
  const message = error instanceof Error ? error.message : String(error);
  if (!found) return new DatabaseError(message, "DB_UNKNOWN", false, { cause: error });
  return new DatabaseError(message, found.verdict[0], retriable, {
    cause: error,
    ...(found.sqlState ? { sqlState: found.sqlState } : {}),
    ...(found.constraint ? { constraint: found.constraint } : {}),
  });
}
