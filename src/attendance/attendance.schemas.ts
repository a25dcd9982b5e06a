import { z } from 'zod';
import { BadForm, firstString, type FieldErrors } from '../http/forms';
import type { AttendanceStatus } from './attendance.tables';

/** The attendance sheet posts `status-<userId>` (radio) and `note-<userId>` for each student on
 * the page; a student left without a status is left as they were. */
export const ATTENDANCE_STATUSES = ['present', 'absent', 'excused'] as const;

const entrySchema = z
  .object({
    status: z.enum(ATTENDANCE_STATUSES, { error: 'Choose present, absent or excused.' }).optional(),
    note: z.string().max(1000, 'Keep the note under 1,000 characters.'),
  })
  .refine((e) => e.status !== 'excused' || e.note.length > 0, { path: ['note'], message: 'Add a note saying why this absence is excused.' })
  .refine((e) => e.status !== undefined || e.note.length === 0, { path: ['status'], message: 'Choose present, absent or excused to go with the note.' });

export interface SheetEntry {
  userId: number;
  status: AttendanceStatus;
  note: string;
}

/** The sheet's rows (`status-<userId>`, `note-<userId>`): the entries with a status, or a BadForm by row. */
export function parseAttendanceSheet(body: unknown): SheetEntry[] {
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const userIds = new Set<number>();
  for (const key of Object.keys(fields)) {
    const m = key.match(/^(?:status|note)-(\d{1,9})$/);
    if (m) userIds.add(Number(m[1]));
  }
  const entries: SheetEntry[] = [];
  const errors: FieldErrors = {};
  for (const userId of userIds) {
    const status = firstString(fields[`status-${userId}`]);
    const note = firstString(fields[`note-${userId}`]);
    const parsed = entrySchema.safeParse({ status: status === '' ? undefined : status, note: typeof note === 'string' ? note : '' });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = `${String(issue.path[0] ?? 'status')}-${userId}`;
        if (!errors[key]) errors[key] = issue.message;
      }
    } else if (parsed.data.status) {
      entries.push({ userId, status: parsed.data.status, note: parsed.data.note });
    }
  }
  if (Object.keys(errors).length) throw new BadForm(errors);
  return entries;
}

export const absenceNoticeSchema = z.object({
  reason: z.preprocess(
    firstString,
    z
      .string({ error: 'Tell your instructor why you expect to be absent.' })
      .min(1, 'Tell your instructor why you expect to be absent.')
      .max(2000, 'Keep the reason under 2,000 characters.'),
  ),
});

/** Which page of the sheet and which section: from the query string or the posted form. */
export const sheetQuerySchema = z.object({
  page: z.preprocess(firstString, z.coerce.number().int().min(1).max(100_000)).catch(1),
  section: z.preprocess(firstString, z.coerce.number().int().positive().nullable()).catch(null),
});
