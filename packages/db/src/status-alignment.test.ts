import { ORDER_STATUSES } from "@invoice/domain";
import { describe, expect, it } from "vitest";
import { InvoiceStatus } from "./generated/prisma/enums.ts";

// The issuer stores the state machine's status as is: a status the domain can produce but the
// database rejects would fail the transaction of every order that reaches it.
describe("InvoiceStatus", () => {
  it("has exactly the statuses of the domain's order state machine", () => {
    expect(Object.values(InvoiceStatus).sort()).toEqual([...ORDER_STATUSES].sort());
  });
});
