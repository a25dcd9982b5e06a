import { DateTime, IANAZone } from 'luxon';

/**
 * Time, done one way. Instants are JS Dates (timestamptz); local dates are 'YYYY-MM-DD' strings
 * (named …On); wall-clock times are 'HH:MM'. Deadlines are stored as an exclusive instant: the
 * midnight that ends the due day in the course's zone.
 */
export const COURSE_LOCALE = 'en-US';

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

export function localInstant(on: string, hhmm: string, zone: string): Date {
  const dt = DateTime.fromISO(`${on}T${hhmm}`, { zone });
  if (!dt.isValid) throw new Error(`Invalid local time ${on} ${hhmm} in ${zone}`);
  return dt.toJSDate();
}

export function startOfLocalDay(on: string, zone: string): Date {
  return localInstant(on, '00:00', zone);
}

/** The instant a due day ends: the next local midnight (a submission at or after it is late). */
export function endOfLocalDay(on: string, zone: string): Date {
  return DateTime.fromISO(on, { zone }).plus({ days: 1 }).startOf('day').toJSDate();
}

export function localDateOf(at: Date, zone: string): string {
  return memo('iso-date', at, zone, () => DateTime.fromJSDate(at, { zone }).toISODate()!);
}

export function addDays(on: string, days: number): string {
  return DateTime.fromISO(on, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/**
 * Formatted instants, kept: the same few instants (the semester's events and deadlines) are
 * formatted in the same few zones on every page, and luxon spends far more on one format than a
 * lookup costs. Bounded: the whole map is dropped when it reaches MEMO_MAX entries.
 */
const formatted = new Map<string, string>();
const MEMO_MAX = 20_000;

function memo(kind: string, at: Date, zone: string, format: () => string): string {
  const key = `${kind}|${zone}|${at.getTime()}`;
  let text = formatted.get(key);
  if (text === undefined) {
    text = format();
    if (formatted.size >= MEMO_MAX) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

export function dt(at: Date, zone: string): DateTime {
  return DateTime.fromJSDate(at, { zone }).setLocale(COURSE_LOCALE);
}

/**
 * The zone's short name at an instant ("EST", "GMT+1"), exactly as luxon's `ZZZZ` token gives
 * it, from one Intl.DateTimeFormat per zone: luxon builds a new one on every call, which made
 * zone names the most expensive thing on a page.
 */
const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();

export function zoneName(at: Date, zone: string): string {
  let format = zoneNameFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat(COURSE_LOCALE, {
      timeZoneName: 'short',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: zone,
    });
    zoneNameFormats.set(zone, format);
  }
  return format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** `dt(at, zone).toFormat(pattern)` followed by a space and the zone's short name. */
export function formatWithZoneName(at: Date, zone: string, pattern: string): string {
  const local = dt(at, zone);
  return local.isValid ? `${local.toFormat(pattern)} ${zoneName(at, zone)}` : local.toFormat(`${pattern} ZZZZ`);
}

/** "Mon, Jan 13, 2020, 5:00 PM EST" */
export function formatDateTime(at: Date, zone: string): string {
  return memo('datetime', at, zone, () => formatWithZoneName(at, zone, 'ccc, LLL d, yyyy, h:mm a'));
}

/** "5:00 PM" */
export function formatTime(at: Date, zone: string): string {
  return memo('time', at, zone, () => dt(at, zone).toFormat('h:mm a'));
}

/** Wall-clock hours as people say them: ('17:00', '19:00') → "5:00–7:00 pm"; ('11:00', '13:00') → "11:00 am–1:00 pm". */
export function formatClockRange(starts: string, ends: string): string {
  const part = (hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    return { text: `${h % 12 === 0 ? 12 : h % 12}:${String(m).padStart(2, '0')}`, half: h < 12 ? 'am' : 'pm' };
  };
  const a = part(starts);
  const b = part(ends);
  return a.half === b.half ? `${a.text}–${b.text} ${b.half}` : `${a.text} ${a.half}–${b.text} ${b.half}`;
}

/** "Mon, Jan 13, 2020" */
export function formatDate(at: Date, zone: string): string {
  return memo('date', at, zone, () => dt(at, zone).toFormat('ccc, LLL d, yyyy'));
}

/** A local date shown as a date, without zone conversion: "Wed, Feb 26, 2020". */
export function formatLocalDate(on: string): string {
  let text = localDates.get(on);
  if (text === undefined) {
    text = DateTime.fromISO(on).setLocale(COURSE_LOCALE).toFormat('ccc, LLL d, yyyy');
    if (localDates.size >= MEMO_MAX) localDates.clear();
    localDates.set(on, text);
  }
  return text;
}
const localDates = new Map<string, string>();

/**
 * A deadline (exclusive instant) as one instant, never a range: the last minute it still counts,
 * in the reader's zone with the zone's abbreviation. "Wed, Feb 26, 2020, 11:59 PM EST"; 'short'
 * (subject lines) drops the year: "Wed, Feb 26, 11:59 PM EST". Every deadline shown anywhere
 * (pages, emails, reminders, the calendar) goes through here.
 */
export function formatDeadline(dueAt: Date, zone: string, style: 'long' | 'short' = 'long'): string {
  const lastMinute = new Date(dueAt.getTime() - 60_000);
  if (style === 'short') return memo('deadline-short', lastMinute, zone, () => formatWithZoneName(lastMinute, zone, 'ccc, LLL d, h:mm a'));
  return formatDateTime(lastMinute, zone);
}

/** An event's time: "Mon, Jan 13, 2020, 5:00 PM EST – 7:00 PM" (or just the start when it has no end). */
export function formatSpan(startsAt: Date, endsAt: Date | null | undefined, zone: string): string {
  return `${formatDateTime(startsAt, zone)}${endsAt ? ` – ${formatTime(endsAt, zone)}` : ''}`;
}

/** Whole local calendar days from `from` to `to` in `zone` (negative when past). */
export function daysUntil(from: Date, to: Date, zone: string): number {
  // Calendar days between the two local dates (what luxon's diff of the two local midnights gives).
  return Math.round((Date.parse(localDateOf(to, zone)) - Date.parse(localDateOf(from, zone))) / 86_400_000);
}

/** "2 days, 3 hours" */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts: string[] = [];
  if (days) parts.push(`${days} day${days === 1 ? '' : 's'}`);
  if (hours) parts.push(`${hours} hour${hours === 1 ? '' : 's'}`);
  if (!days && mins) parts.push(`${mins} minute${mins === 1 ? '' : 's'}`);
  return parts.length ? parts.join(', ') : 'less than a minute';
}

/** The UTC offset of `zone` at an instant, e.g. "-05:00". */
export function utcOffset(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('ZZ');
}
