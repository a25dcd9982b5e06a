import type { Role } from '../roles';
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/database';
import { Invalid, NotFound } from '../errors';
import { renderMarkdown } from '../http/view-helpers';
import { enqueueForRecipients } from '../mail/outbox-batch';
import { renderEmail } from '../mail/render';
import { formatDateTime } from '../time';
import type { AnnouncementInput } from './reminders.schemas';

/**
 * Announcements: the instructor emails every active student of the course, or of one section.
 * The announcement is kept (nothing a user wrote is lost); its emails go through the outbox in
 * one set-based INSERT (enqueueForRecipients, src/mail/outbox-batch.ts), sent after commit. The
 * form's nonce makes a double submit send nothing twice. Students read them in the app too
 * (/announcements): those sent to everyone and to their own section.
 */
export interface AnnouncementResult {
  created: boolean;
  recipients: number;
}

async function audiences(db: Db, offeringId: number) {
  const sections = await db.selectFrom('section').select(['id', 'code', 'title']).where('offering_id', '=', offeringId).orderBy('code').execute();
  return [{ value: 'all', label: 'Everyone in the course' }, ...sections.map((s) => ({ value: String(s.id), label: `${s.code} only` }))];
}

async function recent(db: Db, offeringId: number, zone: string) {
  const rows = await db
    .selectFrom('announcement as a')
    .innerJoin('app_user as u', 'u.id', 'a.sent_by')
    .leftJoin('section as s', 's.id', 'a.section_id')
    .select(['a.id', 'a.subject', 'a.created_at', 'a.recipient_count', 's.code as section', 'u.name as sender'])
    .where('a.offering_id', '=', offeringId)
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(20)
    .execute();
  return rows.map((r) => ({
    subject: r.subject,
    url: `/announcements/${r.id}`,
    audience: r.section ?? 'Everyone',
    sentAt: formatDateTime(r.created_at, zone),
    recipients: r.recipient_count,
    sender: r.sender,
  }));
}

