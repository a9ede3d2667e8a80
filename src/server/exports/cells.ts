// What every export cell goes through, whatever the format.
//
// FORMULA_START is the spreadsheet formula-injection guard (OWASP "CSV
// injection"): a text cell starting with = + - @ TAB or CR gets a leading
// apostrophe. csv.ts applies it to CSV cells; the XLSX writer applies the
// same rule to its text cells, so a file converted from XLSX to CSV later is
// still safe. Numbers and dates are never guarded (they are not text).
export type Cell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;

export const guardFormula = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);

export const LIST_SEPARATOR = '; ';

export const yesNo = (b: boolean) => (b ? 'yes' : 'no');
