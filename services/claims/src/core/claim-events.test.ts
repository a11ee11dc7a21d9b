import { issuanceEventToWire } from "@invoice/schemas";
import { validate as isUuid, version as uuidVersion } from "uuid";
import { describe, expect, it } from "vitest";
import { claimExpiredEventId, claimSubmittedEventId, type OwedClaim, owedEvent } from "./claim-events.ts";

const TOKEN = "3f0c6a52-8d2e-4b7a-9c41-5e6f7a8b9c0d";
const base = {
  token: TOKEN,
  merchantId: "M-1",
  orderId: "ORD-1",
  claimDeadline: new Date("2026-12-02T10:00:00.000Z"),
};

describe("claim event ids", () => {
  it("are version-5 UUIDs, stable for the same claim, distinct between claims and kinds", () => {
    const expired = claimExpiredEventId(TOKEN);
    expect(isUuid(expired) && uuidVersion(expired)).toBe(5);
    expect(claimExpiredEventId(TOKEN)).toBe(expired);
    expect(claimExpiredEventId(TOKEN.replace("3f", "4f"))).not.toBe(expired);
    const submitted = claimSubmittedEventId(TOKEN, "s-1");
    expect(submitted).not.toBe(expired);
    expect(claimSubmittedEventId(TOKEN, "s-2")).not.toBe(submitted);
    expect(expired).not.toContain(TOKEN.slice(0, 8));
  });
});

describe("owedEvent", () => {
  it("builds ClaimExpired at the deadline", () => {
    expect(owedEvent({ ...base, status: "EXPIRED" })).toEqual({
      event: {
        eventId: claimExpiredEventId(TOKEN),
        orderId: "ORD-1",
        merchantId: "M-1",
        occurredAt: base.claimDeadline.getTime(),
        type: "ClaimExpired",
        payload: { claimToken: TOKEN },
      },
      meta: { source: "claims/expiry-worker", correlationId: null },
    });
  });

  it("builds ClaimSubmitted with the stored buyer, the same way every time, and the wire record from it", () => {
    const submittedAt = new Date("2026-12-02T09:00:00.000Z");
    const claim: OwedClaim = {
      ...base,
      status: "SUBMITTED",
      submissionId: "6c8e8f4a-0b7d-4c55-9d1e-2f3a4b5c6d7e",
      submittedAt,
      submission: {
        buyer: {
          kind: "company",
          name: "Công ty A",
          taxCode: "0100109106",
          address: "1 Lê Lợi",
          email: "a@b.vn",
        },
        locale: "vi",
        requestId: "req-1",
      },
    };
    const owed = owedEvent(claim);
    expect(owed).toEqual(owedEvent(structuredClone(claim)));
    expect(owed).toMatchObject({
      event: {
        eventId: claimSubmittedEventId(TOKEN, claim.submissionId),
        occurredAt: submittedAt.getTime(),
        type: "ClaimSubmitted",
        payload: { claimToken: TOKEN, buyer: claim.submission.buyer },
      },
      meta: { source: "claims/api", correlationId: "req-1" },
    });
    const wire = issuanceEventToWire(owed.event, owed.meta);
    expect(wire).toMatchObject({
      ok: true,
      value: {
        type: "CLAIM_SUBMITTED",
        payload: {
          "vn.invoice.issuance.ClaimSubmitted": {
            claimToken: TOKEN,
            submittedAt: submittedAt.getTime(),
            buyer: { kind: "COMPANY", taxCode: "0100109106", personalId: null, phone: null },
          },
        },
      },
    });
  });
});
