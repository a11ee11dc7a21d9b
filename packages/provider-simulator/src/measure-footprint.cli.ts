/**
 * Measures the simulator's memory per issued invoice (the README's figure):
 *
 *   node --expose-gc --import tsx packages/provider-simulator/src/measure-footprint.cli.ts [count]
 */
import { randomUUID } from "node:crypto";
import { InvoiceStore } from "./store.ts";

const count = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");
// Keys arrive as strings parsed out of JSON bodies, as in the server.
const keys = Array.from({ length: count }, () => JSON.parse(JSON.stringify(randomUUID())) as string);
gc();
const before = process.memoryUsage().heapUsed;
const store = new InvoiceStore(Math.random);
const series = Array.from({ length: 10 }, (_, i) =>
  store.series(`01001091${String(i).padStart(2, "0")}`, "1/001", "C26TAA"),
);
const now = Date.now();
for (let i = 0; i < count; i += 1) {
  store.insert(
    series[i % series.length] as (typeof series)[number],
    { transactionUuid: keys[i] as string, issuedAtMs: now, adjustmentType: "1", account: "bench-user" },
    now,
    now,
  );
}
gc();
const after = process.memoryUsage().heapUsed;
console.log(
  JSON.stringify({
    invoices: store.issuedCount,
    heapBytes: after - before,
    bytesPerInvoice: Math.round((after - before) / count),
    keysIncluded: false,
  }),
);
