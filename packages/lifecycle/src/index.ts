export { type Component, type ComponentHooks, ComponentStoppedError, createComponent } from "./component.ts";
export type { LifecycleLogger } from "./lifecycle-logger.ts";
export {
  createProcessExit,
  EXIT_CLEAN,
  EXIT_FAILED,
  type ProcessExit,
  type ProcessExitOptions,
} from "./process-exit.ts";
export {
  ShutdownInProgressError,
  ShutdownManager,
  type ShutdownManagerOptions,
  type ShutdownReport,
  type ShutdownState,
  type ShutdownStep,
  type ShutdownStepOutcome,
  type ShutdownStepReport,
} from "./shutdown-manager.ts";
export { isShutdownPhase, SHUTDOWN_PHASES, type ShutdownPhase } from "./shutdown-phases.ts";
export { installSignalHandlers, type SignalHandlerOptions, type SignalSource } from "./signal-handlers.ts";
