import { type Command, Option } from "commander";
import type { CliContext } from "../shared/cli-context.ts";
import { createOutput, EXIT, NotFoundError, table, UsageError } from "../shared/cli-env.ts";
import { cliTopics } from "../shared/cli-topics.ts";
import { createProgressBar } from "../shared/progress-bar.ts";
import { countBy, type DlqEntry, type DlqFilter, matches, parseTime, toDlqEntry } from "./dlq-record.ts";
import { type ReplayItem, replayRecords } from "./dlq-replay.ts";
import { type DecodedValue, decodedObject, decodeValue, readTopicToEnd } from "./topic-reader.ts";

interface FilterOptions {
  dlq: string;
  topic?: string;
  since?: string;
  until?: string;
  merchant?: string;
  order?: string;
  reason?: string;
  errorClass?: string;
  json?: boolean;
}

function addFilterOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--dlq <which>", "which DLQ: issuance (invoice.issuance.dlq) or ingest")
        .choices(["issuance", "ingest"])
        .default("issuance"),
    )
    .option(
      "--topic <name>",
      "read this DLQ topic instead (overrides --dlq; env INVOICE_ISSUANCE_DLQ_TOPIC / INVOICE_INGEST_DLQ_TOPIC)",
    )
    .option("--since <time>", "dead-lettered at or after: ISO 8601, epoch ms, or 30m / 2h / 1d ago")
    .option("--until <time>", "dead-lettered before (same forms as --since)")
    .option("--merchant <id>", "only this merchant (merchantId of the decoded value)")
    .option("--order <orderId>", "only this order (the record key)")
    .addOption(
      new Option("--reason <reason>", "only this dlq.reason").choices([
        "exhausted",
        "non-retryable",
        "deserialization",
      ]),
    )
    .option("--error-class <name>", "only this dlq.error.class or dlq.error.code")
    .option("--json", "print JSON instead of text");
}

function topicOf(context: CliContext, options: FilterOptions): string {
  if (options.topic) return options.topic;
  const topics = cliTopics(context.env);
  return options.dlq === "ingest" ? topics.ingestDlq : topics.issuanceDlq;
}

