import { connect } from "@invoice/db/testing";
import type { IncomingRecord } from "@invoice/kafka";
import { collectingConsumer, testClient, untilCommittedToEnd } from "@invoice/kafka/testing";
import { uniqueName, waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliHarness, createCliHarness } from "./cli-harness.ts";

// The CLI against the real stack: a DLQ topic and a replay target of this file's own, DLQ records
// with the processing layer's headers, and a database with the migrations (the replay audit).
const kafka = testClient();
const admin = kafka.admin();
const producer = kafka.producer();
const dlqTopic = uniqueName("cli-dlq");
const targetTopic = uniqueName("cli-target");
const lagTopic = uniqueName("cli-lag");
const groups: string[] = [];
let cli: CliHarness;

const dlqHeaders = (over: Record<string, string>) => ({
  eventId: uniqueName("ev"),
  "content-type": "application/octet-stream",
  "dlq.original.topic": targetTopic,
  "dlq.original.partition": "0",
  "dlq.original.offset": "12",
  "dlq.original.timestamp": "1700000000000",
  "dlq.consumer.group": "ISSUER_CONSUMER",
  "dlq.reason": "non-retryable",
  "dlq.error.class": "TypeError",
  "dlq.error.message": "boom",
  "dlq.error.stack": "TypeError: boom\n    at handler",
  "dlq.failed-at": String(Date.now()),
  ...over,
});

beforeAll(async () => {
  await admin.connect();
  await admin.ensureTopics([
    { topic: dlqTopic, partitions: 3 },
    { topic: targetTopic, partitions: 3 },
    { topic: lagTopic, partitions: 2 },
  ]);
  await producer.connect();
  cli = await createCliHarness();
  await producer.send(dlqTopic, [
    {
      key: "order-a",
      value: JSON.stringify({ merchantId: "m-1", n: 1 }),
      headers: dlqHeaders({
        "dlq.reason": "exhausted",
        "dlq.error.class": "ProviderError",
        "dlq.error.code": "PROVIDER_TIMEOUT",
        "retry.attempt": "8",
      }),
    },
    { key: "order-b", value: JSON.stringify({ merchantId: "m-2", n: 2 }), headers: dlqHeaders({}) },
    {
      key: "order-c",
      value: Buffer.from([0xff, 0xfe, 0x00]),
      headers: dlqHeaders({ "dlq.reason": "deserialization", "dlq.error.class": "SchemaCodecError" }),
    },
  ]);
});

afterAll(async () => {
  await producer.disconnect();
  await admin.deleteTopics([dlqTopic, targetTopic, lagTopic]).catch(() => undefined);
  await admin.deleteGroups(groups).catch(() => undefined);
  await admin.disconnect();
  await cli?.db.drop();
});

interface ListResult {
  matched: number;
  byReason: Record<string, number>;
  records: Array<{ id: string; key: string; merchantId: string | null; reason: string; replayTopic: string }>;
}

