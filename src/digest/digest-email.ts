import { renderEmail, type RenderedEmail } from '../mail/render';
import { formatDateTime, formatDuration, formatLocalDate, formatDeadline } from '../time';
import { factCount, type DigestFacts } from './digest-facts';

/**
 * The digest email: a subject with exact counts of each kind, then a section per kind that has
 * items (none for the others), each item naming the student and linking to where the instructor
 * acts. Every time is in the instructor's zone.
 */
export interface DigestItem {
  student: string;
  text: string;
  url: string;
}

export interface DigestSection {
  heading: string;
  items: DigestItem[];
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function sectionsOf(f: DigestFacts, zone: string, baseUrl: string): DigestSection[] {
  const sections: DigestSection[] = [
    {
      heading: 'New extension requests',
      items: f.extensionRequests.map((x) => ({
        student: x.student_name,
        text: `${x.requirement_title}: asks for ${formatLocalDate(x.proposed_due_on)}; requested ${formatDateTime(x.requested_at, zone)}${x.made_before_due ? ', before the due date' : ', after the due date'} (now ${x.status}). Reason: ${x.reason}`,
        url: `${baseUrl}/instructor/extensions/${x.id}`,
      })),
    },
    {
      heading: 'Absence notices',
      items: f.absenceNotices.map((n) => ({
        student: n.student_name,
        text: `expects to miss ${n.meeting_title} (${formatDateTime(n.meeting_starts_at, zone)}); sent ${formatDateTime(n.submitted_at, zone)}. Reason: ${n.reason}`,
        url: `${baseUrl}/instructor/attendance/${n.calendar_event_id}`,
      })),
    },
    {
      heading: 'Late submissions',
      items: f.lateSubmissions.map((s) => ({
        student: s.student_name,
        text: `${s.requirement_title}: submitted ${formatDateTime(s.submitted_at, zone)}, ${formatDuration(s.late_by_seconds * 1000)} after their due time (${formatDeadline(s.due_at, zone)})${s.is_complete ? '' : ', incomplete'}`,
        url: `${baseUrl}/instructor/submissions/${s.id}/grade`,
      })),
    },
    {
      heading: f.firstRun ? 'Behind by 2 or more lessons' : 'Newly behind by 2 or more lessons',
      items: f.newlyBehind.map((b) => ({
        student: b.name,
        text: `behind by ${count(b.behindBy, 'lesson', 'lessons')}${b.catchUp ? `; catching up starts at ${b.catchUp}` : ''}`,
        url: `${baseUrl}/instructor/roster/students/${b.userId}`,
      })),
    },
    {
      heading: 'Undeliverable email addresses',
      items: f.undeliverable.map((u) => ({
        student: u.name,
        text: `${u.address}: the mail server refused it ${formatDateTime(u.markedAt, zone)} (${u.smtpReply}); nothing more is sent to it until you correct it or press Retry email`,
        url: `${baseUrl}/instructor/roster/students/${u.userId}`,
      })),
    },
  ];
  return sections.filter((s) => s.items.length > 0);
}

/** "2 extension requests, 1 absence notice, …": the exact count of each kind present. */
export function countsLabel(f: DigestFacts): string {
  const parts = [
    f.extensionRequests.length && count(f.extensionRequests.length, 'extension request', 'extension requests'),
    f.absenceNotices.length && count(f.absenceNotices.length, 'absence notice', 'absence notices'),
    f.lateSubmissions.length && count(f.lateSubmissions.length, 'late submission', 'late submissions'),
    f.newlyBehind.length && `${count(f.newlyBehind.length, 'student', 'students')} ${f.firstRun ? '' : 'newly '}behind by 2+ lessons`,
    f.undeliverable.length && count(f.undeliverable.length, 'undeliverable address', 'undeliverable addresses'),
  ];
  return parts.filter(Boolean).join(', ');
}

export interface DigestMessage extends RenderedEmail {
  subject: string;
}

export async function renderDigest(
  f: DigestFacts,
  m: { courseCode: string; courseTitle: string; instructorName: string; zone: string; localDate: string; windowStart: Date; windowEnd: Date; baseUrl: string },
): Promise<DigestMessage> {
  if (factCount(f) === 0) throw new Error('renderDigest: nothing to report');
  const day = formatLocalDate(m.localDate).replace(/, \d{4}$/, '');
  const subject = `[${m.courseCode}] Daily digest, ${day}: ${countsLabel(f)}`;
  const email = await renderEmail('digest', {
    course: `${m.courseCode} ${m.courseTitle}`,
    name: m.instructorName,
    since: formatDateTime(m.windowStart, m.zone),
    until: formatDateTime(m.windowEnd, m.zone),
    zone: m.zone.replace(/_/g, ' '),
    firstRun: f.firstRun,
    summary: countsLabel(f),
    sections: sectionsOf(f, m.zone, m.baseUrl),
    settingsUrl: `${m.baseUrl}/settings`,
  });
  return { subject, ...email };
}
