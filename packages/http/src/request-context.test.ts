import { describe, expect, it } from "vitest";
import { resolveRequestId } from "./request-context.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("resolveRequestId", () => {
  it.each(["abc", "0af7651916cd43dd8448eb211c80319c", "nginx.1:2-3_4", "a".repeat(128)])("keeps %j", (id) => {
    expect(resolveRequestId(id)).toBe(id);
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["too long", "a".repeat(129)],
    ["a newline (log injection)", "abc\ninjected"],
    ["non-ASCII", "hóa-đơn"],
    ["repeated header", ["a", "b"]],
  ])("generates a UUID when the incoming id is %s", (_name, incoming) => {
    expect(resolveRequestId(incoming)).toMatch(UUID);
  });

  it("generates a different id each time", () => {
    expect(resolveRequestId(undefined)).not.toBe(resolveRequestId(undefined));
  });
});
