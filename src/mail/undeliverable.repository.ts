import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/**
 * Addresses the SMTP server refused permanently (src/mail/ owns undeliverable_address). The outbox
 * marks them; other features read marks here and clear one through `clear` (the instructor's
 * "Retry email", an address change). Addresses are compared normalized.
 */
export const normalizeAddress = (address: string): string => address.trim().toLowerCase();

export interface UndeliverableMark {
  address: string;
  smtpReply: string;
  markedAt: Date;
}

async function mark(db: Db, address: string, smtpReply: string, markedAt: Date, outboundEmailId: number): Promise<void> {
  const values = { address: normalizeAddress(address), smtp_reply: smtpReply.slice(0, 1000), marked_at: markedAt, outbound_email_id: outboundEmailId };
  await db
    .insertInto('undeliverable_address')
    .values(values)
    .onConflict((oc) =>
      oc.column('address').doUpdateSet({ smtp_reply: values.smtp_reply, marked_at: values.marked_at, outbound_email_id: values.outbound_email_id }),
    )
    .execute();
}

/** The marks among `addresses`, by normalized address. */
async function find(db: Db, addresses: string[]): Promise<Map<string, UndeliverableMark>> {
  const wanted = [...new Set(addresses.map(normalizeAddress))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('undeliverable_address').select(['address', 'smtp_reply', 'marked_at']).where('address', '=', anyOf(wanted)).execute();
  return new Map(rows.map((r) => [r.address, { address: r.address, smtpReply: r.smtp_reply, markedAt: r.marked_at }]));
}

async function markOf(db: Db, address: string): Promise<UndeliverableMark | null> {
  return (await find(db, [address])).get(normalizeAddress(address)) ?? null;
}

/** Clears the mark: the next message to the address is attempted again. True when there was one. */
async function clear(db: Db, address: string): Promise<boolean> {
  const r = await db.deleteFrom('undeliverable_address').where('address', '=', normalizeAddress(address)).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export const undeliverableRepository = Object.freeze({ mark, find, markOf, clear });

/** The reason an outbox message was not sent to a marked address (shown on the reminders page). */
export const notSentReason = (m: UndeliverableMark): string =>
  `Not sent: ${m.address} is marked undeliverable (the mail server answered: ${m.smtpReply}). The instructor can press "Retry email" on the student's roster page.`;
