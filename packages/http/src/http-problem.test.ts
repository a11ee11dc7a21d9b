import { isRetriable, PlatformError } from "@invoice/errors";
import { describe, expect, it } from "vitest";
import { HttpProblem } from "./http-problem.ts";

describe("HttpProblem", () => {
  it("defaults the title to the status phrase and the type to about:blank", () => {
    const problem = new HttpProblem({ status: 404, code: "INVOICE_NOT_FOUND" });
    expect(problem.toProblemDetails({ instance: "/v1/api/invoices/1", requestId: "r1" })).toEqual({
      type: "about:blank",
      title: "Not Found",
      status: 404,
      instance: "/v1/api/invoices/1",
      code: "INVOICE_NOT_FOUND",
      requestId: "r1",
    });
    expect(problem).toBeInstanceOf(Error);
    expect(problem.retriable).toBe(false);
  });

  it("is a PlatformError with the problem's code, retriable for 408, 429 and 5xx", () => {
    const problem = new HttpProblem({ status: 503, code: "PROVIDER_UNAVAILABLE" });
    expect(problem).toBeInstanceOf(PlatformError);
    expect(problem.code).toBe("PROVIDER_UNAVAILABLE");
    expect(isRetriable(problem)).toBe(true);
    expect(isRetriable(new HttpProblem({ status: 422, code: "INVALID_TAX_CODE" }))).toBe(false);
    expect(new HttpProblem({ status: 408, code: "REQUEST_TIMEOUT" }).retriable).toBe(true);
    expect(new HttpProblem({ status: 429, code: "RATE_LIMITED" }).retriable).toBe(true);
    expect(new HttpProblem({ status: 503, code: "PROVIDER_UNAVAILABLE" }).retriable).toBe(true);
    expect(new HttpProblem({ status: 409, code: "CONFLICT" }).retriable).toBe(false);
  });

  it("keeps standard members when extensions try to override them, and never serialises the cause", () => {
    const problem = new HttpProblem({
      status: 400,
      code: "VALIDATION_FAILED",
      extensions: { status: 200, title: "fine", errors: ["x"] },
      cause: new Error("db password in here"),
    });
    const details = problem.toProblemDetails();
    expect(details).toMatchObject({ status: 400, title: "Bad Request", errors: ["x"] });
    expect(JSON.stringify(details)).not.toContain("password");
    expect((problem.cause as Error).message).toBe("db password in here");
  });

  it.each([
    ["status 200", { status: 200, code: "OK" }],
    ["status 600", { status: 600, code: "X" }],
    ["fractional status", { status: 400.5, code: "X" }],
    ["lower-case code", { status: 400, code: "bad_request" }],
    ["empty code", { status: 400, code: "" }],
  ])("refuses %s", (_name, options) => {
    expect(() => new HttpProblem(options)).toThrow(TypeError);
  });
});