function filterOf(options: FilterOptions, ids?: string[]): DlqFilter {
  try {
    return {
      ...(options.since ? { since: parseTime(options.since) } : {}),
      ...(options.until ? { until: parseTime(options.until) } : {}),
      ...(options.merchant ? { merchant: options.merchant } : {}),
      ...(options.order ? { order: options.order } : {}),
      ...(options.reason ? { reason: options.reason } : {}),
      ...(options.errorClass ? { errorClass: options.errorClass } : {}),
      ...(ids && ids.length > 0 ? { ids } : {}),
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

interface Loaded extends ReplayItem {
  decoded: DecodedValue;
}

async function load(context: CliContext, topic: string, filter: DlqFilter): Promise<Loaded[]> {
  const admin = context.kafka().admin();
  await admin.connect();
  try {
    const [description] = await admin.describeTopics([topic]).catch(() => [undefined]);
    if (!description) throw new NotFoundError(`topic ${topic} does not exist`);
  } finally {
    await admin.disconnect();
  }
  const records = await readTopicToEnd(context.kafka(), topic);
  const codec = context.codec();
  const out: Loaded[] = [];
  for (const record of records) {
    const decoded = await decodeValue(codec, record.value);
    const entry = toDlqEntry(record, decodedObject(decoded));
    if (matches(entry, filter)) out.push({ entry, record, decoded });
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `invoice dlq list|inspect|replay` over invoice.issuance.dlq and ingest's DLQ. */
export function registerDlqCommands(
  program: Command,
  context: CliContext,
  setExit: (code: number) => void,
): void {
  const dlq = program
    .command("dlq")
    .description("dead-letter topics: list, inspect, replay (invoice.issuance.dlq, ingest's DLQ)");

  addFilterOptions(
    dlq
      .command("list")
      .description("list DLQ records matching the filters, with counts by reason and error class")
      .option("--limit <n>", "show at most n records (counts cover all matches)", "100"),
  ).action(async (options: FilterOptions & { limit: string }) => {
    const topic = topicOf(context, options);
    const loaded = await load(context, topic, filterOf(options));
    const entries = loaded.map((l) => l.entry);
    const limit = Number(options.limit);
    const result = {
      topic,
      matched: entries.length,
      byReason: countBy(entries, "reason"),
      byErrorClass: countBy(entries, "errorClass"),
      records: entries.slice(0, Number.isInteger(limit) && limit >= 0 ? limit : 100),
    };
    createOutput(Boolean(options.json), context.stdout).result(result, (r) => {
      const out = createOutput(false, context.stdout);
      out.line(`${r.topic}: ${r.matched} record(s) match`);
      out.line(
        `by reason: ${
          Object.entries(r.byReason)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ") || "-"
        }`,
      );
      out.line(
        `by error class: ${
          Object.entries(r.byErrorClass)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ") || "-"
        }`,
      );
      if (r.records.length === 0) return;
      out.line("");
      out.line(
        table([
          ["ID", "FAILED AT", "ORDER", "MERCHANT", "REASON", "ERROR", "REPLAY TO"],
          ...r.records.map((e: DlqEntry) => [
            e.id,
            iso(e.failedAt),
            e.key ?? "-",
            e.merchantId ?? "-",
            e.reason ?? "-",
            e.errorCode ?? e.errorClass ?? "-",
            e.replayTopic ?? "-",
          ]),
        ]),
      );
    });
  });

  dlq
    .command("inspect")
    .description("one DLQ record with all its headers and its decoded value")
    .argument("<id>", "the record's <partition>:<offset> on the DLQ topic (from dlq list)")
    .addOption(new Option("--dlq <which>", "which DLQ").choices(["issuance", "ingest"]).default("issuance"))
    .option("--topic <name>", "read this DLQ topic instead")
    .option("--json", "print JSON instead of text")
    .action(async (id: string, options: FilterOptions) => {
      if (!/^\d+:\d+$/.test(id)) throw new UsageError(`a record id is <partition>:<offset>, got "${id}"`);
      const topic = topicOf(context, options);
      const [found] = await load(context, topic, { ids: [id] });
      if (!found) throw new NotFoundError(`no record ${id} on ${topic}`);
      const result = {
        ...found.entry,
        timestamp: found.record.timestamp,
        headers: found.record.headers,
        value: found.decoded,
      };
      createOutput(Boolean(options.json), context.stdout).result(result, (r) => {
        const out = createOutput(false, context.stdout);
        out.line(
          `${topic} ${r.id}  key=${r.key ?? "(none)"}  reason=${r.reason ?? "-"}  failed ${iso(r.failedAt)}`,
        );
        out.line("headers:");
        for (const [name, value] of Object.entries(r.headers)) {
          const shown = name === "dlq.error.stack" ? `\n      ${value.split("\n").join("\n      ")}` : value;
          out.line(`  ${name}: ${shown}`);
        }
        out.line(
          `value (${r.value.format}${r.value.format === "avro" ? `, schema id ${r.value.schemaId}` : ""}):`,
        );
        out.line(JSON.stringify("value" in r.value ? r.value.value : r.value, null, 2));
      });
    });

  addFilterOptions(
    dlq
      .command("replay")
      .description(
        "re-publish selected DLQ records to their original topic with their original key (the issuer dedupes)",
      )
      .option(
        "--record <id...>",
        "replay these <partition>:<offset> records (repeat or comma-separate)",
        (v: string, prev: string[] = []) => [
          ...prev,
          ...v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        ],
      )
      .option(
        "--all",
        "replay every record matching the filters (required when no --record and no filter is given)",
      )
      .option("--to <topic>", "send every record to this topic instead of its original one")
      .option("--dry-run", "show what would be sent, send nothing (recorded in the audit as a dry run)")
      .option("--rate <n>", "at most n records per second"),
  ).action(
    async (
      options: FilterOptions & {
        record?: string[];
        all?: boolean;
        to?: string;
        dryRun?: boolean;
        rate?: string;
      },
    ) => {
      const filter = filterOf(options, options.record);
      const hasSelector = Object.keys(filter).length > 0;
      if (!hasSelector && !options.all) {
        throw new UsageError(
          "select records with --record or a filter (--since, --order, --reason, ...), or pass --all",
        );
      }
      const rate = options.rate === undefined ? undefined : Number(options.rate);
      if (rate !== undefined && !(rate > 0))
        throw new UsageError(`--rate must be a positive number, got "${options.rate}"`);
      const topic = topicOf(context, options);
      const items = await load(context, topic, filter);
      const missing = (options.record ?? []).filter((id) => !items.some((i) => i.entry.id === id));
      if (missing.length > 0) throw new NotFoundError(`no record ${missing.join(", ")} on ${topic}`);
      const output = createOutput(Boolean(options.json), context.stdout);
      const { audit } = await context.openAudit();
      const producer = context.kafka().producer();
      try {
        const actionId = await audit.start("dlq replay", context.env.actor, Boolean(options.dryRun), {
          topic,
          filter,
          to: options.to ?? null,
          rate: rate ?? null,
          selected: items.map((i) => i.entry.id),
        });
        if (!options.dryRun) await producer.connect();
        const result = await replayRecords({
          items,
          producer,
          audit,
          actionId,
          actor: context.env.actor,
          ...(options.to ? { to: options.to } : {}),
          dryRun: Boolean(options.dryRun),
          ...(rate ? { rate } : {}),
          stopRequested: context.interrupted,
          progress: createProgressBar(items.length, {
            enabled: context.progressEnabled && !options.json,
            label: "replay ",
          }),
        });
        const status = result.interrupted ? "INTERRUPTED" : result.failed > 0 ? "FAILED" : "COMPLETED";
        const { records: _records, ...summary } = result;
        await audit.finish(actionId, status, summary);
        output.result({ actionId: actionId.toString(), topic, status, ...result }, (r) => {
          const out = createOutput(false, context.stdout);
          for (const rec of r.records) {
            out.line(
              `${rec.outcome.padEnd(8)} ${rec.id} → ${rec.target}${rec.partition === null ? "" : ` [${rec.partition}@${rec.offset}]`}${rec.error ? `  ${rec.error}` : ""}`,
            );
          }
          out.line(
            `${r.dryRun ? `dry run: ${r.dryRun} would be sent` : `sent ${r.sent}, failed ${r.failed}`} of ${r.selected}${r.interrupted ? " (interrupted by Ctrl-C)" : ""}; audit action ${r.actionId}`,
          );
        });
        setExit(result.interrupted ? EXIT.interrupted : result.failed > 0 ? EXIT.failed : EXIT.ok);
      } finally {
        if (!options.dryRun) await producer.disconnect().catch(() => undefined);
        await audit.close();
      }
    },
  );
}
