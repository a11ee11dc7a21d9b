#!/usr/bin/env node
// The platform's operator and developer CLI: `pnpm invoice <command>`. Commands are grouped by area
// (dev now; dlq and ops come with issue 13), each in its own module registering on the program.
import { Command } from "commander";
import { registerDevCommands } from "./dev/dev-commands.ts";

const program = new Command("invoice").description("Invoice platform CLI").showHelpAfterError();
registerDevCommands(program);
await program.parseAsync(process.argv);
