/**
 * AWS strings (names, tags, descriptions) are attacker-controlled. In a
 * terminal, control characters could move the cursor or recolour output and
 * forge lines; they are shown as visible escapes instead.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Spreadsheets run cells that start with = + - @ (or a tab/CR) as formulas;
 * a resource name like `=HYPERLINK(...)` must stay text.
 */
export function spreadsheetSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