async function send(db: Db, input: AnnouncementInput & { offeringId: number; senderId: number; now: Date; baseUrl: string }): Promise<AnnouncementResult> {
  const offering = await db.selectFrom('course_offering').selectAll().where('id', '=', input.offeringId).executeTakeFirstOrThrow();
  const sender = await db.selectFrom('app_user').select('name').where('id', '=', input.senderId).executeTakeFirstOrThrow();
  let sectionId: number | null = null;
  let audience = `everyone in ${offering.code}`;
  if (input.audience !== 'all') {
    const section = await db
      .selectFrom('section')
      .select(['id', 'code'])
      .where('id', '=', Number(input.audience))
      .where('offering_id', '=', input.offeringId)
      .executeTakeFirst();
    if (!section) throw new Invalid('Choose everyone or one section.', { audience: 'Choose everyone or one section.' });
    sectionId = section.id;
    audience = `${section.code} students`;
  }
  const recipients = () => {
    let q = db.selectFrom('app_user').where('offering_id', '=', input.offeringId).where('role', '=', 'student').where('deactivated_at', 'is', null);
    if (sectionId !== null) q = q.where('section_id', '=', sectionId);
    return q;
  };
  const count = Number(
    (
      await recipients()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const saved = await db
    .insertInto('announcement')
    .values({
      offering_id: input.offeringId,
      section_id: sectionId,
      subject: input.subject,
      body_md: input.body,
      sent_by: input.senderId,
      created_at: input.now,
      recipient_count: count,
      form_nonce: input.nonce,
    })
    .onConflict((oc) => oc.column('form_nonce').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!saved) return { created: false, recipients: 0 };

  const course = `${offering.code} ${offering.title}`;
  const { text, html } = await renderEmail('announcement', { body: input.body, bodyHtml: renderMarkdown(input.body), sender: sender.name, course, audience });
  await enqueueForRecipients(db, {
    kind: 'announcement',
    // Everyone counted reads it in the app; only those who have not turned announcement emails off get the email.
    recipients: recipients().where('announcement_emails', '=', true),
    subject: `[${offering.code}] ${input.subject}`,
    text,
    html,
    stableKey: { kind: 'announcement', key: saved.id },
    baseUrl: input.baseUrl,
  });
  return { created: true, recipients: count };
}

/** Who reads: the instructor reads every announcement of the offering; a student, those sent to everyone or to their section. */
export interface AnnouncementReader {
  userId: number;
  role: Role;
  offeringId: number;
  sectionId: number | null;
  timeZone: string;
}

function readable(db: Db, reader: AnnouncementReader) {
  let q = db
    .selectFrom('announcement as a')
    .innerJoin('app_user as u', 'u.id', 'a.sent_by')
    .leftJoin('section as s', 's.id', 'a.section_id')
    .where('a.offering_id', '=', reader.offeringId);
  // Announcements are the instructor's word to the campus cohort: a community learner reads none.
  if (reader.role === 'community') return q.where(sql<SqlBool>`false`);
  if (reader.role !== 'instructor') {
    const sectionId = reader.sectionId;
    q = q.where((eb) => (sectionId === null ? eb('a.section_id', 'is', null) : eb.or([eb('a.section_id', 'is', null), eb('a.section_id', '=', sectionId)])));
  }
  return q;
}

const MAX_LISTED = 200;

/** The announcements the reader has not opened yet (their inbox's unread ones; the sender's own count as read). */
function unread(db: Db, reader: AnnouncementReader) {
  return readable(db, reader).where(unopenedBy(reader.userId));
}

/** Not sent by the person and not opened by them (a value or, for a correlated count, their user row's id); `a` is the announcement. */
function unopenedBy(userId: number | Expression<number>) {
  return sql<SqlBool>`a.sent_by <> ${userId} and not exists (select 1 from announcement_read r where r.user_id = ${userId} and r.announcement_id = a.id)`;
}

/**
 * How many announcements a student has not opened, as a subquery correlated with their user row
 * (the menu's count, read with the session): those to everyone or to their section, not sent by them.
 */
function unreadCountQuery(db: Db, student: { userId: Expression<number>; offeringId: Expression<number>; sectionId: Expression<number | null> }) {
  return db
    .selectFrom('announcement as a')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('a.offering_id', '=', student.offeringId)
    .where((eb) => eb.or([eb('a.section_id', 'is', null), eb('a.section_id', '=', student.sectionId)]))
    .where(unopenedBy(student.userId));
}

/** The reader opened this announcement (once: a second open keeps the first time). */
async function markRead(db: Db, reader: AnnouncementReader, id: number, now: Date): Promise<void> {
  await db
    .insertInto('announcement_read')
    .values({ user_id: reader.userId, announcement_id: id, read_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'announcement_id']).doNothing())
    .execute();
}

/** Every announcement the reader may read and has not opened, marked read; returns how many. */
async function markAllRead(db: Db, reader: AnnouncementReader, now: Date): Promise<number> {
  const r = await db
    .insertInto('announcement_read')
    .columns(['user_id', 'announcement_id', 'read_at'])
    .expression(unread(db, reader).select((eb) => [eb.val(reader.userId).as('user_id'), 'a.id', eb.val(now).as('read_at')]))
    .onConflict((oc) => oc.columns(['user_id', 'announcement_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n);
}

/** The announcements page (and the inbox): newest first, sent times in the reader's zone, whether the reader opened each. */
async function listFor(db: Db, reader: AnnouncementReader) {
  const rows = await readable(db, reader)
    .leftJoin('announcement_read as r', (join) => join.onRef('r.announcement_id', '=', 'a.id').on('r.user_id', '=', reader.userId))
    .select(['a.id', 'a.subject', 'a.created_at', 'a.sent_by', 'r.read_at', 's.code as section', 'u.name as sender'])
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(MAX_LISTED)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    subject: r.subject,
    createdAt: r.created_at,
    sentAt: formatDateTime(r.created_at, reader.timeZone),
    sender: r.sender,
    audience: r.section ? `${r.section} students` : 'Everyone in the course',
    url: `/announcements/${r.id}`,
    read: r.read_at !== null || r.sent_by === reader.userId,
  }));
}

/** One announcement, its Markdown body rendered through the app's sanitizing renderer; NotFound if the reader may not read it. */
async function oneFor(db: Db, reader: AnnouncementReader, id: number) {
  const r = await readable(db, reader)
    .select(['a.id', 'a.subject', 'a.body_md', 'a.created_at', 's.code as section', 'u.name as sender'])
    .where('a.id', '=', id)
    .executeTakeFirst();
  if (!r) throw new NotFound('There is no such announcement in this course.');
  return {
    id: r.id,
    subject: r.subject,
    sentAt: formatDateTime(r.created_at, reader.timeZone),
    sender: r.sender,
    audience: r.section ? `${r.section} students` : 'Everyone in the course',
    bodyHtml: renderMarkdown(r.body_md, { headingsFrom: 2 }),
  };
}

export const announcementsService = Object.freeze({ audiences, recent, send, listFor, oneFor, unreadCountQuery, markRead, markAllRead });
