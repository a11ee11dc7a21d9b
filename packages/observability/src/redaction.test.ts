import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";
import { MAX_LOG_TEXT } from "./redact-text.ts";
import { CIRCULAR, REDACTED, redactValue, TRUNCATED } from "./redaction.ts";

/** Each leak issue 7 (finding 8) reproduced against the logger; every one reached the line before. */
function line(write: (logger: ReturnType<typeof createLogger>) => void): {
  text: string;
  record: Record<string, unknown>;
} {
  const lines: string[] = [];
  const logger = createLogger({ service: "ingest", destination: { write: (l) => void lines.push(l) } });
  write(logger);
  const text = lines.join("");
  return { text, record: JSON.parse(lines.at(-1) ?? "null") as Record<string, unknown> };
}

const SECRET = "s3cr3t-VALUE-9";

describe("log redaction: the leaks of issue 7", () => {
  it.each<[string, Record<string, unknown>]>([
    ["Authorization with a capital", { headers: { Authorization: `Bearer ${SECRET}` } }],
    ["X-Signature with capitals", { headers: { "X-Signature": SECRET } }],
    ["X-Hub-Signature-256", { headers: { "X-Hub-Signature-256": SECRET } }],
    ["Cookie", { headers: { Cookie: `sid=${SECRET}` } }],
    ["Set-Cookie (an array)", { headers: { "Set-Cookie": [`sid=${SECRET}; HttpOnly`] } }],
    ["access_token (SInvoice's login field)", { body: { access_token: SECRET, token_type: "bearer" } }],
    ["client_secret", { oauth: { client_secret: SECRET } }],
    ["ACCESS-TOKEN", { "ACCESS-TOKEN": SECRET }],
    ["apiKey and x-api-key", { apiKey: SECRET, headers: { "x-api-key": SECRET } }],
    ["credentials object", { provider: { credentials: { user: "u", pass: SECRET } } }],
    ["a password at depth 4", { a: { b: { c: { password: SECRET } } } }],
    ["a token at depth 9", { a: { b: { c: { d: { e: { f: { g: { h: { token: SECRET } } } } } } } } }],
    ["a token inside nested arrays", { attempts: [[{ token: SECRET }], [{ ok: 1 }]] }],
    ["a password in a DSN string", { dsn: `host=db user=app password=${SECRET} dbname=invoice` }],
    ["a URL password", { url: `postgresql://app:${SECRET}@db:5432/invoice` }],
    ["a URL password containing @", { url: `redis://:${SECRET}@x@cache:6379` }],
    ["a ?password= query parameter", { url: `postgresql://db/invoice?sslmode=require&password=${SECRET}` }],
    ["a ?token= query parameter", { link: `https://claims.example/c?token=${SECRET}&lang=vi` }],
    ["a URL object (toJSON)", { target: new URL(`https://user:${SECRET}@provider.example/api`) }],
    ["JSON inside a string", { body: `{"access_token":"${SECRET}","expires_in":3600}` }],
    ["a raw header line", { raw: `POST /x HTTP/1.1\r\nAuthorization: Basic ${SECRET}\r\nHost: p\r\n` }],
    ["a bearer token in free text", { note: `retrying with Bearer ${SECRET}` }],
    ["a JWT in free text", { note: `got eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJtLTEifQ.${SECRET}` }],
    // Found in review: each of these reached the line.
    [
      "node's rawHeaders (name, value, name, value...)",
      {
        rawHeaders: ["Host", "h", "Authorization", "Bearer x", "X-Api-Key", SECRET, "Cookie", `s=${SECRET}`],
      },
    ],
    [
      "[name, value] header pairs",
      {
        headers: [
          ["content-type", "json"],
          ["X-Signature", SECRET],
        ],
      },
    ],
    ["JSON encoded inside a JSON string", { body: JSON.stringify(JSON.stringify({ password: SECRET })) }],
    ["a Kafka listener URL (scheme with _)", { broker: `SASL_SSL://app:${SECRET}@kafka-0:9093` }],
    ["a libpq DSN with spaces around =", { dsn: `host=db password = ${SECRET} dbname=invoice` }],
  ])("%s", (_name, fields) => {
    const { text } = line((logger) => logger.info(fields, "leak check"));
    expect(text).not.toContain(SECRET);
    expect(text).toContain(REDACTED);
  });

  it("an axios-style error: err.config.headers.Authorization, the URL and the response body", () => {
    const error = Object.assign(new Error("Request failed with status code 401"), {
      name: "AxiosError",
      code: "ERR_BAD_REQUEST",
      status: 401,
      config: {
        url: `https://api.sinvoice.example/auth/login?password=${SECRET}`,
        headers: { Authorization: `Bearer ${SECRET}`, "Content-Type": "application/json" },
        data: JSON.stringify({ username: "0100109106", password: SECRET }),
      },
      response: {
        status: 401,
        data: { access_token: SECRET },
        headers: { "set-cookie": [`JSESSIONID=${SECRET}`] },
      },
    });
    const { text, record } = line((logger) => logger.error({ err: error }, "provider login failed"));
    expect(text).not.toContain(SECRET);
    expect(record.err).toMatchObject({
      type: "Error",
      message: "Request failed with status code 401",
      code: "ERR_BAD_REQUEST",
      status: 401,
      config: { headers: { Authorization: REDACTED, "Content-Type": "application/json" } },
      response: { status: 401, data: { access_token: REDACTED } },
    });
  });

  it("cause chains and AggregateError members, their properties and their messages", () => {
    const inner = Object.assign(new Error(`connect to postgresql://app:${SECRET}@db failed`), {
      config: { headers: { authorization: SECRET } },
    });
    const outer = new Error("issuance failed", {
      cause: new Error("provider call failed", { cause: inner }),
    });
    const aggregate = new AggregateError([Object.assign(new Error("a"), { token: SECRET })], "all failed");
    const { text, record } = line((logger) => logger.error({ err: outer, other: aggregate }, "chain"));
    expect(text).not.toContain(SECRET);
    expect(record.err).toMatchObject({
      message: "issuance failed",
      cause: { message: "provider call failed", cause: { config: { headers: { authorization: REDACTED } } } },
    });
    expect(record.other).toMatchObject({ type: "AggregateError", errors: [{ token: REDACTED }] });
  });

  it("the message itself, an error logged on its own, and child bindings", () => {
    const { text: message } = line((logger) =>
      logger.info({}, `connecting to postgresql://app:${SECRET}@db?token=${SECRET}`),
    );
    expect(message).not.toContain(SECRET);
    const { text: bare } = line((logger) => logger.error(new Error(`GET https://x/?access_token=${SECRET}`)));
    expect(bare).not.toContain(SECRET);
    const { text: interpolated } = line((logger) => logger.info("calling %s", `https://u:${SECRET}@h/`));
    expect(interpolated).not.toContain(SECRET);
    const { text: child, record } = line((logger) =>
      logger.child({ session: { Authorization: SECRET }, orderId: "o-1" }).info({}, "bound"),
    );
    expect(child).not.toContain(SECRET);
    expect(record).toMatchObject({ orderId: "o-1", session: { Authorization: REDACTED } });
  });
});

