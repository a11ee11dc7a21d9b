// Cost of one log call with the platform logger (redaction included), on the hot path's typical records.
//   pnpm exec tsx packages/observability/bench/log-call.bench.ts
// Lines go to a sink that drops them, so the figure is pino's work plus ours, without I/O.
import { createLogger } from "../src/index.ts";

const logger = createLogger({ service: "issuer", destination: { write: () => {} } });
const record = logger.child({ topic: "invoice.issuance", partition: 1, offset: "123456", orderId: "o-8812" });
const fields = {
  eventId: "0f8fad5b-d9cb-469f-a165-70867728950e",
  eventType: "PaymentSucceeded",
  merchantId: "m-42",
  durationMs: 183,
  outcome: "issued",
  attempt: 1,
};
const failure = Object.assign(new Error("provider answered 503"), {
  code: "PROVIDER_UNAVAILABLE",
  retriable: true,
});

const cases: Record<string, () => void> = {
  "typical record (child logger, 6 fields)": () => record.info(fields, "invoice issued"),
  "error record (err with code)": () => record.error({ err: failure, attempt: 2 }, "provider call failed"),
  "request line (headers object)": () =>
    record.info(
      {
        method: "POST",
        path: "/v1/api/webhooks",
        headers: { "content-type": "application/json", "x-signature": "sha256=ab" },
      },
      "request completed",
    ),
};

function measure(run: () => void, iterations: number): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  return Number(process.hrtime.bigint() - started) / iterations;
}

for (const [name, run] of Object.entries(cases)) {
  measure(run, 20_000);
  const runs = Array.from({ length: 7 }, () => measure(run, 50_000)).sort((a, b) => a - b);
  process.stdout.write(
    `${name}: median ${runs[3]?.toFixed(0)} ns/call (min ${runs[0]?.toFixed(0)}, max ${runs[6]?.toFixed(0)})\n`,
  );
}
