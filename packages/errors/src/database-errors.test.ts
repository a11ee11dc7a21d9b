import { describe, expect, it } from "vitest";
import { isRetriable } from "./cause-chain.ts";
import { classifyDatabaseError, DatabaseError } from "./database-errors.ts";

/** The shape `pg` gives a server error: an Error with the SQLSTATE in `code`. */
const pgError = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`pg ${code}`), { code, severity: "ERROR", ...extra });

/** The shape Prisma 7 gives with @prisma/adapter-pg: a P-code, the adapter's error in meta. */
const prismaError = (code: string, adapterCause?: Record<string, unknown>) =>
  Object.assign(new Error(`prisma ${code}`), {
    name: "PrismaClientKnownRequestError",
    code,
    meta: adapterCause
      ? {
          driverAdapterError: Object.assign(new Error("adapter"), {
            name: "DriverAdapterError",
            cause: adapterCause,
          }),
        }
      : {},
  });

describe("classifyDatabaseError", () => {
  it.each([
    [pgError("40001"), "DB_SERIALIZATION", true],
    [pgError("40P01"), "DB_DEADLOCK", true],
    [pgError("57P01"), "DB_CONNECTION", true],
    [pgError("08006"), "DB_CONNECTION", true],
    [pgError("53300"), "DB_UNAVAILABLE", true],
    [pgError("55P03"), "DB_LOCK_TIMEOUT", true],
    [pgError("57014"), "DB_TIMEOUT", true],
    [pgError("23505", { constraint: "Invoice_transactionUuid_key" }), "DB_UNIQUE_VIOLATION", false],
    [pgError("23514"), "DB_CONSTRAINT", false],
    [pgError("22P02"), "DB_INVALID_DATA", false],
    [pgError("42P01"), "DB_SCHEMA", false],
    [pgError("28P01"), "DB_AUTH", false],
    [pgError("25006"), "DB_UNAVAILABLE", true],
    [pgError("25P03"), "DB_CONNECTION", true],
    [pgError("57P05"), "DB_CONNECTION", true],
    [Object.assign(new Error("getaddrinfo EAI_AGAIN db"), { code: "EAI_AGAIN" }), "DB_CONNECTION", true],
    [Object.assign(new Error("getaddrinfo ENOTFOUND db"), { code: "ENOTFOUND" }), "DB_CONNECTION", true],
    [prismaError("P1001"), "DB_CONNECTION", true],
    [prismaError("P1017"), "DB_CONNECTION", true],
    [prismaError("P2024"), "DB_POOL_TIMEOUT", true],
    [prismaError("P2034"), "DB_SERIALIZATION", true],
    [prismaError("P2002"), "DB_UNIQUE_VIOLATION", false],
    [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      "DB_CONNECTION",
      true,
    ],
    [new Error("Connection terminated unexpectedly"), "DB_CONNECTION", true],
    [new Error("timeout exceeded when trying to connect"), "DB_POOL_TIMEOUT", true],
    [new TypeError("cannot read properties of undefined"), "DB_UNKNOWN", false],
  ])("classifies %s", (input, code, retriable) => {
    const classified = classifyDatabaseError(input);
    expect(classified).toBeInstanceOf(DatabaseError);
    expect(classified.code).toBe(code);
    expect(classified.retriable).toBe(retriable);
    expect(isRetriable(classified)).toBe(retriable);
  });

  it("lets the PostgreSQL error inside a Prisma error decide (P2010 raw query failed with 40001)", () => {
    const classified = classifyDatabaseError(
      prismaError("P2010", { kind: "postgres", code: "40001", message: "could not serialize access" }),
    );
    expect(classified.code).toBe("DB_SERIALIZATION");
    expect(classified.sqlState).toBe("40001");
    expect(classified.retriable).toBe(true);
  });

  it("reads the driver adapter's mapped kinds", () => {
    expect(classifyDatabaseError(prismaError("P2010", { kind: "ConnectionClosed" })).code).toBe(
      "DB_CONNECTION",
    );
    const unique = classifyDatabaseError(prismaError("P2002", { kind: "UniqueConstraintViolation" }));
    expect(unique.code).toBe("DB_UNIQUE_VIOLATION");
    expect(unique.retriable).toBe(false);
  });

  it("takes the SQLSTATE and the constraint from a mapped adapter kind (the adapter calls a deadlock a write conflict)", () => {
    const deadlock = classifyDatabaseError(
      prismaError("P2010", { kind: "TransactionWriteConflict", originalCode: "40P01" }),
    );
    expect([deadlock.code, deadlock.sqlState, deadlock.retriable]).toEqual(["DB_DEADLOCK", "40P01", true]);
    const unique = classifyDatabaseError(
      prismaError("P2002", {
        kind: "UniqueConstraintViolation",
        originalCode: "23505",
        constraint: { index: "Invoice_transactionUuid_key" },
      }),
    );
    expect([unique.code, unique.sqlState, unique.constraint]).toEqual([
      "DB_UNIQUE_VIOLATION",
      "23505",
      "Invoice_transactionUuid_key",
    ]);
  });

  it("keeps the constraint name PostgreSQL reported", () => {
    const classified = classifyDatabaseError(pgError("23505", { constraint: "one_active_invoice" }));
    expect(classified.constraint).toBe("one_active_invoice");
  });

  it("a lost connection wrapping a constraint violation is not retriable", () => {
    const wrapped = new Error("Connection terminated unexpectedly", { cause: pgError("23505") });
    expect(classifyDatabaseError(wrapped).retriable).toBe(false);
  });

  it("returns an already classified error unchanged", () => {
    const error = new DatabaseError("x", "DB_DEADLOCK", true);
    expect(classifyDatabaseError(error)).toBe(error);
  });
});
