import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { partitionForKey, readConsumerLag } from "@invoice/kafka";
import { issuanceEventToAvro, loadSchema, valueSubject } from "@invoice/schemas";
import type { Command } from "commander";
import type { CliContext } from "../shared/cli-context.ts";
import { createOutput, EXIT, NotFoundError, table, UsageError } from "../shared/cli-env.ts";
import { cliTopics } from "../shared/cli-topics.ts";
import { findOrder } from "./order-lookup.ts";

/** Content type of the issuance events the CLI publishes (the same wire format as ingest's). */
const ISSUANCE_CONTENT_TYPE = "application/vnd.invoice.issuance-event.v1+avro";

/** `invoice ops ...`: partition, lag, show, replay, resync-merchant. */
export function registerOpsCommands(
  program: Command,
  context: CliContext,
  setExit: (code: number) => void,
): void {
  const ops = program
    .command("ops")
    .description("operations: partitions, lag, order state, replays, merchant re-sync");

  ops
    .command("partition")
    .description(
      "the partition of an orderId under the configured partition count (Kafka's murmur2, like every Java client)",
    )
    .argument("<orderId>", "the record key")
    .option("--partitions <n>", "partition count (default INVOICE_ISSUANCE_PARTITIONS, else 3)")
    .option("--json", "print JSON instead of text")
    .action((orderId: string, options: { partitions?: string; json?: boolean }) => {
      const partitions =
        options.partitions === undefined ? context.env.issuancePartitions : Number(options.partitions);
      if (!Number.isInteger(partitions) || partitions < 1)
        throw new UsageError(`--partitions must be a positive integer, got "${options.partitions}"`);
      const partition = partitionForKey(orderId, partitions);
      createOutput(Boolean(options.json), context.stdout).result({ orderId, partitions, partition }, (r) =>
        context.stdout(`${r.orderId} → partition ${r.partition} of ${r.partitions}\n`),
      );
    });

  ops
    .command("lag")
    .description("consumer lag now per group/topic/partition, from the admin API")
    .option("--group <id...>", "only these groups (default: every group)")
    .option("--topic <name...>", "only these topics")
    .option("--json", "print JSON instead of text")
    .action(async (options: { group?: string[]; topic?: string[]; json?: boolean }) => {
      const admin = context.kafka().admin();
      await admin.connect();
      try {
        const lag = await readConsumerLag(admin, {
          ...(options.group ? { groups: options.group } : {}),
          ...(options.topic ? { topics: options.topic } : {}),
        });
        const total = lag.reduce((sum, l) => sum + l.lag, 0);
        createOutput(Boolean(options.json), context.stdout).result({ total, partitions: lag }, (r) => {
          if (r.partitions.length === 0) {
            context.stdout("no committed offsets for the selected groups\n");
            return;
          }
          context.stdout(
            `${table([
              ["GROUP", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG"],
              ...r.partitions.map((l) => [
                l.group,
                l.topic,
                String(l.partition),
                l.committed,
                l.high,
                String(l.lag),
              ]),
            ])}\ntotal lag ${r.total}\n`,
          );
        });
      } finally {
        await admin.disconnect();
      }
    });

  ops
    .command("show")
    .description("an order's state, issuance attempts (provider payloads redacted), audit trail and claim")
    .argument("<orderId|sourceId>", "orderId, invoice id, transactionUuid or provider transaction id")
    .option("--merchant <id>", "the merchant, when the same orderId exists for several")
    .option("--json", "print JSON instead of text")
    .action(async (id: string, options: { merchant?: string; json?: boolean }) => {
      const { audit, prisma } = await context.openAudit();
      try {
        const view = await findOrder(prisma, id, options.merchant);
        if (!view) throw new NotFoundError(`no order, invoice or transaction ${id}`);
        createOutput(Boolean(options.json), context.stdout).result(view, (v) => {
          const out = createOutput(false, context.stdout);
          out.line(
            `order ${v.orderId}  merchant ${v.merchantId}  state ${v.state?.status ?? "(no state)"} v${v.state?.version ?? "-"}  updated ${v.state?.updatedAt ?? "-"}`,
          );
          for (const inv of v.invoices) {
            out.line(
              `invoice ${inv.id}  ${inv.status}  series ${inv.invoiceSeries}  no ${inv.providerInvoiceNo ?? "-"}  tx ${inv.transactionUuid}${inv.failureReason ? `  failure: ${inv.failureReason}` : ""}`,
            );
          }
          out.line(`issuance attempts (${v.attempts.length}):`);
          for (const a of v.attempts)
            out.line(
              `  #${a.attempt} ${a.operation} ${a.outcome} http=${a.httpStatus ?? "-"} ${a.latencyMs ?? "-"}ms ${a.errorClass ?? ""} ${a.errorMessage ?? ""}`.trimEnd(),
            );
          out.line(`audit trail (${v.audit.length}):`);
          for (const a of v.audit)
            out.line(
              `  ${a.createdAt} ${a.eventType} ${a.outcome} ${a.fromStatus ?? "-"}→${a.toStatus ?? "-"} by ${a.actor}`,
            );
          out.line(
            `claim: ${v.claim ? `${v.claim.status} token ${v.claim.token} deadline ${v.claim.claimDeadline}` : "none"}`,
          );
        });
      } finally {
        await audit.close();
      }
    });

  ops
    .command("replay")
    .description("ask the issuer to try an order again (publishes ReplayRequested to invoice.issuance)")
    .argument("<orderId>", "the order")
    .requiredOption("--reason <text>", "why (kept in the event and the audit)")
    .option("--merchant <id>", "the merchant (default: the one the order belongs to)")
    .option("--dry-run", "show the event, publish nothing")
    .option("--json", "print JSON instead of text")
    .action(
      async (
        orderId: string,
        options: { reason: string; merchant?: string; dryRun?: boolean; json?: boolean },
      ) => {
        const { audit, prisma } = await context.openAudit();
        try {
          const view = await findOrder(prisma, orderId, options.merchant);
          const merchantId = options.merchant ?? view?.merchantId;
          if (!merchantId)
            throw new NotFoundError(`order ${orderId} is unknown here; pass --merchant to replay it anyway`);
          const topic = cliTopics(context.env).issuance;
          const event = {
            eventId: randomUUID(),
            orderId,
            merchantId,
            occurredAt: Date.now(),
            source: "ops-cli",
            correlationId: null,
            type: "REPLAY_REQUESTED" as const,
            payload: { reason: options.reason, requestedBy: context.env.actor },
          };
          const actionId = await audit.start("ops replay", context.env.actor, Boolean(options.dryRun), {
            orderId,
            merchantId,
            reason: options.reason,
            topic,
          });
          let written: { partition: number; offset: string } | undefined;
          if (!options.dryRun) {
            const codec = context.codec();
            const subject = valueSubject(topic);
            const level = (await codec.getCompatibility(subject)) ?? "BACKWARD";
            const schemaId = await codec.register(subject, loadSchema("issuance-event"), {
              compatibility: level,
            });
            const producer = context.kafka().producer();
            await producer.connect();
            try {
              const value = await codec.encode(schemaId, issuanceEventToAvro(event));
              const [metadata] = await producer.send(topic, [
                {
                  key: orderId,
                  value,
                  headers: { eventId: event.eventId, "content-type": ISSUANCE_CONTENT_TYPE },
                },
              ]);
              written = metadata;
            } finally {
              await producer.disconnect();
            }
          }
          await audit.finish(actionId, "COMPLETED", { eventId: event.eventId, ...(written ?? {}) });
          createOutput(Boolean(options.json), context.stdout).result(
            {
              actionId: actionId.toString(),
              topic,
              dryRun: Boolean(options.dryRun),
              event,
              written: written ?? null,
            },
            (r) =>
              context.stdout(
                r.written
                  ? `ReplayRequested ${r.event.eventId} for ${orderId} → ${topic} [${r.written.partition}@${r.written.offset}]; audit action ${r.actionId}\n`
                  : `dry run: would publish ReplayRequested ${r.event.eventId} for ${orderId} (merchant ${merchantId}) to ${topic}\n`,
              ),
          );
        } finally {
          await audit.close();
        }
      },
    );

  ops
    .command("resync-merchant")
    .description(
      "re-read a merchant's tax info from commerce's Merchant table into TaxInfo (cdc-sync's re-sync)",
    )
    .argument("<merchantId>", "the merchant")
    .option("--dry-run", "decide and report, write nothing")
    .option("--json", "print JSON instead of text")
    .action(async (merchantId: string, options: { dryRun?: boolean; json?: boolean }) => {
      const { audit } = await context.openAudit();
      try {
        const actionId = await audit.start(
          "ops resync-merchant",
          context.env.actor,
          Boolean(options.dryRun),
          { merchantId },
        );
        // cdc-sync's own entry does the work with cdc-sync's configuration (CDC_COMMERCE_DATABASE_URL,
        // the column mapping), so the CLI needs none of it.
        const cli = join(dirname(fileURLToPath(import.meta.resolve("@invoice/cdc-sync"))), "tax-info.cli.ts");
        const args = [
          "--import",
          "tsx",
          cli,
          "resync",
          merchantId,
          "--actor",
          context.env.actor,
          ...(options.dryRun ? ["--dry-run"] : []),
        ];
        const { code, stdout, stderr } = await run(process.execPath, args);
        let result: unknown = null;
        try {
          result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "null");
        } catch {
          result = null;
        }
        await audit.finish(actionId, code === 0 ? "COMPLETED" : "FAILED", { exitCode: code, result });
        if (code !== 0 && result === null) {
          context.stderr(stderr);
          setExit(code === 2 ? EXIT.usage : EXIT.failed);
          return;
        }
        createOutput(Boolean(options.json), context.stdout).result(
          { actionId: actionId.toString(), ...(result as object) },
          (r) => context.stdout(`${JSON.stringify(r)}\n`),
        );
        setExit(code === 0 ? EXIT.ok : EXIT.failed);
      } finally {
        await audit.close();
      }
    });
}

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
