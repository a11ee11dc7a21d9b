import { describe, expect, it } from "vitest";
import { HttpProblem } from "./http-problem.ts";
import { json, problem, useTestApp } from "./http-test-support.ts";

const start = useTestApp();

describe("problem+json responses", () => {
  it("answers 404 problem+json for an unknown route, instance without the query string", async () => {
    const { url } = await start();
    const response = await fetch(`${url}/v1/api/claims/abc?token=secret-claim-token`, {
      headers: { "x-request-id": "req-404" },
    });
    expect(response.status).toBe(404);
    const body = await problem(response);
    expect(body).toEqual({
      type: "about:blank",
      title: "Not Found",
      status: 404,
      code: "NOT_FOUND",
      detail: "No route for GET /v1/api/claims/abc.",
      instance: "/v1/api/claims/abc",
      requestId: "req-404",
    });
    expect(JSON.stringify(body)).not.toContain("secret-claim-token");
  });

  it("business routes live under the base path only", async () => {
    const { url } = await start({
      basePath: "/api",
      routes: (router) => {
        router.get("/x", (_req, res) => {
          res.json({ ok: true });
        });
      },
    });
    expect((await fetch(`${url}/api/x`)).status).toBe(200);
    expect((await fetch(`${url}/x`)).status).toBe(404);
    expect((await fetch(`${url}/v1/api/x`)).status).toBe(404);
  });

  it("turns a thrown HttpProblem into its response, with extensions and headers", async () => {
    const { url } = await start({
      routes: (router) => {
        router.post("/claims", async () => {
          throw new HttpProblem({
            status: 422,
            code: "INVALID_TAX_CODE",
            title: "Invalid tax code",
            type: "https://docs.invoice.example/problems/invalid-tax-code",
            detail: "Mã số thuế (tax code) must have 10 or 13 digits.",
            extensions: { errors: [{ field: "buyer.taxCode" }], status: 200, code: "OVERRIDE" },
          });
        });
        router.get("/limited", () => {
          throw new HttpProblem({ status: 429, code: "RATE_LIMITED", headers: { "retry-after": "30" } });
        });
      },
    });
    const response = await fetch(`${url}/v1/api/claims`, json({}));
    expect(response.status).toBe(422);
    expect(await problem(response)).toMatchObject({
      type: "https://docs.invoice.example/problems/invalid-tax-code",
      title: "Invalid tax code",
      status: 422,
      code: "INVALID_TAX_CODE",
      detail: "Mã số thuế (tax code) must have 10 or 13 digits.",
      errors: [{ field: "buyer.taxCode" }],
    });

    const limited = await fetch(`${url}/v1/api/limited`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("30");
    expect(await problem(limited)).toMatchObject({ title: "Too Many Requests", code: "RATE_LIMITED" });
  });

  it.each([
    [
      "a thrown Error",
      () => {
        throw new Error("password authentication failed for user app at db.internal");
      },
    ],
    [
      "a rejected promise",
      async () => {
        await Promise.reject(new TypeError("Cannot read properties of undefined (reading 'taxCode')"));
      },
    ],
    [
      "a thrown non-error",
      () => {
        throw "db.internal unreachable";
      },
    ],
  ])(
    "answers a generic 500 for %s, leaking neither message nor stack, and logs it",
    async (_name, handler) => {
      const { url, logs } = await start({ routes: (router) => router.get("/fail", handler) });
      const response = await fetch(`${url}/v1/api/fail`);
      expect(response.status).toBe(500);
      const text = await response.clone().text();
      expect(text).not.toMatch(/db\.internal|password|taxCode|\.ts:\d+|TypeError|stack/);
      expect(await problem(response)).toMatchObject({
        type: "about:blank",
        title: "Internal Server Error",
        status: 500,
        code: "INTERNAL_ERROR",
        instance: "/v1/api/fail",
        requestId: response.headers.get("x-request-id"),
      });
      const failure = logs().find((line) => line.msg === "request failed");
      expect(failure).toMatchObject({ level: "error", code: "INTERNAL_ERROR" });
      expect(JSON.stringify(failure?.err)).toMatch(/db\.internal|taxCode/);
    },
  );

  it.each([
    [
      "an axios-style provider error with status 401 and expose",
      () =>
        Object.assign(new Error("Request failed with status code 401: upstream says MST 0100109106 locked"), {
          name: "AxiosError",
          status: 401,
          statusCode: 401,
          expose: true,
          config: { headers: { Authorization: "Bearer provider-token-123" } },
          response: { status: 401, data: "upstream says MST 0100109106 locked" },
        }),
    ],
    [
      "an http-errors 404 from a library",
      () =>
        Object.assign(new Error("Not Found: tenant 7 has no template"), {
          status: 404,
          statusCode: 404,
          expose: true,
        }),
    ],
    [
      "an error that looks like body-parser's",
      () =>
        Object.assign(new Error("upstream entity.parse.failed at gateway"), {
          type: "entity.parse.failed",
          status: 400,
        }),
    ],
    ["a handler's own URIError", () => new URIError("URI malformed in provider callback")],
  ])("answers a logged 500, not a 4xx, for %s (issue 7 finding 13)", async (_name, makeError) => {
    const { url, logs } = await start({
      routes: (router) =>
        router.post("/invoices", async () => {
          throw makeError();
        }),
    });
    const response = await fetch(`${url}/v1/api/invoices`, {
      ...json({}),
      headers: { "content-type": "application/json", "x-request-id": "req-13" },
    });
    expect(response.status).toBe(500);
    const text = await response.clone().text();
    expect(text).not.toMatch(/upstream|MST|tenant|template|provider-token|URI malformed|gateway/);
    expect(await problem(response)).toEqual({
      type: "about:blank",
      title: "Internal Server Error",
      status: 500,
      code: "INTERNAL_ERROR",
      detail: "The request could not be completed. Quote the request id when reporting this.",
      instance: "/v1/api/invoices",
      requestId: "req-13",
    });
    // The operator finds the cause by the request id the client quotes; secrets in it stay redacted.
    const failure = logs().find((line) => line.msg === "request failed");
    expect(failure).toMatchObject({ level: "error", requestId: "req-13", code: "INTERNAL_ERROR" });
    expect(JSON.stringify(failure?.err)).toMatch(/upstream|tenant|gateway|URI malformed/);
    expect(JSON.stringify(logs())).not.toContain("provider-token-123");
  });

  it("answers 400 for a path parameter that cannot be decoded", async () => {
    const { url } = await start({
      routes: (router) => {
        router.get("/invoices/:id", (req, res) => {
          res.json({ id: req.params.id });
        });
      },
    });
    const response = await fetch(`${url}/v1/api/invoices/%E0%A4%A`);
    expect(response.status).toBe(400);
    const body = await problem(response);
    expect(body).toMatchObject({ status: 400, code: "BAD_REQUEST", title: "Bad Request" });
    expect(body.detail).toBeUndefined();
  });
});