describe("invoice dlq", () => {
  it("lists with counts by reason and filters by reason, merchant, order, error class and time", async () => {
    const all = await cli.json<ListResult>(["dlq", "list", "--topic", dlqTopic]);
    expect(all.code).toBe(0);
    expect(all.value.matched).toBe(3);
    expect(all.value.byReason).toEqual({ exhausted: 1, "non-retryable": 1, deserialization: 1 });
    const byMerchant = await cli.json<ListResult>(["dlq", "list", "--topic", dlqTopic, "--merchant", "m-2"]);
    expect(byMerchant.value.records.map((r) => r.key)).toEqual(["order-b"]);
    const byCode = await cli.json<ListResult>([
      "dlq",
      "list",
      "--topic",
      dlqTopic,
      "--error-class",
      "PROVIDER_TIMEOUT",
    ]);
    expect(byCode.value.records.map((r) => r.key)).toEqual(["order-a"]);
    const byOrder = await cli.json<ListResult>([
      "dlq",
      "list",
      "--topic",
      dlqTopic,
      "--order",
      "order-c",
      "--reason",
      "deserialization",
    ]);
    expect(byOrder.value.matched).toBe(1);
    const future = await cli.json<ListResult>([
      "dlq",
      "list",
      "--topic",
      dlqTopic,
      "--since",
      String(Date.now() + 60_000),
    ]);
    expect(future.value.matched).toBe(0);
    const human = await cli.run(["dlq", "list", "--topic", dlqTopic]);
    expect(human.stdout).toContain("3 record(s) match");
    expect(human.stdout).toContain("order-b");
  });

  it("inspects one record with every header and its decoded value; a missing one exits 3", async () => {
    const list = await cli.json<ListResult>(["dlq", "list", "--topic", dlqTopic, "--order", "order-a"]);
    const id = list.value.records[0]?.id as string;
    const inspected = await cli.json<{
      headers: Record<string, string>;
      value: { format: string; value: unknown };
    }>(["dlq", "inspect", id, "--topic", dlqTopic]);
    expect(inspected.code).toBe(0);
    expect(inspected.value.headers["dlq.error.stack"]).toContain("at handler");
    expect(inspected.value.headers["retry.attempt"]).toBe("8");
    expect(inspected.value.value).toEqual({ format: "json", value: { merchantId: "m-1", n: 1 } });
    const missing = await cli.run(["dlq", "inspect", "0:999999", "--topic", dlqTopic]);
    expect(missing.code).toBe(3);
    const bad = await cli.run(["dlq", "inspect", "nope", "--topic", dlqTopic]);
    expect(bad.code).toBe(2);
  });

  it("replays to the original topic with the original key, bytes and own headers, audited; dry run sends nothing", async () => {
    const list = await cli.json<ListResult>(["dlq", "list", "--topic", dlqTopic]);
    const b = list.value.records.find((r) => r.key === "order-b");
    const c = list.value.records.find((r) => r.key === "order-c");
    expect(b?.replayTopic).toBe(targetTopic);

    const refused = await cli.run(["dlq", "replay", "--topic", dlqTopic]);
    expect(refused.code).toBe(2);

    const dry = await cli.json<{ dryRun: number; sent: number }>([
      "dlq",
      "replay",
      "--topic",
      dlqTopic,
      "--record",
      `${b?.id}`,
      "--dry-run",
    ]);
    expect(dry.code).toBe(0);
    expect(dry.value).toMatchObject({ dryRun: 1, sent: 0 });

    const replay = await cli.json<{ sent: number; failed: number; actionId: string; status: string }>([
      "dlq",
      "replay",
      "--topic",
      dlqTopic,
      "--record",
      `${b?.id},${c?.id}`,
      "--rate",
      "20",
    ]);
    expect(replay.code).toBe(0);
    expect(replay.value).toMatchObject({ sent: 2, failed: 0, status: "COMPLETED" });

    const seen: IncomingRecord[] = [];
    const group = uniqueName("cli-target-reader");
    groups.push(group);
    const consumer = await collectingConsumer(kafka, group, [targetTopic], seen);
    try {
      await waitFor(() => seen.length >= 2, {
        timeoutMs: 60_000,
        description: "replayed records on the target",
      });
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toHaveLength(2);
    const replayedB = seen.find((r) => r.key?.toString() === "order-b");
    const replayedC = seen.find((r) => r.key?.toString() === "order-c");
    expect(replayedB?.value?.toString()).toBe(JSON.stringify({ merchantId: "m-2", n: 2 }));
    expect(replayedC?.value).toEqual(Buffer.from([0xff, 0xfe, 0x00]));
    expect(Object.keys(replayedB?.headers ?? {}).some((h) => h.startsWith("dlq."))).toBe(false);
    expect(replayedB?.headers.eventId).toMatch(/^ev/);
    expect(replayedB?.headers["replay.action-id"]).toBe(replay.value.actionId);

    const pg = await connect(cli.db.url);
    try {
      const actions = await pg.query(
        `SELECT id::text, command, actor, "dryRun", status FROM "OperatorAction" ORDER BY "startedAt"`,
      );
      expect(actions.rows.map((r) => [r.command, r.actor, r.dryRun, r.status])).toEqual([
        ["dlq replay", "ops:cli-test", true, "COMPLETED"],
        ["dlq replay", "ops:cli-test", false, "COMPLETED"],
      ]);
      const rows = await pg.query(
        `SELECT "recordKey", outcome, "targetTopic", "targetOffset" FROM "DlqReplayRecord" WHERE "actionId" = $1 ORDER BY "recordKey"`,
        [replay.value.actionId],
      );
      expect(rows.rows.map((r) => [r.recordKey, r.outcome, r.targetTopic])).toEqual([
        ["order-b", "SENT", targetTopic],
        ["order-c", "SENT", targetTopic],
      ]);
      expect(rows.rows.every((r) => r.targetOffset !== null)).toBe(true);
    } finally {
      await pg.end();
    }
  });
});

describe("invoice ops", () => {
  it("partition: Kafka's murmur2 like the Java client (UtilsTest vectors), under --partitions", async () => {
    // Java's Utils.murmur2 of these keys (Kafka UtilsTest); toPositive(h) % n is the Java partition.
    const vectors: Array<[string, number]> = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107],
    ];
    for (const [key, hash] of vectors) {
      for (const n of [3, 7, 12]) {
        const { code, value } = await cli.json<{ partition: number }>([
          "ops",
          "partition",
          key,
          "--partitions",
          String(n),
        ]);
        expect(code).toBe(0);
        expect(value.partition).toBe((hash & 0x7fffffff) % n);
      }
    }
    const env = await cli.json<{ partitions: number }>(["ops", "partition", "x"], {
      INVOICE_ISSUANCE_PARTITIONS: "5",
    });
    expect(env.value.partitions).toBe(5);
  });

  it("lag: per group/topic/partition, equal to the lag computed from the admin API", async () => {
    const group = uniqueName("cli-lag-group");
    groups.push(group);
    await producer.send(
      lagTopic,
      Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: "v" })),
    );
    const sink: IncomingRecord[] = [];
    const consumer = await collectingConsumer(kafka, group, [lagTopic], sink);
    await untilCommittedToEnd(admin, group, [lagTopic]);
    await consumer.disconnect();
    await producer.send(
      lagTopic,
      Array.from({ length: 9 }, (_, i) => ({ key: `later-${i}`, value: "v" })),
    );

    const { code, value } = await cli.json<{
      total: number;
      partitions: Array<{ partition: number; lag: number; group: string }>;
    }>(["ops", "lag", "--group", group]);
    expect(code).toBe(0);
    const [committed, ends] = await Promise.all([
      admin.groupOffsets(group, lagTopic),
      admin.topicOffsets(lagTopic),
    ]);
    const expected = ends.map((end) => {
      const c = committed.find((x) => x.partition === end.partition)?.offset ?? "-1";
      return { partition: end.partition, lag: Number(BigInt(end.high) - BigInt(c === "-1" ? end.low : c)) };
    });
    expect(value.partitions.map((p) => ({ partition: p.partition, lag: p.lag }))).toEqual(expected);
    expect(value.total).toBe(9);
  });

  it("show and replay of an unknown order exit 3; --help works on every command", async () => {
    expect((await cli.run(["ops", "show", uniqueName("no-order")])).code).toBe(3);
    expect((await cli.run(["ops", "replay", uniqueName("no-order"), "--reason", "x"])).code).toBe(3);
    for (const args of [
      ["--help"],
      ["dlq", "--help"],
      ["dlq", "replay", "--help"],
      ["ops", "lag", "--help"],
    ]) {
      const { code, stdout } = await cli.run(args);
      expect(code).toBe(0);
      expect(stdout).toContain("Usage:");
    }
  });
});
