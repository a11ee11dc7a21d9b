// Test fixtures for any package's or service's tests (`@invoice/db/testing`); never imported by
// production code.
export { connect, createTempDatabase, type TempDatabase, type TempDatabaseOptions } from "./temp-database.ts";
