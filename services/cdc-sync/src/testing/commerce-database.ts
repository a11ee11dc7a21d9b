import { uniqueName } from "@invoice/testing";
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

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: cdcStackEnv().commerceAdminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of its own in the commerce stand-in cluster (stack/cdc.sh), with the Merchant table
 * (`ddl`, default our fixture's). `drop()` drops the replication slots and publications left in it.
 */
export async function createCommerceDatabase(
  prefix: string,
  ddl = MERCHANT_TABLE_DDL,
): Promise<CommerceDatabase> {
  const name = uniqueName(prefix);
  const env = cdcStackEnv();
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = `postgresql://postgres@${env.commerceHost}:${env.commercePort}/${name}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(ddl);
  return {
    name,
    url,
    client,
    async drop() {
      await client.end().catch(() => undefined);
      await admin(async (c) => {
        await c.query(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active",
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
    },
  };
}
