// `pnpm bench ingest [--seconds 10] [--connections 32]`: signed webhook requests (autocannon) at ingest
// (services/ingest/src/main.ts, acks=all), and in the same run at a bare express app that only parses
// the body and sends a record with the same Kafka client (bench/ingest-bare-app.ts): the ceiling for
// this machine. Then ingest again at half its maximum rate for the p99. Against the local stack
// (Kafka, registry, PostgreSQL, Redis); every request is unique (its own eventId and orderId), so the
// replay cache never short-cuts one. Last line:
//   {"bench":"ingest","ours_rps":…,"bare_rps":…,"ratio":…,"p99_ms":…,"peak_rss_mb":…}
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { signWebhook } from "@invoice/crypto";
import { createTempDatabase } from "@invoice/db/testing";
import { createAvroCodec } from "@invoice/kafka";
import { issuanceEventToAvro, loadSchema, valueSubject } from "@invoice/schemas";
import { stackEnv, waitFor } from "@invoice/testing";
import autocannon from "autocannon";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "10" }, connections: { type: "string", default: "32" } },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const stack = stackEnv();
const secret = `whsec_bench_${randomBytes(24).toString("hex")}`;
const root = new URL("..", import.meta.url);

function readLine(
  child: ChildProcess,
  match: (line: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let pending = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (match(parsed)) resolve(parsed);
        } catch {
          // not JSON: ignore
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`process exited (${code}) before it was ready`)));
  });
}

function rssMb(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

function body(): string {
  return JSON.stringify({
    eventId: randomUUID(),
    type: "invoice.requested",
    occurredAt: new Date().toISOString(),
    merchantId: "M-BENCH",
    orderId: `ORD-${randomUUID()}`,
    data: {
      buyer: {
        kind: "company",
        name: "Công ty TNHH Bench",
        taxCode: "0100109106",
        address: "Số 1 Tràng Tiền, Hà Nội",
      },
    },
  });
}

async function load(url: string, options: { overallRate?: number; duration: number }) {
  const result = await autocannon({
    url: `${url}/v1/api/webhooks/merchant`,
    connections,
    duration: options.duration,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const raw = body();
          return {
            ...request,
            body: raw,
            headers: {
              "content-type": "application/json",
              "x-signature": signWebhook({ secret, timestamp: Math.floor(Date.now() / 1000), rawBody: raw }),
            },
          };
        },
      },
    ],
  });
  const ok = result["2xx"];
  return { rps: ok / result.duration, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

const database = await createTempDatabase("bench_ingest", { migrate: true });
// The heap cap a 256 MB container would give Node (it sizes its heap from the cgroup limit); without
// one, V8 on this 24 GB machine lets garbage pile up and RSS says little about what ingest needs.
const heapMb = process.env.BENCH_INGEST_HEAP_MB ?? "160";
const ingest = spawn(
  process.execPath,
  [`--max-old-space-size=${heapMb}`, "--import", "tsx", "services/ingest/src/main.ts"],
  {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      KAFKA_BROKERS: stack.kafkaBrokers.join(","),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      REDIS_URL: stack.redisUrl,
      DATABASE_URL: database.url,
      PORT: "0",
      APP_ENV_INVOICE_SERVICE_CODE: `BENCH-INGEST-${Date.now()}`,
      APP_ENV_INVOICE_CREDENTIALS_KEY: randomBytes(32).toString("hex"),
      WEBHOOK_SECRET: secret,
      WEBHOOK_INTERNAL_SECRET: `whsec_internal_${randomBytes(24).toString("hex")}`,
      WEBHOOK_REPLAY_KEY_PREFIX: `bench:replay:${Date.now()}`,
      INGEST_CONSUMERS_ENABLED: "false",
      LOG_LEVEL: "info",
    },
  },
);
let bare: ChildProcess | undefined;
try {
  const started = await readLine(ingest, (l) => l.msg === "service started");
  const ingestUrl = `http://127.0.0.1:${started.port}`;
  const codec = createAvroCodec({ url: stack.schemaRegistryUrl });
  const schemaId = await codec.register(valueSubject("invoice.issuance"), loadSchema("issuance-event"));
  const sample = await codec.encode(
    schemaId,
    issuanceEventToAvro({
      eventId: randomUUID(),
      orderId: "ORD-BENCH",
      merchantId: "M-BENCH",
      occurredAt: Date.now(),
      source: "bench/bare",
      correlationId: null,
      type: "REPLAY_REQUESTED",
      payload: { reason: "bench", requestedBy: "bench" },
    }),
  );
  bare = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "bench/ingest-bare-app.ts",
      stack.kafkaBrokers.join(","),
      "invoice.issuance",
      sample.toString("hex"),
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  const bareUrl = `http://127.0.0.1:${(await readLine(bare, (l) => typeof l.port === "number")).port}`;
  await waitFor(async () => (await fetch(`${ingestUrl}/ready`)).ok, {
    timeoutMs: 60_000,
    description: "ingest ready",
  });

  let peak = rssMb(ingest.pid ?? 0);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(ingest.pid ?? 0));
  }, 200);
  await load(ingestUrl, { duration: 2 }); // warm-up (JIT, connections, schema cache)
  await load(bareUrl, { duration: 2 });
  const ours = await load(ingestUrl, { duration: seconds });
  const ceiling = await load(bareUrl, { duration: seconds });
  const half = await load(ingestUrl, {
    duration: seconds,
    overallRate: Math.max(1, Math.floor(ours.rps / 2)),
  });
  clearInterval(sampler);
  const loadAverage = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.error(
    `ours max: ${ours.rps.toFixed(0)} rps (non-2xx ${ours.non2xx}, errors ${ours.errors}, p99 ${ours.p99} ms); ` +
      `heap cap ${heapMb} MB; bare max: ${ceiling.rps.toFixed(0)} rps (p99 ${ceiling.p99} ms); ours at half: ${half.rps.toFixed(0)} rps, ` +
      `p99 ${half.p99} ms (non-2xx ${half.non2xx}); load average ${loadAverage}; ${connections} connections, ${seconds} s`,
  );
  console.log(
    JSON.stringify({
      bench: "ingest",
      ours_rps: Math.round(ours.rps),
      bare_rps: Math.round(ceiling.rps),
      ratio: Number((ours.rps / ceiling.rps).toFixed(2)),
      p99_ms: half.p99,
      peak_rss_mb: Math.round(peak),
    }),
  );
} finally {
  bare?.kill("SIGTERM");
  ingest.kill("SIGTERM");
  await new Promise((resolve) => ingest.once("exit", resolve));
  await database.drop();
}
