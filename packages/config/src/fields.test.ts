import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  booleanFlag,
  commaList,
  durationMs,
  hostPort,
  MAX_TIMER_MS,
  nonNegativeInt,
  oneOf,
  port,
  positiveInt,
  secret,
  url,
} from "./fields.ts";

function parse<T>(
  schema: z.ZodType<T, string>,
  raw: string,
): { ok: true; value: T } | { ok: false; reason: string } {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, reason: result.error.issues.map((issue) => issue.message).join("; ") };
}

function accepts<T>(schema: z.ZodType<T, string>, raw: string): T {
  const result = parse(schema, raw);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be accepted: ${result.reason}`);
  return result.value;
}

function refuses<T>(schema: z.ZodType<T, string>, raw: string): string {
  const result = parse(schema, raw);
  if (result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
  return result.reason;
}

describe("port", () => {
  it.each([
    ["0", 0],
    ["80", 80],
    [" 31140 ", 31140],
    ["65535", 65535],
  ])("accepts %j", (raw, value) => {
    expect(accepts(port(), raw)).toBe(value);
  });

  it.each(["-1", "65536", "80.5", "8o", "0x50", "1e3", "", "99999999999999999999"])("refuses %j", (raw) => {
    expect(refuses(port(), raw)).toBe("must be an integer from 0 to 65535");
  });
});

describe("durationMs", () => {
  it("accepts whole milliseconds up to the timer limit", () => {
    expect(accepts(durationMs(), "25000")).toBe(25_000);
    expect(accepts(durationMs(), String(MAX_TIMER_MS))).toBe(MAX_TIMER_MS);
  });

  it.each(["2147483648", "-5", "1.5", "25s", "PT25S"])("refuses %j", (raw) => {
    expect(refuses(durationMs(), raw)).toMatch(/must be an integer from 0 to 2147483647 \(milliseconds\)/);
  });

  it("honours a custom minimum", () => {
    expect(refuses(durationMs({ min: 1 }), "0")).toMatch(/from 1 to/);
  });
});

describe("positiveInt / nonNegativeInt", () => {
  it("draws the line at zero", () => {
    expect(refuses(positiveInt(), "0")).toMatch(/from 1 to/);
    expect(accepts(positiveInt(), "1")).toBe(1);
    expect(accepts(nonNegativeInt(), "0")).toBe(0);
    expect(refuses(nonNegativeInt(), "-1")).toMatch(/from 0 to/);
  });

  it("honours a maximum", () => {
    expect(accepts(positiveInt({ max: 10 }), "10")).toBe(10);
    expect(refuses(positiveInt({ max: 10 }), "11")).toBe("must be an integer from 1 to 10");
  });
});

describe("booleanFlag", () => {
  it.each([
    ["true", true],
    ["TRUE", true],
    ["1", true],
    ["false", false],
    ["False", false],
    ["0", false],
  ])("reads %j", (raw, value) => {
    expect(accepts(booleanFlag(), raw)).toBe(value);
  });

  it.each(["yes", "no", "on", "off", "2", "t", ""])("refuses %j instead of guessing", (raw) => {
    expect(refuses(booleanFlag(), raw)).toBe('must be one of "true", "false", "1", "0"');
  });
});

describe("oneOf", () => {
  it("accepts listed values only, case-sensitively", () => {
    expect(accepts(oneOf(["a", "b"]), "b")).toBe("b");
    expect(refuses(oneOf(["a", "b"]), "B")).toBe("must be one of a, b");
  });
});

describe("commaList", () => {
  it("splits, trims and drops empty items", () => {
    expect(accepts(commaList(), " a, b ,,c ")).toEqual(["a", "b", "c"]);
  });

  it("refuses a list with no items", () => {
    expect(refuses(commaList(), " , ,")).toMatch(/at least 1/);
  });

  it("checks each item and names the failing position, not its value", () => {
    expect(accepts(commaList(hostPort()), "k1:9092,k2:9093")).toEqual(["k1:9092", "k2:9093"]);
    const reason = refuses(commaList(hostPort()), "k1:9092,secret-host");
    expect(reason).toBe("item 2: must be host:port with a port from 1 to 65535");
    expect(reason).not.toContain("secret-host");
  });

  it("converts items with the item schema", () => {
    expect(accepts(commaList(positiveInt()), "1,2,3")).toEqual([1, 2, 3]);
  });
});

describe("url", () => {
  const http = url({ protocols: ["http", "https"] });

  it("keeps an accepted URL exactly as given", () => {
    expect(accepts(http, "http://127.0.0.1:8081/apis/ccompat/v7")).toBe(
      "http://127.0.0.1:8081/apis/ccompat/v7",
    );
  });

  it.each([
    ["host and port without a scheme", "127.0.0.1:8081", "must be an absolute URL (http or https)"],
    ["scheme-like host", "localhost:8081", "must use the http or https scheme"],
    ["relative path", "/apis", "must be an absolute URL (http or https)"],
    ["wrong scheme", "ftp://host/x", "must use the http or https scheme"],
    ["no host", "http://", "must be an absolute URL (http or https)"],
  ])("refuses %s", (_name, raw, reason) => {
    expect(refuses(http, raw)).toBe(reason);
  });

  it("does not echo credentials from a refused URL", () => {
    const reason = refuses(url({ protocols: ["postgresql"] }), "mysql://admin:hunter2@db/x");
    expect(reason).not.toContain("hunter2");
  });
});

describe("hostPort", () => {
  it.each(["localhost:9092", "10.0.0.1:9092", "[::1]:9092", "kafka-0.kafka.svc:9093"])(
    "accepts %j",
    (raw) => {
      expect(accepts(hostPort(), raw)).toBe(raw);
    },
  );

  it.each(["localhost", "localhost:", ":9092", "host:0", "host:65536", "host:90a", "http://host:9092"])(
    "refuses %j",
    (raw) => {
      expect(refuses(hostPort(), raw)).toMatch(/host:port/);
    },
  );
});

describe("secret", () => {
  it("trims and enforces a minimum length without echoing the value", () => {
    expect(accepts(secret({ minLength: 8 }), "  12345678\n")).toBe("12345678");
    const reason = refuses(secret({ minLength: 32 }), "short-secret");
    expect(reason).toBe("must be at least 32 characters");
  });
});