describe("log redaction: found in review", () => {
  it("bindings set with setBindings", () => {
    const { text } = line((logger) => {
      const child = logger.child({ orderId: "o-1" });
      child.setBindings({ session: { token: SECRET } });
      child.info({}, "rebound");
    });
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text)).toMatchObject({ orderId: "o-1", session: { token: REDACTED } });
  });

  it("what a child logger's own serializer returns (pino runs it after redaction)", () => {
    const { text, record } = line((logger) =>
      logger
        .child(
          { conn: { id: 1 } },
          { serializers: { conn: (c: { id: number }) => `postgresql://app:${SECRET}@db/${c.id}` } },
        )
        .info({ conn: { id: 2 } }, "serialised"),
    );
    expect(text).not.toContain(SECRET);
    expect(record.conn).toBe("postgresql://app:[REDACTED]@db/2");
  });

  it("bytes (a Buffer, a Uint8Array) become their type and length, not their bytes", () => {
    const body = Buffer.from(`{"access_token":"${SECRET}"}`);
    const key = new TextEncoder().encode(SECRET);
    const { text, record } = line((logger) => logger.info({ body, key, buffer: body.buffer }, "bytes"));
    // pino printed {"type":"Buffer","data":[123,34,97,...]}: the token, one byte at a time.
    expect(text).not.toContain(Array.from(Buffer.from(SECRET)).join(","));
    expect(record).toMatchObject({
      body: `[Buffer ${body.length} bytes]`,
      key: `[Uint8Array ${key.length} bytes]`,
    });
    expect(String(record.buffer)).toMatch(/^\[ArrayBuffer \d+ bytes\]$/);
  });

  it("keeps the header names of a rawHeaders array, and only the values after secret ones go", () => {
    const rawHeaders = ["Host", "provider.example", "authorization", "Bearer abc", "Accept", "*/*"];
    expect(redactValue({ rawHeaders })).toEqual({
      rawHeaders: ["Host", "provider.example", "authorization", REDACTED, "Accept", "*/*"],
    });
  });

  it("cuts a very long string after redacting it, so one line costs bounded time", () => {
    // A secret right at the cut is still recognised by what follows it (the look-ahead).
    const padding = "x".repeat(MAX_LOG_TEXT - 20);
    const long = `${padding} postgresql://app:${SECRET}@db/invoice ${"y".repeat(5_000_000)}`;
    const { text, record } = line((logger) => logger.info({ body: long }, `echo ${long}`));
    expect(text).not.toContain(SECRET);
    expect(String(record.body).length).toBeLessThan(MAX_LOG_TEXT + 100);
    expect(String(record.body)).toMatch(/…\[Truncated: \d+ characters\]$/);
    expect(String(record.msg).length).toBeLessThan(MAX_LOG_TEXT + 100);
    // No timing assert here (docs/testing.md): the 500 ms bound this test had depended on the machine,
    // and redacting all 5 MB before cutting took 104 ms, so it did not catch that either. What is
    // asserted is the cut; that only the head is redacted is redactLogText's construction.
  });
});

