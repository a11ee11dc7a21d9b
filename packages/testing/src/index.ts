export { waitFor } from "./wait-for.ts";
export { uniqueName } from "./unique-name.ts";
export { stackEnv, type StackEnv } from "./stack-env.ts";
