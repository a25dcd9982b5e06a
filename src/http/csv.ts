/**
 * Every CSV the app writes is neutralized against spreadsheet formula injection: a cell that
 * would start with = + - @ (also after leading spaces, and their full-width forms) or with a tab
 * or carriage return gets a leading apostrophe.
 */
const FORMULA_START = /^[\s\u00a0]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;

export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
