import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

function capture(options: { level?: "info" | "debug" | "warn"; redact?: string[] } = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    service: "ingest",
    destination: { write: (line) => void lines.push(line) },
    ...options,
  });
  return {
    logger,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    last: () => JSON.parse(lines.at(-1) ?? "null") as Record<string, unknown>,
  };
}

describe("createLogger", () => {
  it("writes one JSON line with service, textual level, ISO time and the constant message", () => {
    const { logger, last } = capture();
    logger.info({ orderId: "o-1", partition: 2 }, "invoice issued");
    const record = last();
    expect(record).toMatchObject({
      level: "info",
      service: "ingest",
      msg: "invoice issued",
      orderId: "o-1",
      partition: 2,
    });
    expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(record.pid).toBe(process.pid);
  });

  it("honours the level", () => {
    const { logger, records } = capture({ level: "warn" });
    logger.info({}, "hidden");
    logger.warn({}, "shown");
    expect(records().map((record) => record.msg)).toEqual(["shown"]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ["top-level password", { password: "p@ss" }, ["password"]],
    ["nested password", { provider: { password: "p@ss" } }, ["provider", "password"]],
    ["token", { token: "tok" }, ["token"]],
    ["nested access token", { session: { accessToken: "tok" } }, ["session", "accessToken"]],
    ["secret", { webhook: { secret: "whsec" } }, ["webhook", "secret"]],
    ["signature", { signature: "abcd" }, ["signature"]],
    ["credentials key", { config: { credentialsKey: "00ff" } }, ["config", "credentialsKey"]],
    [
      "authorization header",
      { req: { headers: { authorization: "Bearer eyJ" } } },
      ["req", "headers", "authorization"],
    ],
    [
      "x-signature header",
      { req: { headers: { "x-signature": "sha256=ab" } } },
      ["req", "headers", "x-signature"],
    ],
    ["cookie header", { req: { headers: { cookie: "sid=1" } } }, ["req", "headers", "cookie"]],
    ["set-cookie header", { res: { headers: { "set-cookie": "sid=1" } } }, ["res", "headers", "set-cookie"]],
    ["env-style secret", { env: { WEBHOOK_SECRET: "whsec" } }, ["env", "WEBHOOK_SECRET"]],
    ["secret inside an array", { attempts: [{ token: "tok" }] }, ["attempts", "0", "token"]],
  ])("redacts a %s", (_name, fields, path) => {
    const { logger, last, lines } = capture();
    logger.info(fields, "redaction");
    expect(path.reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], last())).toBe(
      "[REDACTED]",
    );
    expect(lines.join("")).not.toMatch(/p@ss|tok"|whsec|Bearer|sha256=ab|sid=1|00ff|abcd/);
  });

  it("keeps the neighbouring fields and the caller's object intact", () => {
    const { logger, last } = capture();
    const fields = { orderId: "o-1", provider: { name: "viettel", password: "p" } };
    logger.info(fields, "provider call");
    expect(last()).toMatchObject({ orderId: "o-1", provider: { name: "viettel", password: "[REDACTED]" } });
    expect(fields.provider.password).toBe("p");
  });

  it("applies extra redact paths and keeps redacting in child loggers", () => {
    const { logger, last } = capture({ redact: ["payload.buyer.taxCode"] });
    const child = logger.child({ topic: "invoice.issuance", partition: 1, offset: "42" });
    child.info({ payload: { buyer: { taxCode: "0101234567" } }, token: "t" }, "record received");
    expect(last()).toMatchObject({
      service: "ingest",
      topic: "invoice.issuance",
      partition: 1,
      payload: { buyer: { taxCode: "[REDACTED]" } },
      token: "[REDACTED]",
    });
  });

  it("serialises errors with type, message and stack", () => {
    const { logger, last } = capture();
    logger.error({ err: new TypeError("boom") }, "handler failed");
    expect(last().err).toMatchObject({ type: "TypeError", message: "boom" });
    expect(String((last().err as { stack: string }).stack)).toContain("TypeError: boom");
  });
});
