/**
 * Characters a terminal acts on instead of showing: C0 and C1 controls
 * (cursor moves, colours, a BEL, OSC sequences that set the title or a
 * hyperlink), and the Unicode controls that reorder or break what follows
 * (bidi overrides and isolates like U+202E, which can make `evil.exe` read
 * `exe.live`; line and paragraph separators U+2028/9, which some terminals
 * and viewers break lines at, forging a line).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

// eslint-disable-next-line no-control-regex
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * AWS strings (names, tags, descriptions, error messages), config values and
 * command-line arguments are untrusted where a terminal shows them: unsafe
 * characters are shown as visible escapes (`\x1b`, `\u202e`) instead.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * JSON for a terminal or a pipe: the same data (a JSON parser reads the
 * same strings), but the characters JSON.stringify leaves raw that a
 * terminal would act on (DEL, C1 controls, bidi controls, U+2028/9) are
 * written as \u escapes.
 */
export function jsonSafe(json: string): string {
  // JSON.stringify already escapes C0 controls inside strings; the newlines left are the layout's own.
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Spreadsheets run cells that start with = + - @ (or a tab/CR) as formulas;
 * a resource name like `=HYPERLINK(...)` must stay text.
 */
export function spreadsheetSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
