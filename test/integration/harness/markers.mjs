// Console lines that the in-host test code writes and the harness acts on. The harness and the
// suite both import these names, so each marker has one definition.

/** Line that index.ts writes just before mocha starts; later lines are the suite's output. */
export const SUITE_START_MARKER = 'INTEGRATION START';

/** Prefix of the line that requests a screenshot from the harness: `SCREENSHOT <name>`. */
export const SCREENSHOT_MARKER = 'SCREENSHOT ';

/** Valid screenshot names; the harness saves `<name>.png`, so no path separators. */
export const SCREENSHOT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Prefix of the line that carries the suite's counts: `INTEGRATION RESULT {"passed":1,...}`. */
export const RESULT_MARKER = 'INTEGRATION RESULT ';

/**
 * Environment variable, set only in screenshot mode, with the folder where the harness writes
 * `<name>.done` once the screenshot `<name>` is saved (or `<name>.failed` with the error).
 */
export const SCREENSHOT_ACK_DIR_ENV = 'EXPERT_ACTIVATION_SCREENSHOT_ACK_DIR';

/** Environment variable with a mocha `grep` pattern that selects which tests run. */
export const TEST_GREP_ENV = 'EXPERT_ACTIVATION_TEST_GREP';
