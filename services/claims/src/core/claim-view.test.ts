import { describe, expect, it } from "vitest";
import { type ClaimFacts, viewClaim } from "./claim-view.ts";

const DEADLINE = Date.parse("2026-12-02T10:00:00Z");
const facts = (overrides: Partial<ClaimFacts> = {}): ClaimFacts => ({
  status: "OPEN",
  claimDeadline: DEADLINE,
  closedReason: null,
  invoiceStatus: null,
  ...overrides,
});

describe("viewClaim", () => {
  it("is open until the deadline, and expired from the deadline on, worker or not", () => {
    expect(viewClaim(facts(), DEADLINE - 1)).toEqual({ phase: "open" });
    expect(viewClaim(facts(), DEADLINE)).toEqual({ phase: "expired" });
    expect(viewClaim(facts({ status: "EXPIRED" }), DEADLINE - 1)).toEqual({ phase: "expired" });
  });

  it.each<[string, Partial<ClaimFacts>, unknown]>([
    ["accepted, issuer not done", { status: "SUBMITTED" }, { phase: "submitted", outcome: "pending" }],
    [
      "issuer used it, invoice on its way",
      { status: "SUBMITTED", closedReason: "SUBMITTED", invoiceStatus: "ISSUING" },
      { phase: "submitted", outcome: "pending" },
    ],
    [
      "issued",
      { status: "SUBMITTED", closedReason: "SUBMITTED", invoiceStatus: "ISSUED" },
      { phase: "submitted", outcome: "issued" },
    ],
    [
      "issued then corrected",
      { status: "SUBMITTED", closedReason: "SUBMITTED", invoiceStatus: "ADJUSTED" },
      { phase: "submitted", outcome: "issued" },
    ],
    [
      "checkout details reached the issuer first",
      { status: "SUBMITTED", closedReason: "REQUESTED", invoiceStatus: "ISSUED" },
      { phase: "submitted", outcome: "superseded" },
    ],
    ["refunded after the submission", { status: "SUBMITTED", closedReason: "REFUNDED" }, { phase: "closed" }],
    ["cancelled by the issuer", { status: "CANCELLED", closedReason: "REQUESTED" }, { phase: "closed" }],
  ])("%s", (_name, overrides, view) => {
    expect(viewClaim(facts(overrides), DEADLINE + 60_000)).toEqual(view);
  });
});
