import crypto from 'node:crypto';
import { sql, type Expression, type RawBuilder } from 'kysely';

/**
 * The outbox's one Message-ID scheme: `<kind-key@host>`, the host from BASE_URL. A stable key
 * (a reminder, one announcement's recipient, an invitation token) gives the same id on every
 * send, so a receiver drops the rare second copy a crash between SMTP's 250 and the outbox's
 * "sent" mark can cause. Without a key the id is random (`<kind-uuid@host>`).
 */
export function messageIdFor(kind: string, key: string | number | null, baseUrl?: string): string {
  return `<${kind}-${key ?? crypto.randomUUID()}@${hostOf(baseUrl)}>`;
}

/** messageIdFor in SQL, for a set-based insert whose key ends in a column (`<kind-keyPrefix || column@host>`). */
export function messageIdSql(kind: string, keyPrefix: string, keyColumn: Expression<unknown>, baseUrl?: string): RawBuilder<string> {
  return sql<string>`${`<${kind}-${keyPrefix}`} || ${keyColumn} || ${`@${hostOf(baseUrl)}>`}`;
}

function hostOf(baseUrl: string | undefined): string {
  return (baseUrl && new URL(baseUrl).hostname) || 'cohort-companion';
}
