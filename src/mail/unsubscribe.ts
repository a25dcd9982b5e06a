import crypto from 'node:crypto';

/**
 * One-click unsubscribe (RFC 8058 / RFC 2369). The kinds of email a person may turn off; every
 * other kind (portfolio deadline reminders, password links…) is required communication and
 * carries no List-Unsubscribe header.
 *
 * A token is `<userId>.<kind>.<mac>`, the mac an HMAC-SHA256 over "unsubscribe:<userId>:<kind>"
 * keyed with the session secret. Chosen over a stored random token: nothing to store or look up
 * per message, a token cannot be read out of the database, and it is checked in constant time
 * without trusting the client; changing SESSION_SECRET retires every old link (they then 404).
 */
export const OPT_OUT_KINDS = ['reminder_meeting', 'announcement', 'digest', 'weekly_nudge', 'reminder_office_hours'] as const;
export type OptOutKind = (typeof OPT_OUT_KINDS)[number];

export function isOptOutKind(kind: string): kind is OptOutKind {
  return (OPT_OUT_KINDS as readonly string[]).includes(kind);
}

function mac(secret: string, userId: number, kind: string): string {
  return crypto.createHmac('sha256', secret).update(`unsubscribe:${userId}:${kind}`).digest('base64url');
}

export function unsubscribeToken(secret: string, userId: number, kind: OptOutKind): string {
  return `${userId}.${kind}.${mac(secret, userId, kind)}`;
}

/** The user and kind a token names, or null for a tampered, unknown or malformed one. */
export function verifyUnsubscribeToken(secret: string, token: string): { userId: number; kind: OptOutKind } | null {
  const m = /^([1-9]\d{0,9})\.([a-z_]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m || !isOptOutKind(m[2])) return null;
  const userId = Number(m[1]);
  const expected = Buffer.from(mac(secret, userId, m[2]));
  const given = Buffer.from(m[3]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  return { userId, kind: m[2] };
}

export interface ListHeaderOptions {
  baseUrl: string;
  secret: string;
  /** A mailbox that unsubscribes by mail (UNSUBSCRIBE_MAILTO); only then is a mailto: form added. */
  mailto?: string;
  /** The List-Id of the recipient's course, e.g. { id: 'educ-551-639-winter-2020.cohort.example', name: 'EDUC 551/639 …' }. */
  listOf?: (userId: number) => Promise<{ id: string; name: string } | null>;
}

/** The list headers for one outbox row, computed from what it records (kind, user). */
export async function listHeadersFor(row: { kind: string; user_id: number | null }, opts: ListHeaderOptions): Promise<Record<string, string>> {
  if (row.user_id === null) return {};
  const headers: Record<string, string> = {};
  const list = opts.listOf ? await opts.listOf(row.user_id) : null;
  if (list) headers['List-Id'] = `${JSON.stringify(list.name)} <${list.id}>`;
  if (isOptOutKind(row.kind)) {
    const token = unsubscribeToken(opts.secret, row.user_id, row.kind);
    const links = [`<${opts.baseUrl}/unsubscribe/${token}>`];
    if (opts.mailto) links.push(`<mailto:${opts.mailto}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>`);
    headers['List-Unsubscribe'] = links.join(', ');
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return headers;
}
