import { describe, expect, it } from "vitest";
import { DatabaseUrlError, parseDatabaseUrl, withDatabase } from "./database-url.ts";

describe("parseDatabaseUrl", () => {
  it("defaults to the invoice schema and keeps everything else", () => {
    expect(parseDatabaseUrl("postgresql://postgres@127.0.0.1:5432/invoice")).toEqual({
      connectionString: "postgresql://postgres@127.0.0.1:5432/invoice",
      schema: "invoice",
      database: "invoice",
    });
  });

  it("takes Prisma's ?schema= and hides it from node-postgres", () => {
    const parsed = parseDatabaseUrl("postgresql://u:p@db:6543/app?schema=tenant_1&sslmode=disable");
    expect(parsed.schema).toBe("tenant_1");
    expect(parsed.database).toBe("app");
    expect(parsed.connectionString).toBe("postgresql://u:p@db:6543/app?sslmode=disable");
  });

  it.each([
    ["not a url", "not a valid URL"],
    ["mysql://root@localhost/db", "must use postgresql://"],
    ["postgresql://h/db?schema=bad%22name", "must match"],
    ["postgresql://h/db?schema=1abc", "must match"],
  ])("rejects %s", (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(DatabaseUrlError);
    expect(() => parseDatabaseUrl(url)).toThrow(message);
    expect(() => parseDatabaseUrl(url)).toThrow(
      expect.objectContaining({ code: "DATABASE_URL_INVALID", retriable: false }),
    );
  });

  it("swaps the database of a URL", () => {
    expect(withDatabase("postgresql://postgres@127.0.0.1:5432/invoice?schema=x", "postgres")).toBe(
      "postgresql://postgres@127.0.0.1:5432/postgres?schema=x",
    );
  });
});
