import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, migrate, Prisma, type PrismaClient } from "../src/index.ts";
import { createTempDatabase, type TempDatabase } from "../src/testing/index.ts";

let db: TempDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTempDatabase("db_client");
  await migrate({ databaseUrl: db.url, seed: false });
  prisma = createPrismaClient({ databaseUrl: db.url });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

// Snowflake ids use all 63 bits: far beyond Number.MAX_SAFE_INTEGER.
const BIG = 2n ** 62n + 12_345n;

function invoiceData(id: bigint, orderId: string) {
  return {
    id,
    merchantId: "merchant-1",
    orderId,
    status: "REQUESTED" as const,
    buyerKind: "COMPANY" as const,
    buyerName: "Công ty TNHH Ví Dụ",
    buyerTaxCode: "0101234567",
    sellerTaxCode: "0309876543",
    sellerSnapshot: { taxCode: "0309876543", legalName: "Cửa hàng Mẫu" },
    provider: "simulator",
    providerConfigSnapshot: { templateCode: "1/001", invoiceSeries: "C26TAA" },
    invoiceType: "1",
    templateCode: "1/001",
    invoiceSeries: "C26TAA",
    totalAmountWithoutTax: 9_000_000_000_000n,
    totalTaxAmount: 720_000_000_000n,
    totalAmountWithTax: 9_720_000_000_000n,
    transactionUuid: randomUUID(),
  };
}

describe("Prisma client through @prisma/adapter-pg", () => {
  it("creates and reads an invoice with BigInt ids, VND amounts, decimals and JSON", async () => {
    const created = await prisma.invoice.create({
      data: {
        ...invoiceData(BIG, "order-1"),
        lines: {
          create: [
            {
              id: BIG + 1n,
              lineNumber: 1,
              name: "Gạo ST25",
              quantity: new Prisma.Decimal("1.5"),
              unitPrice: 6_000_000_000_000n,
              amountWithoutTax: 9_000_000_000_000n,
              vatRateCode: "8",
              vatRateBasisPoints: 800,
              vatAmount: 720_000_000_000n,
              amountWithTax: 9_720_000_000_000n,
            },
          ],
        },
      },
    });
    expect(created.id).toBe(BIG);

    const read = await prisma.invoice.findUniqueOrThrow({ where: { id: BIG }, include: { lines: true } });
    expect(read.id).toBe(BIG);
    expect(read.totalAmountWithTax).toBe(9_720_000_000_000n);
    expect(read.status).toBe("REQUESTED");
    expect(read.currencyCode).toBe("VND");
    expect(read.sellerSnapshot).toEqual({ taxCode: "0309876543", legalName: "Cửa hàng Mẫu" });
    expect(read.lines).toHaveLength(1);
    expect(read.lines[0]?.id).toBe(BIG + 1n);
    expect(read.lines[0]?.quantity.toString()).toBe("1.5");
  });

  it("surfaces the active-invoice rule as a unique violation (P2002) a service can classify", async () => {
    await prisma.invoice.create({ data: invoiceData(BIG + 10n, "order-2") });
    const error = await prisma.invoice.create({ data: invoiceData(BIG + 11n, "order-2") }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((error as Prisma.PrismaClientKnownRequestError).code).toBe("P2002");
    expect(await prisma.invoice.count({ where: { orderId: "order-2" } })).toBe(1);
  });

  it("runs raw SQL in the same schema as the generated queries", async () => {
    await prisma.invoice.create({ data: invoiceData(BIG + 20n, "order-raw") });
    const rows = await prisma.$queryRawUnsafe<Array<{ orderId: string; schema: string }>>(
      `SELECT "orderId", current_schema() AS schema FROM "Invoice" WHERE "orderId" = $1`,
      "order-raw",
    );
    expect(rows).toEqual([{ orderId: "order-raw", schema: "invoice" }]);
  });
});
