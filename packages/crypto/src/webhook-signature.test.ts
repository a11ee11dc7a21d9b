import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  signWebhook,
  type VerifyWebhookInput,
  verifyWebhook,
  webhookSignature,
} from "./webhook-signature.ts";

const SECRET = "whsec_test_0123456789abcdef0123456789";
const NEXT = "whsec_next_secret_value_0123456789";
const NOW_MS = Date.UTC(2025, 6, 1, 12, 0, 0);
const TIMESTAMP = String(NOW_MS / 1000);
const BODY = '{"orderId":"o-1","amount":100000}';

const hex = (secret: string, t = TIMESTAMP, body = BODY) =>
  createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");

function input(overrides: Partial<VerifyWebhookInput> = {}): VerifyWebhookInput {
  return {
    secret: SECRET,
    signatureHeader: `t=${TIMESTAMP},v1=${hex(SECRET)}`,
    rawBody: BODY,
    now: NOW_MS,
    ...overrides,
  };
}

const accepted = { ok: true, timestamp: Number(TIMESTAMP) };

describe("signWebhook", () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 over "<t>.<raw body>">', () => {
    expect(signWebhook({ secret: SECRET, timestamp: TIMESTAMP, rawBody: BODY })).toBe(
      `t=${TIMESTAMP},v1=${hex(SECRET)}`,
    );
    expect(webhookSignature(SECRET, Number(TIMESTAMP), Buffer.from(BODY))).toBe(hex(SECRET));
  });

  it("gives one v1 value per secret during a rotation", () => {
    expect(signWebhook({ secret: [NEXT, SECRET], timestamp: TIMESTAMP, rawBody: BODY })).toBe(
      `t=${TIMESTAMP},v1=${hex(NEXT)},v1=${hex(SECRET)}`,
    );
  });

  it("signs raw bytes as they are, even when they are not valid UTF-8", () => {
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const expected = createHmac("sha256", SECRET)
      .update(Buffer.concat([Buffer.from(`${TIMESTAMP}.`), raw]))
      .digest("hex");
    expect(webhookSignature(SECRET, TIMESTAMP, raw)).toBe(expected);
    expect(webhookSignature(SECRET, TIMESTAMP, raw.toString("utf8"))).not.toBe(expected);
  });

  it("refuses an empty secret and a timestamp that is not whole seconds", () => {
    expect(() => signWebhook({ secret: "", timestamp: TIMESTAMP, rawBody: BODY })).toThrow(
      /must not be empty/,
    );
    expect(() => signWebhook({ secret: SECRET, timestamp: "1.5", rawBody: BODY })).toThrow(/unix seconds/);
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
    expect(verifyWebhook(input())).toEqual(accepted);
    expect(verifyWebhook(input({ rawBody: Buffer.from(BODY) }))).toEqual(accepted);
  });

  it("accepts blanks around items, upper-case hex, unknown schemes beside v1, a one-element array", () => {
    const v1 = hex(SECRET);
    for (const header of [
      ` t=${TIMESTAMP} , v1=${v1} `,
      `t=${TIMESTAMP},v1=${v1.toUpperCase()}`,
      `v0=abc,t=${TIMESTAMP},v1=${v1}`,
      `v1=${v1},t=${TIMESTAMP}`,
      [`t=${TIMESTAMP},v1=${v1}`],
    ]) {
      expect(verifyWebhook(input({ signatureHeader: header })), String(header)).toEqual(accepted);
    }
  });

  it("accepts if any v1 value matches any secret (rotation on either side)", () => {
    const both = `t=${TIMESTAMP},v1=${hex(NEXT)},v1=${hex(SECRET)}`;
    expect(verifyWebhook(input({ signatureHeader: both }))).toEqual(accepted);
    expect(verifyWebhook(input({ secret: [NEXT, SECRET] }))).toEqual(accepted);
    expect(verifyWebhook(input({ secret: [Buffer.from(NEXT)], signatureHeader: both }))).toEqual(accepted);
    expect(verifyWebhook(input({ secret: ["some-other-secret"], signatureHeader: both }))).toEqual({
      ok: false,
      reason: "signature_mismatch",
    });
  });

  const v1 = hex(SECRET);
  it.each<[string, Partial<VerifyWebhookInput>, string]>([
    ["no signature header", { signatureHeader: undefined }, "missing_signature"],
    ["empty signature header", { signatureHeader: "" }, "missing_signature"],
    ["empty header array", { signatureHeader: [] }, "missing_signature"],
    ["a bare hex signature (the old layout)", { signatureHeader: v1 }, "malformed_signature"],
    ["no timestamp", { signatureHeader: `v1=${v1}` }, "malformed_signature"],
    ["no v1 value", { signatureHeader: `t=${TIMESTAMP},v0=${v1}` }, "malformed_signature"],
    ["two timestamps", { signatureHeader: `t=${TIMESTAMP},t=${TIMESTAMP},v1=${v1}` }, "malformed_signature"],
    ["short v1", { signatureHeader: `t=${TIMESTAMP},v1=abcd` }, "malformed_signature"],
    ["non-hex v1", { signatureHeader: `t=${TIMESTAMP},v1=${"z".repeat(64)}` }, "malformed_signature"],
    ["an item without =", { signatureHeader: `t=${TIMESTAMP},v1=${v1},junk` }, "malformed_signature"],
    [
      "nine v1 values",
      { signatureHeader: `t=${TIMESTAMP},${Array(9).fill(`v1=${v1}`).join(",")}` },
      "malformed_signature",
    ],
    ["ISO date timestamp", { signatureHeader: `t=2025-07-01T12:00:00Z,v1=${v1}` }, "malformed_signature"],
    ["negative timestamp", { signatureHeader: `t=-1751371200,v1=${v1}` }, "malformed_signature"],
    ["fractional timestamp", { signatureHeader: `t=${TIMESTAMP}.5,v1=${v1}` }, "malformed_signature"],
    ["huge timestamp", { signatureHeader: `t=${"9".repeat(30)},v1=${v1}` }, "malformed_signature"],
    [
      "repeated signature header",
      { signatureHeader: [`t=${TIMESTAMP},v1=${v1}`, `t=${TIMESTAMP},v1=${v1}`] },
      "malformed_signature",
    ],
    ["timestamp in milliseconds", { signatureHeader: `t=${NOW_MS},v1=${v1}` }, "timestamp_out_of_tolerance"],
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
    expect(verifyWebhook(input({ signatureHeader: `t=${later},v1=${v1}`, now: NOW_MS + 60_000 }))).toEqual({
      ok: false,
      reason: "signature_mismatch",
    });
  });

  it("honours the tolerance window at its edges", () => {
    expect(verifyWebhook(input({ now: NOW_MS + 300_000 }))).toEqual(accepted);
    expect(verifyWebhook(input({ now: NOW_MS + 30_000, toleranceSeconds: 30 }))).toEqual(accepted);
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
        const header = signWebhook({ secret: SECRET, timestamp: TIMESTAMP, rawBody: body });
        expect(verifyWebhook(input({ rawBody: body, signatureHeader: header }))).toEqual(accepted);
        expect(verifyWebhook(input({ rawBody: other, signatureHeader: header })).ok).toBe(false);
      }),
    );
  });
});
