import crypto from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';

/**
 * The outbox's one Message-ID scheme: `<kind-UUID@host>`, a random UUID (v4, 122 random bits)
 * made once when the message is queued and stored with it, the host from BASE_URL. Unique across
 * installations (two installations on `localhost` never share an id, as `<reminder-42@host>`
 * did once the database ids repeated) and stable across retries: every attempt sends the row's
 * stored id, so a receiver drops the rare second copy a crash between SMTP's 250 and the
 * outbox's "sent" mark can cause. One logical message is one row (its dedupe key).
 */
export function messageIdFor(kind: string, baseUrl?: string): string {
  return `<${kind}-${crypto.randomUUID()}@${hostOf(baseUrl)}>`;
}

/** messageIdFor in SQL, for a set-based insert: a fresh UUID per row. */
export function messageIdSql(kind: string, baseUrl?: string): RawBuilder<string> {
  return sql<string>`${`<${kind}-`} || gen_random_uuid()::text || ${`@${hostOf(baseUrl)}>`}`;
}

function hostOf(baseUrl: string | undefined): string {
  return (baseUrl && new URL(baseUrl).hostname) || 'cohort-companion';
}
