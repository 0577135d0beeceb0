/** A mistake in the command line (exit code 2), as opposed to a failure while running (exit code 1). */
export class UsageError extends Error {}
