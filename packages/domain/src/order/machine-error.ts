/**
 * A handler found the order in a shape the machine's own rules should have made impossible (a
 * correction without an issued invoice, a second original). `decide` turns it into a case for a
 * human instead of throwing, because the event itself is well-formed: throwing would park the order's
 * partition in the retry path for ever.
 */
export class MachineInvariantError extends Error {
  readonly code = "MACHINE_INVARIANT";
}
