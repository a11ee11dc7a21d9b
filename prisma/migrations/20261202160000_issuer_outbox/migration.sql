-- issuer (issue 9, ADR 0022): the outbox of InvoiceEvents committed and not yet published.

-- CreateTable
CREATE TABLE "InvoiceOutbox" (
    "id" BIGINT NOT NULL,
    "merchantId" VARCHAR(64) NOT NULL,
    "orderId" VARCHAR(64) NOT NULL,
    "eventId" TEXT NOT NULL,
    "event" JSONB NOT NULL,
    "invoiceRow" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InvoiceOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InvoiceOutbox_createdAt_idx" ON "InvoiceOutbox"("createdAt");
