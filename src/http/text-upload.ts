import chardet from 'chardet';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';

/**
 * Uploaded text files as Excel and registrars write them. The bytes are decoded by what they
 * are, not by assumption: a byte-order mark first (UTF-8, UTF-16 LE/BE), then valid UTF-8, then
 * Windows-1252 when chardet agrees it is a Western single-byte file (ISO-8859-1 is read as
 * Windows-1252, its superset). Anything else (a spreadsheet saved as .xlsx, an image, UTF-16
 * without a mark) is refused with a message saying how to save the file.
 *
 * A delimited file's separator (comma, semicolon as Excel writes in much of Europe, tab) is
 * found by parsing the first lines with each and keeping the one that gives a consistent
 * number of columns.
 */
export type Delimiter = ',' | ';' | '\t';

export const DELIMITER_NAMES: Readonly<Record<Delimiter, string>> = Object.freeze({ ',': 'comma', ';': 'semicolon', '\t': 'tab' });

export interface DecodedText {
  text: string;
  /** How the bytes were read, for the page: "UTF-8", "UTF-8 with BOM", "UTF-16 LE", "Windows-1252". */
  encoding: string;
}

export interface DelimitedText extends DecodedText {
  delimiter: Delimiter;
  delimiterName: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; message: string };

const UNREADABLE =
  'This file is not a text (CSV) file we can read. Save it from Excel as "CSV UTF-8 (Comma delimited)" or "Unicode Text", or paste the rows instead.';

/** Control characters other than tab, newline and carriage return: a sign of binary data. */
// eslint-disable-next-line no-control-regex -- control characters are what marks a binary file
const BINARY = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const WESTERN = new Set(['windows-1252', 'iso-8859-1']);

function readBytes(bytes: Buffer): { text: string; encoding: string } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.subarray(3).toString('utf8'), encoding: 'UTF-8 with BOM' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: iconv.decode(bytes.subarray(2), 'utf16le'), encoding: 'UTF-16 LE' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: iconv.decode(bytes.subarray(2), 'utf16be'), encoding: 'UTF-16 BE' };
  if (bytes.includes(0)) return null;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'UTF-8' };
  } catch {
    const guesses = chardet.analyse(bytes).map((g) => g.name.toLowerCase());
    if (!guesses.some((g) => WESTERN.has(g))) return null;
    return { text: iconv.decode(bytes, 'windows-1252'), encoding: 'Windows-1252' };
  }
}

/** Decodes an uploaded text file (see above). */
export function decodeTextUpload(bytes: Buffer): Decoded<DecodedText> {
  const read = readBytes(bytes);
  if (!read || BINARY.test(read.text)) return { ok: false, message: UNREADABLE };
  return { ok: true, value: read };
}

/** Parses the first lines with a delimiter: how many columns the header has, and how many later rows agree. */
function fit(text: string, delimiter: Delimiter): { columns: number; agreeing: number } | null {
  try {
    const rows: string[][] = parse(text, { delimiter, to_line: 50, skip_empty_lines: true, relax_column_count: true, relax_quotes: true });
    if (rows.length === 0) return null;
    const columns = rows[0].length;
    return { columns, agreeing: rows.slice(1).filter((r) => r.length === columns).length };
  } catch {
    return null;
  }
}

/** The delimiter of a delimited text: the one whose header has several columns that later rows agree with. Comma when nothing fits. */
export function detectDelimiter(text: string): Delimiter {
  let best: { delimiter: Delimiter; agreeing: number; columns: number } = { delimiter: ',', agreeing: -1, columns: 1 };
  for (const delimiter of Object.keys(DELIMITER_NAMES) as Delimiter[]) {
    const f = fit(text, delimiter);
    if (!f || f.columns < 2) continue;
    if (f.agreeing > best.agreeing || (f.agreeing === best.agreeing && f.columns > best.columns)) best = { delimiter, ...f };
  }
  return best.delimiter;
}

function withDelimiter(decoded: DecodedText): DelimitedText {
  const text = decoded.text.replace(/^\uFEFF/, '');
  const delimiter = detectDelimiter(text);
  return { text, encoding: decoded.encoding, delimiter, delimiterName: DELIMITER_NAMES[delimiter] };
}

/** An uploaded CSV (or tab-separated) file: decoded, its delimiter detected. */
export function readDelimitedUpload(bytes: Buffer): Decoded<DelimitedText> {
  const decoded = decodeTextUpload(bytes);
  return decoded.ok ? { ok: true, value: withDelimiter(decoded.value) } : decoded;
}

/** Pasted text (already characters, sent as UTF-8 by the browser): its delimiter detected. */
export function readDelimitedPaste(text: string): DelimitedText {
  return withDelimiter({ text, encoding: 'pasted text' });
}
