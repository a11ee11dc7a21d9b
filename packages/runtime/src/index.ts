export { createDependencies, type Dependencies, type Dependency } from "./dependencies.ts";
export { type Launched, type LaunchOptions, launch, UnknownRunModeError } from "./launch.ts";
export {
  loadPlatformConfig,
  type PlatformConfig,
  platformSections,
  type ServiceName,
} from "./platform-config.ts";
export { EXIT_CONFIG, runMain } from "./run-main.ts";
export { type MigrateSummary, runMigrate } from "./run-migrate.ts";
export { type RunningService, type StartServiceOptions, startService } from "./start-service.ts";
