import { describe, expect, it } from "vitest";
import { classifyTransportError } from "./transport.ts";

const err = (code: string, name = "Error") => Object.assign(new Error(code), { code, name });

describe("classifyTransportError", () => {
  it.each([
    ["ECONNREFUSED", "PROVIDER_CONNECTION_REFUSED", "not-created"],
    ["ENOTFOUND", "PROVIDER_DNS_FAILURE", "not-created"],
    ["EAI_AGAIN", "PROVIDER_DNS_FAILURE", "not-created"],
    ["UND_ERR_CONNECT_TIMEOUT", "PROVIDER_CONNECT_TIMEOUT", "not-created"],
    ["UND_ERR_HEADERS_TIMEOUT", "PROVIDER_TIMEOUT", "unknown"],
    ["UND_ERR_BODY_TIMEOUT", "PROVIDER_TIMEOUT", "unknown"],
    ["ECONNRESET", "PROVIDER_CONNECTION_LOST", "unknown"],
    ["UND_ERR_SOCKET", "PROVIDER_CONNECTION_LOST", "unknown"],
    ["SOMETHING_NEW", "PROVIDER_CONNECTION_LOST", "unknown"],
  ])("%s -> %s (%s)", (code, expected, verdict) => {
    const error = classifyTransportError(
      new TypeError("fetch failed", { cause: err(code) }),
      "createInvoice",
      undefined,
    );
    expect(error).toMatchObject({ code: expected, verdict, retriable: true, operation: "createInvoice" });
  });

  it("our deadline firing is a timeout with an unknown outcome", () => {
    const timeout = Object.assign(new Error("The operation was aborted due to timeout"), {
      name: "TimeoutError",
    });
    expect(classifyTransportError(timeout, "createInvoice", undefined)).toMatchObject({
      code: "PROVIDER_TIMEOUT",
      verdict: "unknown",
    });
  });

  it("the caller's abort is a cancellation (unknown: the request may have gone out)", () => {
    const controller = new AbortController();
    controller.abort();
    const abort = Object.assign(new Error("aborted"), { name: "AbortError", code: "UND_ERR_ABORTED" });
    expect(classifyTransportError(abort, "createInvoice", controller.signal)).toMatchObject({
      code: "PROVIDER_CANCELLED",
      verdict: "unknown",
    });
  });
});
