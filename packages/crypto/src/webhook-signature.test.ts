import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signWebhook, type VerifyWebhookInput, verifyWebhook } from "./webhook-signature.ts";

const SECRET = "whsec_test_0123456789abcdef0123456789";
const NOW_MS = Date.UTC(2025, 6, 1, 12, 0, 0);
const TIMESTAMP = String(NOW_MS / 1000);
const BODY = '{"orderId":"o-1","amount":100000}';

function input(overrides: Partial<VerifyWebhookInput> = {}): VerifyWebhookInput {
  return {
    secret: SECRET,
    timestampHeader: TIMESTAMP,
    signatureHeader: signWebhook({ secret: SECRET, timestamp: TIMESTAMP, rawBody: BODY }),
    rawBody: BODY,
    now: NOW_MS,
    ...overrides,
  };
}

describe("signWebhook", () => {
  it('is HMAC-SHA256 over timestamp, "." and the raw body, in lowercase hex', () => {
    const expected = createHmac("sha256", SECRET).update(`${TIMESTAMP}.${BODY}`).digest("hex");
    expect(signWebhook({ secret: SECRET, timestamp: TIMESTAMP, rawBody: BODY })).toBe(expected);
    expect(signWebhook({ secret: SECRET, timestamp: Number(TIMESTAMP), rawBody: Buffer.from(BODY) })).toBe(
      expected,
    );
  });

  it("signs raw bytes as they are, even when they are not valid UTF-8", () => {
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const expected = createHmac("sha256", SECRET)
      .update(Buffer.concat([Buffer.from(`${TIMESTAMP}.`), raw]))
      .digest("hex");
    expect(signWebhook({ secret: SECRET, timestamp: TIMESTAMP, rawBody: raw })).toBe(expected);
    expect(signWebhook({ secret: SECRET, timestamp: TIMESTAMP, rawBody: raw.toString("utf8") })).not.toBe(
      expected,
    );
  });

  it("refuses an empty secret", () => {
    expect(() => signWebhook({ secret: "", timestamp: TIMESTAMP, rawBody: BODY })).toThrow(
      /must not be empty/,
    );
  });
});