describe("log redaction keeps what operators need", () => {
  it("leaves non-secret names and values alone", () => {
    const fields = {
      orderId: "o-1",
      key: "o-1",
      partitionKey: "o-1",
      idempotencyKey: "inv-1",
      tokenType: "bearer",
      credentialsKeyId: "a1b2c3d4e5f60718",
      keyId: "a1b2c3d4e5f60718",
      claimTokenExpiresAt: "2026-01-01T00:00:00.000Z",
      url: "postgresql://postgres@127.0.0.1:5432/invoice?schema=invoice",
      brokers: ["kafka-0:9092"],
      time: "12:30:05",
      text: "a = b, c: d",
    };
    expect(redactValue(fields)).toBe(fields);
    const { record } = line((logger) => logger.info(fields, "clean"));
    expect(record).toMatchObject(fields);
  });

  it("never changes the caller's object", () => {
    const fields = { provider: { name: "viettel", password: "p" }, list: [{ token: "t" }] };
    const redacted = redactValue(fields) as typeof fields;
    expect(redacted.provider).toEqual({ name: "viettel", password: REDACTED });
    expect(fields.provider.password).toBe("p");
    expect(fields.list[0]?.token).toBe("t");
  });
});

describe("log redaction never throws", () => {
  it("on cycles, throwing getters, hostile proxies and exotic values", () => {
    const cyclic: Record<string, unknown> = { name: "a" };
    cyclic.self = cyclic;
    const shared = { token: SECRET };
    const getter = Object.defineProperty({}, "boom", {
      enumerable: true,
      get() {
        throw new Error("getter exploded");
      },
    });
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys for you");
        },
      },
    );
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { password: SECRET });
    const badJson = {
      toJSON: () => {
        throw new Error("toJSON exploded");
      },
    };
    const fields = {
      cyclic,
      twice: [shared, shared],
      getter,
      revoked,
      hostile,
      nullProto,
      badJson,
      big: 10n,
      sym: Symbol("s"),
      fn: () => 1,
      when: new Date(0),
      bytes: Buffer.from("ab"),
      map: new Map([["password", SECRET]]),
      [Symbol("hidden")]: SECRET,
    };
    let text = "";
    expect(() => {
      text = line((logger) => logger.info(fields, "exotic")).text;
    }).not.toThrow();
    expect(text).not.toContain(SECRET);
    const record = JSON.parse(text) as Record<string, unknown>;
    expect(record.cyclic).toEqual({ name: "a", self: CIRCULAR });
    expect(record.twice).toEqual([{ token: REDACTED }, { token: REDACTED }]);
    expect(record.getter).toEqual({ boom: "[Unreadable]" });
    expect(record.revoked).toBe("[Unreadable]");
    expect(record.hostile).toBe("[Unreadable]");
    expect(record.when).toBe("1970-01-01T00:00:00.000Z");
  });

  it("cuts values deeper or larger than it inspects instead of emitting them unread", () => {
    let deep: Record<string, unknown> = { password: SECRET };
    for (let i = 0; i < 50; i++) deep = { next: deep };
    const wide = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`f${i}`, i]));
    const redactedDeep = JSON.stringify(redactValue(deep));
    expect(redactedDeep).toContain(TRUNCATED);
    expect(redactedDeep).not.toContain(SECRET);
    const redactedWide = redactValue({ ...wide, password: SECRET }) as Record<string, unknown>;
    expect(redactedWide.f10).toBe(10);
    expect(redactedWide.password).not.toBe(SECRET);
  });

  it("replaces streams (an axios error's request) with their type", async () => {
    const { PassThrough } = await import("node:stream");
    const request = Object.assign(new PassThrough(), { _header: `Authorization: Bearer ${SECRET}` });
    expect(redactValue({ request })).toEqual({ request: "[PassThrough]" });
  });
});
