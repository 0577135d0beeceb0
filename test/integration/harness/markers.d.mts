export declare const SUITE_START_MARKER: string;
export declare const SCREENSHOT_MARKER: string;
export declare const SCREENSHOT_NAME_PATTERN: RegExp;
export declare const RESULT_MARKER: string;
export declare const SCREENSHOT_ACK_DIR_ENV: string;
export declare const TEST_GREP_ENV: string;