describe("verifyWebhook", () => {
  it.each([
    ["a NaN tolerance", { toleranceSeconds: Number.NaN }],
    ["a negative tolerance", { toleranceSeconds: -1 }],
    ["an infinite tolerance", { toleranceSeconds: Number.POSITIVE_INFINITY }],
    ["a NaN clock", { now: Number.NaN }],
  ])("refuses %s instead of silently accepting any timestamp", (_label, overrides) => {
    expect(() => verifyWebhook(input(overrides))).toThrow(TypeError);
  });

  it("accepts a correct signature, with the body as a string or a Buffer", () => {
    expect(verifyWebhook(input())).toEqual({ ok: true });
    expect(verifyWebhook(input({ rawBody: Buffer.from(BODY) }))).toEqual({ ok: true });
  });

  it("accepts the sha256= prefix, upper-case hex and a single-element header array", () => {
    const signature = signWebhook({ secret: SECRET, timestamp: TIMESTAMP, rawBody: BODY });
    expect(verifyWebhook(input({ signatureHeader: `sha256=${signature}` }))).toEqual({ ok: true });
    expect(verifyWebhook(input({ signatureHeader: signature.toUpperCase() }))).toEqual({ ok: true });
    expect(verifyWebhook(input({ signatureHeader: [signature], timestampHeader: [TIMESTAMP] }))).toEqual({
      ok: true,
    });
  });

  it("accepts any of several secrets during rotation", () => {
    const next = "whsec_next_secret_value_0123456789";
    const signedWithNext = signWebhook({ secret: next, timestamp: TIMESTAMP, rawBody: BODY });
    expect(verifyWebhook(input({ secret: [SECRET, next], signatureHeader: signedWithNext }))).toEqual({
      ok: true,
    });
    expect(verifyWebhook(input({ secret: [next, SECRET] }))).toEqual({ ok: true });
    expect(verifyWebhook(input({ secret: [Buffer.from(next)], signatureHeader: signedWithNext }))).toEqual({
      ok: true,
    });
    expect(verifyWebhook(input({ secret: ["some-other-secret"] }))).toEqual({
      ok: false,
      reason: "signature_mismatch",
    });
  });

  it.each<[string, Partial<VerifyWebhookInput>, string]>([
    ["no signature header", { signatureHeader: undefined }, "missing_signature"],
    ["empty signature header", { signatureHeader: "" }, "missing_signature"],
    ["empty header array", { signatureHeader: [] }, "missing_signature"],
    ["short signature", { signatureHeader: "abcd" }, "malformed_signature"],
    ["65 hex characters", { signatureHeader: "a".repeat(65) }, "malformed_signature"],
    ["non-hex signature", { signatureHeader: "z".repeat(64) }, "malformed_signature"],
    ["base64 signature", { signatureHeader: Buffer.alloc(32, 1).toString("base64") }, "malformed_signature"],
    ["unknown scheme prefix", { signatureHeader: `sha1=${"a".repeat(64)}` }, "malformed_signature"],
    [
      "repeated signature header",
      { signatureHeader: ["a".repeat(64), "b".repeat(64)] },
      "malformed_signature",
    ],
    ["no timestamp header", { timestampHeader: undefined }, "missing_timestamp"],
    ["blank timestamp header", { timestampHeader: "  " }, "missing_timestamp"],
    ["ISO date timestamp", { timestampHeader: "2025-07-01T12:00:00Z" }, "malformed_timestamp"],
    ["negative timestamp", { timestampHeader: "-1751371200" }, "malformed_timestamp"],
    ["fractional timestamp", { timestampHeader: `${TIMESTAMP}.5` }, "malformed_timestamp"],
    ["huge timestamp", { timestampHeader: "9".repeat(30) }, "malformed_timestamp"],
    ["repeated timestamp header", { timestampHeader: [TIMESTAMP, TIMESTAMP] }, "malformed_timestamp"],
    ["timestamp in milliseconds", { timestampHeader: String(NOW_MS) }, "timestamp_out_of_tolerance"],
    ["timestamp 301 s old", { now: NOW_MS + 301_000 }, "timestamp_out_of_tolerance"],
    ["timestamp 301 s in the future", { now: NOW_MS - 301_000 }, "timestamp_out_of_tolerance"],
    ["body changed", { rawBody: BODY.replace("100000", "1") }, "signature_mismatch"],
    ["body with a trailing newline", { rawBody: `${BODY}\n` }, "signature_mismatch"],
    ["wrong secret", { secret: "another-secret-value" }, "signature_mismatch"],
  ])("rejects %s", (_name, overrides, reason) => {
    expect(verifyWebhook(input(overrides))).toEqual({ ok: false, reason });
  });

  it("rejects a signature replayed with a different timestamp", () => {
    const later = String(Number(TIMESTAMP) + 60);
    expect(verifyWebhook(input({ timestampHeader: later, now: NOW_MS + 60_000 }))).toEqual({
      ok: false,
      reason: "signature_mismatch",
    });
  });

  it("honours the tolerance window at its edges", () => {
    expect(verifyWebhook(input({ now: NOW_MS + 300_000 }))).toEqual({ ok: true });
    expect(verifyWebhook(input({ now: NOW_MS + 30_000, toleranceSeconds: 30 }))).toEqual({ ok: true });
    expect(verifyWebhook(input({ now: NOW_MS + 31_000, toleranceSeconds: 30 }))).toEqual({
      ok: false,
      reason: "timestamp_out_of_tolerance",
    });
  });

  it("throws on a misconfigured secret instead of verifying against it", () => {
    expect(() => verifyWebhook(input({ secret: [] }))).toThrow(/at least one secret/);
    expect(() => verifyWebhook(input({ secret: "" }))).toThrow(/must not be empty/);
    expect(() => verifyWebhook(input({ secret: [SECRET, ""] }))).toThrow(/must not be empty/);
  });

  it("never accepts a signature for a different body (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (body, other) => {
        fc.pre(body !== other);
        const signature = signWebhook({ secret: SECRET, timestamp: TIMESTAMP, rawBody: body });
        expect(verifyWebhook(input({ rawBody: body, signatureHeader: signature }))).toEqual({ ok: true });
        expect(verifyWebhook(input({ rawBody: other, signatureHeader: signature })).ok).toBe(false);
      }),
    );
  });
});
