import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { accountsService } from '../accounts/accounts.service';
import { normalizeEmail, normalizeName } from '../accounts/identity';
import { usersRepository } from '../accounts/users.repository';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import type { Delimiter } from '../http/text-upload';
import { isValidZone } from '../time';

/**
 * Roster import: a CSV with columns name, email, section and optional time_zone (header row
 * required, any column order; comma, semicolon or tab delimited). All rows are checked first;
 * any error and nothing is imported. Emails are compared as identities (trimmed, NFC,
 * lower-cased: src/accounts/identity.ts). New students get an invitation email; people already
 * on the roster are left unchanged. Staging, preview and the background job: roster-import.service.ts.
 */
export interface RosterRowError {
  line: number;
  message: string;
}

export interface RosterRow {
  line: number;
  name: string;
  email: string;
  sectionId: number;
  sectionCode: string;
  timeZone: string;
}

export interface RosterPreview {
  errors: RosterRowError[];
  toCreate: RosterRow[];
  alreadyEnrolled: RosterRow[];
}

const rowSchema = z.object({
  name: z.string().transform(normalizeName).pipe(z.string().min(1, 'name is missing').max(200, 'name is longer than 200 characters')),
  email: z.string().transform(normalizeEmail).pipe(z.email('email is not a valid address').max(320)),
  section: z.string().trim().min(1, 'section is missing'),
  time_zone: z.string().trim().optional(),
});

const MAX_ROWS = 100_000;

function normalizeHeader(h: string): string {
  return h
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
    .replace(/^timezone$/, 'time_zone');
}

async function check(db: Db, offeringId: number, csvText: string, defaultZone: string, delimiter: Delimiter = ','): Promise<RosterPreview> {
  const preview: RosterPreview = { errors: [], toCreate: [], alreadyEnrolled: [] };
  let records: string[][];
  try {
    records = parse(csvText.replace(/^\uFEFF/, ''), { delimiter, bom: true, skip_empty_lines: true, relax_column_count: true, trim: false });
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    preview.errors.push({ line, message: `The file is not valid CSV: ${(err as Error).message.split('\n')[0]}` });
    return preview;
  }
  if (records.length === 0) {
    preview.errors.push({ line: 1, message: 'The file is empty. Expected a header row: name,email,section,time_zone' });
    return preview;
  }
  const header = records[0].map(normalizeHeader);
  const missing = ['name', 'email', 'section'].filter((c) => !header.includes(c));
  if (missing.length) {
    preview.errors.push({
      line: 1,
      message: `The header row must name the columns name, email, section (and optionally time_zone); missing: ${missing.join(', ')}.`,
    });
    return preview;
  }
  if (records.length - 1 > MAX_ROWS) {
    preview.errors.push({ line: 1, message: `At most ${MAX_ROWS} students per import.` });
    return preview;
  }

  const sections = await courseRepository.sections(db, offeringId);
  const sectionByKey = new Map<string, { id: number; code: string }>();
  for (const s of sections) {
    sectionByKey.set(s.code.toLowerCase(), s);
    const digits = s.code.match(/\d+/g)?.pop();
    if (digits) sectionByKey.set(digits, s);
  }

  const seen = new Map<string, number>();
  const candidates: RosterRow[] = [];
  records.slice(1).forEach((cells, i) => {
    const line = i + 2;
    const raw = Object.fromEntries(header.map((h, j) => [h, cells[j] ?? '']));
    if (cells.every((c) => c.trim() === '')) return;
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      preview.errors.push({ line, message: parsed.error.issues.map((x) => x.message).join('; ') });
      return;
    }
    const r = parsed.data;
    const section = sectionByKey.get(r.section.toLowerCase());
    const zone = r.time_zone ? r.time_zone : defaultZone;
    const problems: string[] = [];
    if (!section) problems.push(`section "${r.section}" is not one of ${sections.map((s) => s.code).join(', ')}`);
    if (!isValidZone(zone)) problems.push(`time zone "${zone}" is not an IANA zone such as America/Detroit`);
    const firstLine = seen.get(r.email);
    if (firstLine !== undefined) problems.push(`${r.email} appears twice (first on line ${firstLine})`);
    else seen.set(r.email, line);
    if (problems.length) {
      preview.errors.push({ line, message: problems.join('; ') });
      return;
    }
    candidates.push({ line, name: r.name, email: r.email, sectionId: section!.id, sectionCode: section!.code, timeZone: zone });
  });

  const existing = new Set(
    (
      await usersRepository.findByEmails(
        db,
        candidates.map((c) => c.email),
      )
    ).map((u) => normalizeEmail(u.email)),
  );
  for (const c of candidates) (existing.has(c.email) ? preview.alreadyEnrolled : preview.toCreate).push(c);
  return preview;
}

export interface ImportOptions {
  baseUrl: string;
  now: Date;
  defaultZone: string;
  delimiter?: Delimiter;
  /** Called after each batch of students is written, with how many rows are done so far. */
  onProgress?: (processed: number) => Promise<void>;
}

/** New students are written (and invited) this many at a time: one INSERT of users, tokens and emails each. */
const BATCH = 500;

/** Checks, then (only if every row is good) creates the students and queues their invitations. */
async function importRoster(db: Db, offeringId: number, csvText: string, opts: ImportOptions): Promise<RosterPreview & { created: number }> {
  const preview = await check(db, offeringId, csvText, opts.defaultZone, opts.delimiter);
  if (preview.errors.length) return { ...preview, created: 0 };
  for (let i = 0; i < preview.toCreate.length; i += BATCH) {
    const batch = preview.toCreate.slice(i, i + BATCH);
    const users = await usersRepository.insertMany(
      db,
      batch.map((s) => ({
        email: s.email,
        name: s.name,
        role: 'student' as const,
        offering_id: offeringId,
        section_id: s.sectionId,
        time_zone: s.timeZone,
        password_hash: null,
        activated_at: null,
        last_login_at: null,
        deactivated_at: null,
        created_at: opts.now,
      })),
    );
    await accountsService.sendInvitations(db, offeringId, users, opts.baseUrl, opts.now);
    await opts.onProgress?.(preview.alreadyEnrolled.length + i + batch.length);
  }
  return { ...preview, created: preview.toCreate.length };
}

export const rosterService = Object.freeze({ check, importRoster });
