/**
 * How identities are compared: an email address is trimmed, put in Unicode NFC and case-folded
 * (" Student3@Cohort.Example " and "student3@cohort.example" are one person); a name is trimmed,
 * its inner whitespace collapsed, and put in NFC (its case is kept: "McKay" stays "McKay").
 */
export function normalizeEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

export function normalizeName(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ').normalize('NFC');
}
