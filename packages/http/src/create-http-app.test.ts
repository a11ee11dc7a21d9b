import { createHash } from "node:crypto";
import { createLogger, createMetrics } from "@invoice/observability";
import { describe, expect, it } from "vitest";
import { createHttpApp } from "./create-http-app.ts";
import { json, problem, useTestApp } from "./http-test-support.ts";

const start = useTestApp();

/** Value of the one sample of `name` carrying all `labels` (in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const lines = text.split("\n").filter((line) => {
    if (!line.startsWith(`${name}{`)) return false;
    return Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
  });
  expect(lines.length).toBeLessThanOrEqual(1);
  return lines[0] === undefined ? undefined : Number(lines[0].split(" ").at(-1));
}

describe("createHttpApp", () => {
  describe("request ids", () => {
    it("generates one when absent and echoes it", async () => {
      const { url } = await start();
      const response = await fetch(`${url}/health`);
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("keeps a sane incoming id", async () => {
      const { url } = await start();
      const response = await fetch(`${url}/health`, { headers: { "x-request-id": "nginx-7f3a.01:abc" } });
      expect(response.headers.get("x-request-id")).toBe("nginx-7f3a.01:abc");
    });

    it.each([
      ["too long", "a".repeat(129)],
      ["with spaces", "a b"],
      ["with a quote", 'a"b'],
      ["with a JSON fragment", '{"level":"fatal"}'],
    ])("replaces an incoming id %s", async (_name, id) => {
      const { url } = await start();
      const response = await fetch(`${url}/health`, { headers: { "x-request-id": id } });
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("binds a child logger per request with the id", async () => {
      const { url, logs } = await start({
        routes: (router) => {
          router.get("/ping", (req, res) => {
            req.log.info({ orderId: "o-1" }, "handling ping");
            res.json({ pong: true });
          });
        },
      });
      await fetch(`${url}/v1/api/ping`, { headers: { "x-request-id": "req-1" } });
      const handled = logs().find((line) => line.msg === "handling ping");
      expect(handled).toMatchObject({
        requestId: "req-1",
        method: "GET",
        path: "/v1/api/ping",
        orderId: "o-1",
      });
      const completed = logs().find((line) => line.msg === "request completed" && line.requestId === "req-1");
      expect(completed).toMatchObject({ level: "info", status: 200 });
      expect(typeof completed?.durationMs).toBe("number");
    });
  });

  describe("health and readiness", () => {
    it("GET /health answers 200 {status: ok}", async () => {
      const { url } = await start();
      const response = await fetch(`${url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok" });
    });

    it("GET /ready answers 200 with each check when all pass", async () => {
      const { url } = await start({
        readinessChecks: { postgres: async () => undefined, redis: async () => undefined },
      });
      const response = await fetch(`${url}/ready`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { status: string; checks: Record<string, { status: string }> };
      expect(body.status).toBe("ready");
      expect(body.checks.postgres?.status).toBe("ok");
      expect(body.checks.redis?.status).toBe("ok");
    });

    it("GET /ready answers 503 naming the failed and timed-out checks, without their messages", async () => {
      const { url, logs } = await start({
        readinessTimeoutMs: 50,
        readinessChecks: {
          postgres: async () => undefined,
          redis: async () => {
            throw Object.assign(new Error("connect ECONNREFUSED 10.1.2.3:6379"), { code: "ECONNREFUSED" });
          },
          kafka: () => new Promise<void>(() => undefined),
        },
      });
      const response = await fetch(`${url}/ready`);
      expect(response.status).toBe(503);
      const body = await response.json();
      expect(body).toMatchObject({
        status: "not_ready",
        checks: {
          postgres: { status: "ok" },
          redis: { status: "failed", reason: "error", code: "ECONNREFUSED" },
          kafka: { status: "failed", reason: "timeout" },
        },
      });
      expect(JSON.stringify(body)).not.toContain("10.1.2.3");
      const warnings = logs().filter((line) => line.msg === "readiness check failed");
      expect(warnings.map((line) => line.check).sort()).toEqual(["kafka", "redis"]);
    });

    it('GET /ready answers 200 "degraded" when only an optional check fails', async () => {
      const { url } = await start({
        readinessChecks: {
          postgres: async () => undefined,
          redis: {
            optional: true,
            check: async () => {
              throw new Error("connect ECONNREFUSED");
            },
          },
        },
      });
      const response = await fetch(`${url}/ready`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: "degraded",
        checks: { postgres: { status: "ok" }, redis: { status: "failed", optional: true } },
      });
    });

    it("GET /ready answers 503 while shutting down, without running checks", async () => {
      let checked = false;
      const { url } = await start({
        isShuttingDown: () => true,
        readinessChecks: {
          postgres: async () => {
            checked = true;
          },
        },
      });
      const response = await fetch(`${url}/ready`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "shutting_down", checks: {} });
      expect(checked).toBe(false);
    });
  });

  describe("metrics", () => {
    it("GET /metrics serves Prometheus text with request counts by route pattern and status", async () => {
      const { url } = await start({
        routes: (router) => {
          router.get("/invoices/:id", (req, res) => {
            res.json({ id: req.params.id });
          });
        },
      });
      await fetch(`${url}/v1/api/invoices/1`);
      await fetch(`${url}/v1/api/invoices/2`);
      await fetch(`${url}/v1/api/nothing/here`);
      const response = await fetch(`${url}/metrics`);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      const text = await response.text();
      const invoiceRoute = { method: "GET", route: "/v1/api/invoices/:id", status: "200", service: "test" };
      expect(sample(text, "invoice_http_requests_total", invoiceRoute)).toBe(2);
      expect(sample(text, "invoice_http_request_duration_seconds_count", invoiceRoute)).toBe(2);
      expect(sample(text, "invoice_http_requests_total", { route: "unmatched", status: "404" })).toBe(1);
      expect(text).not.toContain("/v1/api/invoices/1");
    });

    it("labels errors thrown by a route with the route pattern", async () => {
      const { url, registry } = await start({
        routes: (router) => {
          router.get("/boom/:id", () => {
            throw new Error("boom");
          });
        },
      });
      await fetch(`${url}/v1/api/boom/1`);
      const text = await registry.metrics();
      expect(sample(text, "invoice_http_requests_total", { route: "/v1/api/boom/:id", status: "500" })).toBe(
        1,
      );
    });
  });

  describe("JSON bodies", () => {
    const echo = {
      routes: (router: import("express").Router) => {
        router.post("/echo", (req, res) => {
          res.json({
            body: req.body,
            rawSha256: createHash("sha256")
              .update(req.rawBody ?? "")
              .digest("hex"),
          });
        });
      },
    };

    it("parses JSON and keeps the raw bytes for signature checks", async () => {
      const { url } = await start(echo);
      const raw = '{ "orderId" : "o-1" }';
      const response = await fetch(`${url}/v1/api/echo`, json(raw));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        body: { orderId: "o-1" },
        rawSha256: createHash("sha256").update(raw).digest("hex"),
      });
    });

    it("accepts +json media types", async () => {
      const { url } = await start(echo);
      const response = await fetch(`${url}/v1/api/echo`, {
        method: "POST",
        headers: { "content-type": "application/merge-patch+json" },
        body: '{"a":1}',
      });
      expect(((await response.json()) as { body: unknown }).body).toEqual({ a: 1 });
    });

    it("answers 413 problem+json for a body over the limit", async () => {
      const { url } = await start(echo);
      const response = await fetch(`${url}/v1/api/echo`, json({ pad: "x".repeat(2000) }));
      expect(response.status).toBe(413);
      expect(await problem(response)).toMatchObject({
        type: "about:blank",
        title: "Payload Too Large",
        status: 413,
        code: "PAYLOAD_TOO_LARGE",
        detail: "Request body exceeds the limit of 1024 bytes.",
        instance: "/v1/api/echo",
      });
    });

    it.each([
      ["truncated", '{"orderId": "o-1"'],
      ["single quotes", "{'a': 1}"],
      ["a bare string (strict mode)", '"just a string"'],
      ["trailing comma", '{"a": 1,}'],
    ])("answers 400 problem+json for malformed JSON: %s", async (_name, body) => {
      const { url } = await start(echo);
      const response = await fetch(`${url}/v1/api/echo`, json(body));
      expect(response.status).toBe(400);
      const parsed = await problem(response);
      expect(parsed).toMatchObject({
        status: 400,
        code: "MALFORMED_JSON",
        detail: "Request body is not valid JSON.",
      });
      expect(parsed.requestId).toBe(response.headers.get("x-request-id"));
    });

    it("lets a route check the raw bytes of a malformed body before anything reads it", async () => {
      const { url } = await start({
        routes: (router) => {
          router.post("/signed", (req, res) => {
            if (req.rawBody?.toString() !== "{oops") {
              res.status(401).json({ raw: req.rawBody?.toString() ?? null });
              return;
            }
            res.json({ body: req.body });
          });
          router.post("/ignores-body", (_req, res) => {
            res.json({ ok: true });
          });
        },
      });
      const signed = await fetch(`${url}/v1/api/signed`, json("{oops"));
      expect(signed.status).toBe(400);
      expect(await problem(signed)).toMatchObject({ code: "MALFORMED_JSON" });
      const ignored = await fetch(`${url}/v1/api/ignores-body`, json("{oops"));
      expect(ignored.status).toBe(200);
    });

    it("answers 400 for a corrupt compressed body, not a logged 500", async () => {
      const { url, logs } = await start(echo);
      const response = await fetch(`${url}/v1/api/echo`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body: "this is not gzip",
      });
      expect(response.status).toBe(400);
      expect(await problem(response)).toMatchObject({ status: 400, code: "BAD_REQUEST" });
      expect(logs().filter((line) => line.level === "error")).toEqual([]);
    });

    it("answers 400 for a UTF-8 JSON body holding other bytes, instead of decoding them to U+FFFD", async () => {
      const { url } = await start(echo);
      // {"name":"Nguy\xean"} in Latin-1, declared as (default) UTF-8.
      const latin1 = Buffer.from('{"name":"Nguy\u00ean"}', "latin1");
      const response = await fetch(`${url}/v1/api/echo`, { ...json(""), body: latin1 });
      expect(response.status).toBe(400);
      expect(await problem(response)).toMatchObject({ code: "MALFORMED_JSON" });
      const utf8 = await fetch(`${url}/v1/api/echo`, json({ name: "Nguyễn 😀" }));
      expect(((await utf8.json()) as { body: unknown }).body).toEqual({ name: "Nguyễn 😀" });
    });

    it("answers 415 for an unsupported content encoding", async () => {
      const { url } = await start(echo);
      const response = await fetch(`${url}/v1/api/echo`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": "compress" },
        body: "{}",
      });
      expect(response.status).toBe(415);
      expect(await problem(response)).toMatchObject({ code: "UNSUPPORTED_ENCODING" });
    });
  });

  it("refuses a non-positive body limit", () => {
    const logger = createLogger({ service: "t", destination: { write: () => undefined } });
    const metricsRegistry = createMetrics({ service: "t", defaultMetrics: false });
    expect(() => createHttpApp({ logger, metricsRegistry, bodyLimitBytes: 0 })).toThrow(RangeError);
  });

  it("lets two apps share one registry", () => {
    const logger = createLogger({ service: "t", destination: { write: () => undefined } });
    const metricsRegistry = createMetrics({ service: "t", defaultMetrics: false });
    createHttpApp({ logger, metricsRegistry, bodyLimitBytes: 10 });
    expect(() => createHttpApp({ logger, metricsRegistry, bodyLimitBytes: 10 })).not.toThrow();
  });
});
