-- operations (issue 13): the audit of operator commands of the invoice CLI (dlq replay, ops replay,
-- ops resync-merchant) and of every DLQ record a replay handled.

-- CreateTable
CREATE TABLE "OperatorAction" (
    "id" BIGINT NOT NULL,
    "command" VARCHAR(64) NOT NULL,
    "actor" VARCHAR(128) NOT NULL,
    "dryRun" BOOLEAN NOT NULL DEFAULT false,
    "parameters" JSONB NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "summary" JSONB,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "OperatorAction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DlqReplayRecord" (
    "id" BIGINT NOT NULL,
    "actionId" BIGINT NOT NULL,
    "dlqTopic" VARCHAR(249) NOT NULL,
    "dlqPartition" INTEGER NOT NULL,
    "dlqOffset" BIGINT NOT NULL,
    "targetTopic" VARCHAR(249) NOT NULL,
    "targetPartition" INTEGER,
    "targetOffset" BIGINT,
    "recordKey" VARCHAR(256),
    "eventId" VARCHAR(128),
    "reason" VARCHAR(32),
    "outcome" VARCHAR(16) NOT NULL,
    "error" VARCHAR(1000),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DlqReplayRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OperatorAction_command_startedAt_idx" ON "OperatorAction"("command", "startedAt");

-- CreateIndex
CREATE INDEX "DlqReplayRecord_actionId_idx" ON "DlqReplayRecord"("actionId");

-- CreateIndex
CREATE INDEX "DlqReplayRecord_dlqTopic_dlqPartition_dlqOffset_idx" ON "DlqReplayRecord"("dlqTopic", "dlqPartition", "dlqOffset");

-- AddForeignKey
ALTER TABLE "DlqReplayRecord" ADD CONSTRAINT "DlqReplayRecord_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "OperatorAction"("id") ON DELETE CASCADE ON UPDATE CASCADE;
