// Test fixtures of @invoice/db for other packages' tests (import "@invoice/db/testing").
export { connect, createTempDatabase, type TempDatabase } from "./temp-database.ts";
