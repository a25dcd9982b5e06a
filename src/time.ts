import { AsyncLocalStorage } from 'node:async_hooks';
import { DateTime, IANAZone } from 'luxon';

/**
 * Time, done one way. Instants are JS Dates (timestamptz); local dates are 'YYYY-MM-DD' strings
 * (named …On); wall-clock times are 'HH:MM'. Deadlines are stored as an exclusive instant: the
 * midnight that ends the due day in the course's zone.
 */
export const COURSE_LOCALE = 'en-US';

/**
 * The language of dates (issue 17: "their own time zone and language of dates"). Each person
 * chooses on /settings how dates and times are written for them: the course's own US English
 * ("Mon, Feb 10, 2020, 4:30 PM") or another language's names, order and clock ("lun. 10 févr.
 * 2020, 16:30"). The choice is the request's (src/app.ts runs each request inside
 * `withDateLanguage`), or the recipient's while an email to them is rendered; everything that
 * shows a date goes through the format functions below, which read it. Form values and machine
 * formats (`dt`, ISO dates) never change with it.
 */
export const DATE_LANGUAGES = [
  'en-US',
  'en-GB',
  'es',
  'fr',
  'pt-BR',
  'de',
  'it',
  'nl',
  'pl',
  'tr',
  'ru',
  'ar',
  'hi',
  'zh-CN',
  'ja',
  'ko',
  'id',
  'fil',
  'vi',
  'sw',
] as const;

export const isDateLanguage = (code: string): boolean => (DATE_LANGUAGES as readonly string[]).includes(code);

const dateLanguage = new AsyncLocalStorage<string>();

/** Runs `fn` with dates shown in `language` (an unknown or missing one: the course's). */
export function withDateLanguage<T>(language: string | null | undefined, fn: () => T): T {
  return dateLanguage.run(language && isDateLanguage(language) ? language : COURSE_LOCALE, fn);
}

export const currentDateLanguage = (): string => dateLanguage.getStore() ?? COURSE_LOCALE;

/** The course's patterns as Intl options, for the other languages (their own order, names and clock). */
const LOCALIZED: Record<string, Intl.DateTimeFormatOptions> = {
  'ccc, LLL d, yyyy, h:mm a': { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' },
  'ccc, LLL d, h:mm a': { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' },
  'ccc, LLL d, yyyy': { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' },
  'h:mm a': { hour: 'numeric', minute: '2-digit' },
};

/** A local date-time written for the reader: the course's pattern in US English, else the pattern's meaning in their language. */
function shown(local: DateTime, pattern: string): string {
  const language = currentDateLanguage();
  if (language === COURSE_LOCALE) return local.toFormat(pattern);
  const options = LOCALIZED[pattern];
  const there = local.setLocale(language);
  return options ? there.toLocaleString(options) : there.toFormat(pattern);
}

/** The choices on /settings: each language named in itself, with a sample date written its way. */
export function dateLanguageChoices(): { value: string; label: string }[] {
  const sample = new Date('2020-02-10T21:30:00Z');
  return DATE_LANGUAGES.map((code) => {
    const name = new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code;
    return { value: code, label: `${name}: ${withDateLanguage(code, () => shown(DateTime.fromJSDate(sample, { zone: 'UTC' }), 'ccc, LLL d, yyyy, h:mm a'))}` };
  });
}

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
  // Calendar dates have no zone: whole days on the UTC calendar, without building a luxon DateTime (pages call this often).
  const at = Date.parse(`${on}T00:00:00Z`);
  if (Number.isNaN(at)) return DateTime.fromISO(on, { zone: 'UTC' }).plus({ days }).toISODate()!;
  return new Date(at + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Formatted instants, kept: the same few instants (the semester's events and deadlines) are
 * formatted in the same few zones on every page, and luxon spends far more on one format than a
 * lookup costs. Bounded: the whole map is dropped when it reaches MEMO_MAX entries.
 */
const formatted = new Map<string, string>();
const MEMO_MAX = 20_000;

function memo(kind: string, at: Date, zone: string, format: () => string): string {
  const key = `${kind}|${currentDateLanguage()}|${zone}|${at.getTime()}`;
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
  return local.isValid ? `${shown(local, pattern)} ${zoneName(at, zone)}` : local.toFormat(`${pattern} ZZZZ`);
}

/** "Mon, Jan 13, 2020, 5:00 PM EST" */
export function formatDateTime(at: Date, zone: string): string {
  return memo('datetime', at, zone, () => formatWithZoneName(at, zone, 'ccc, LLL d, yyyy, h:mm a'));
}

/** "5:00 PM" */
export function formatTime(at: Date, zone: string): string {
  return memo('time', at, zone, () => shown(dt(at, zone), 'h:mm a'));
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
  return memo('date', at, zone, () => shown(dt(at, zone), 'ccc, LLL d, yyyy'));
}

/** A local date shown as a date, without zone conversion: "Wed, Feb 26, 2020". */
export function formatLocalDate(on: string): string {
  const key = `${currentDateLanguage()}|${on}`;
  let text = localDates.get(key);
  if (text === undefined) {
    text = shown(DateTime.fromISO(on).setLocale(COURSE_LOCALE), 'ccc, LLL d, yyyy');
    if (localDates.size >= MEMO_MAX) localDates.clear();
    localDates.set(key, text);
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
