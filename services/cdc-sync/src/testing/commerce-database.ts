import { createTempDatabase } from "@invoice/db/testing";
import pg from "pg";
import { cdcStackEnv } from "./cdc-stack.ts";

/** Our fixture's Merchant table: the columns DEFAULT_COLUMN_MAPPING reads, plus non-tax ones. */
export const MERCHANT_TABLE_DDL = `
  CREATE TABLE "Merchant" (
    id                      varchar(64) PRIMARY KEY,
    tax_code                varchar(32),
    legal_name              text,
    address                 text,
    province_code           varchar(8),
    commune_code            varchar(8),
    email                   text,
    phone                   text,
    vat_method              varchar(16),
    einvoice_enabled        boolean,
    einvoice_template_code  varchar(16),
    einvoice_series         varchar(16),
    shop_url                text,
    updated_at              timestamptz NOT NULL DEFAULT now()
  )`;

export interface CommerceDatabase {
  name: string;
  url: string;
  /** A client on the database, for the test's inserts, updates and deletes. */
  client: pg.Client;
  drop(): Promise<void>;
}

/**
 * A database of its own in the commerce stand-in cluster (stack/cdc.sh), with the Merchant table
 * (`ddl`, default our fixture's). `drop()` drops the replication slots left in it, then the database.
 */
export async function createCommerceDatabase(
  prefix: string,
  ddl = MERCHANT_TABLE_DDL,
): Promise<CommerceDatabase> {
  const serverUrl = cdcStackEnv().commerceAdminUrl;
  const temp = await createTempDatabase(prefix, { serverUrl });
  const client = new pg.Client({ connectionString: temp.url });
  await client.connect();
  await client.query(ddl);
  return {
    name: temp.name,
    url: temp.url,
    client,
    async drop() {
      await client.end().catch(() => undefined);
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        await admin.query(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active",
          [temp.name],
        );
      } finally {
        await admin.end();
      }
      await temp.drop();
    },
  };
}
