/** Quoting of CSV fields (RFC 4180) for the files a pack holds. */

/** Quotes a field and doubles the quotes inside, so commas and line breaks stay data. */
export function quoteCsvField(text: string): string {
  return `"${text.includes('"') ? text.replace(/"/g, '""') : text}"`;
}

/**
 * Quotes a field of a file meant for people, who open it in a spreadsheet. Feed text that starts
 * like a formula (`=`, `+`, `-`, `@`, tab or carriage return) gets a leading apostrophe, so a
 * spreadsheet shows it as text and never runs it (OWASP, "CSV Injection").
 */
export function quoteSpreadsheetField(text: string): string {
  return quoteCsvField(FORMULA_STARTS.has(text.charCodeAt(0)) ? `'${text}` : text);
}

/** Character codes of `=`, `+`, `-`, `@`, tab and carriage return. */
const FORMULA_STARTS = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d]);
