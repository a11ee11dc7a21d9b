import { createPrismaClient, type PrismaClient } from "@invoice/db";
import { acquireWorkerIdLease, type IdGenerator } from "@invoice/ids";
import { silentLogger } from "@invoice/kafka";

/**
 * The audit of operator commands (tables OperatorAction and DlqReplayRecord, migration
 * 20261201150000_operations). Ids are Snowflakes on a leased worker id (ADR 0012), like every row.
 */
export interface OperatorAudit {
  start(command: string, actor: string, dryRun: boolean, parameters: unknown): Promise<bigint>;
  record(actionId: bigint, row: ReplayAuditRow): Promise<void>;
  finish(actionId: bigint, status: "COMPLETED" | "INTERRUPTED" | "FAILED", summary: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface ReplayAuditRow {
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  targetTopic: string;
  targetPartition: number | null;
  targetOffset: string | null;
  recordKey: string | null;
  eventId: string | null;
  reason: string | null;
  outcome: "SENT" | "FAILED" | "DRY_RUN";
  error: string | null;
}

const json = (value: unknown) =>
  JSON.parse(JSON.stringify(value ?? null, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));

export function createOperatorAudit(
  prisma: PrismaClient,
  ids: IdGenerator,
  onClose: () => Promise<void>,
): OperatorAudit {
  return {
    async start(command, actor, dryRun, parameters) {
      const id = ids.next();
      await prisma.operatorAction.create({
        data: {
          id,
          command,
          actor,
          dryRun,
          parameters: json(parameters),
          status: "RUNNING",
          startedAt: new Date(),
        },
      });
      return id;
    },
    async record(actionId, row) {
      await prisma.dlqReplayRecord.create({
        data: {
          id: ids.next(),
          actionId,
          ...row,
          dlqOffset: BigInt(row.dlqOffset),
          targetOffset: row.targetOffset === null ? null : BigInt(row.targetOffset),
          error: row.error === null ? null : row.error.slice(0, 1000),
        },
      });
    },
    async finish(actionId, status, summary) {
      await prisma.operatorAction.update({
        where: { id: actionId },
        data: { status, summary: json(summary), finishedAt: new Date() },
      });
    },
    close: onClose,
  };
}

/** Opens the database and a worker-id lease for the audit's ids. */
export async function openOperatorAudit(
  databaseUrl: string,
  options: {
    connectTimeoutMs: number;
    /** Preferred worker id (APP_ENV_INVOICE_WORKER_ID); the lease takes the next free one when it is held. */
    workerId?: number;
  },
): Promise<{ audit: OperatorAudit; prisma: PrismaClient }> {
  const prisma = createPrismaClient({
    databaseUrl,
    maxConnections: 2,
    connectionTimeoutMs: options.connectTimeoutMs,
  });
  const lease = await acquireWorkerIdLease({
    databaseUrl,
    preferred: options.workerId ?? 1000,
    connectionTimeoutMs: options.connectTimeoutMs,
    logger: silentLogger,
  });
  const audit = createOperatorAudit(prisma, lease.generator, async () => {
    await lease.release();
    await prisma.$disconnect();
  });
  return { audit, prisma };
}
