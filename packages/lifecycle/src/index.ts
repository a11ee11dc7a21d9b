export { type Component, type ComponentHooks, ComponentStoppedError, createComponent } from "./component.ts";
export type { LifecycleLogger } from "./lifecycle-logger.ts";
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
export {
  EXIT_CLEAN,
  EXIT_FAILED,
  installSignalHandlers,
  type SignalHandlerOptions,
  type SignalSource,
} from "./signal-handlers.ts";
