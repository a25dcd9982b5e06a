import type { Role } from '../roles';
import { sql, type Expression } from 'kysely';
import type { Db } from '../db/database';
import type { PreloadUser } from '../http/session-store';
import { noticesRepository } from '../mail/notices';
import { announcementsService, type AnnouncementReader } from '../reminders/announcements';
import { formatDateTime } from '../time';

/**
 * The inbox (/inbox): a student's notices (src/mail/notices.ts) and every announcement they may
 * read (src/reminders/announcements.ts), newest first, read or unread. Announcements are not
 * copied per person: a student who joined after one was sent finds it here, unread. Kept for
 * the semester (nothing is deleted).
 */
export interface InboxReader {
  id: number;
  role: Role;
  offeringId: number;
  sectionId: number | null;
  timeZone: string;
}

export interface InboxItem {
  kind: 'notice' | 'announcement';
  title: string;
  summary: string | null;
  from: string;
  when: string;
  read: boolean;
  /** Opening it marks it read. */
  openUrl: string;
  at: Date;
}

const readerOf = (me: InboxReader): AnnouncementReader => ({
  userId: me.id,
  role: me.role,
  offeringId: me.offeringId,
  sectionId: me.sectionId,
  timeZone: me.timeZone,
});

/** How many items of each kind the inbox keeps on its page (older ones stay in the database). */
const LISTED = 200;

async function page(db: Db, me: InboxReader) {
  const [notices, announcements] = await Promise.all([noticesRepository.listFor(db, me.id, LISTED), announcementsService.listFor(db, readerOf(me))]);
  const items: InboxItem[] = [
    ...notices.map((n) => ({
      kind: 'notice' as const,
      title: n.title,
      summary: n.summary,
      from: 'Cohort Companion',
      when: formatDateTime(n.createdAt, me.timeZone),
      read: n.readAt !== null,
      openUrl: `/inbox/notices/${n.id}`,
      at: n.createdAt,
    })),
    ...announcements.map((a) => ({
      kind: 'announcement' as const,
      title: a.subject,
      summary: null,
      from: `${a.sender} · ${a.audience}`,
      when: a.sentAt,
      read: a.read,
      openUrl: a.url,
      at: a.createdAt,
    })),
  ];
  items.sort((x, y) => y.at.getTime() - x.at.getTime());
  return { items, unread: items.filter((i) => !i.read).length };
}

/** Opens a notice: marks it read and says where it leads (undefined: not the reader's notice). */
async function openNotice(db: Db, me: InboxReader, id: number, now: Date): Promise<string | undefined> {
  const notice = await noticesRepository.oneFor(db, me.id, id);
  if (!notice) return undefined;
  await noticesRepository.markRead(db, me.id, id, now);
  return notice.url;
}

/** "Mark all as read": notices and announcements, in one transaction. */
async function markAllRead(db: Db, me: InboxReader, now: Date): Promise<number> {
  return (await noticesRepository.markAllRead(db, me.id, now)) + (await announcementsService.markAllRead(db, readerOf(me), now));
}

/**
 * The menu's count, as one expression over the signed-in user's row: unread notices plus unopened
 * announcements, for students; notices only for community learners, who read no announcements; 0 for the instructor. The session read selects it (src/app.ts), so
 * the count costs no query of its own.
 */
function unreadCountExpression(db: Db, user: PreloadUser): Expression<number> {
  const notices = noticesRepository.unreadCountQuery(db, user.id);
  const announcements = announcementsService.unreadCountQuery(db, { userId: user.id, offeringId: user.offeringId, sectionId: user.sectionId });
  return sql<number>`case ${user.role} when 'student' then (${notices}) + (${announcements}) when 'community' then (${notices}) else 0 end`;
}

export const inboxService = Object.freeze({ page, openNotice, markAllRead, unreadCountExpression });
