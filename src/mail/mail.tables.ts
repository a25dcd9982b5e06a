import type { Generated } from 'kysely';

export type OutboundStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboundEmailTable {
  id: Generated<number>;
  dedupe_key: string | null;
  kind: string;
  user_id: number | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  headers: Generated<Record<string, string>>;
  message_id: string;
  status: Generated<OutboundStatus>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  locked_until: Date | null;
  /** The delivery run whose claim this is (null when unclaimed); outcomes are recorded only by it. */
  claim_token: string | null;
  last_error: string | null;
  sent_at: Date | null;
  created_at: Generated<Date>;
}

/** An address the SMTP server refused permanently; nothing is sent to it until the mark is cleared. */
export interface UndeliverableAddressTable {
  /** Normalized: trimmed, lower case. */
  address: string;
  smtp_reply: string;
  marked_at: Generated<Date>;
  outbound_email_id: number | null;
}

/** One message to one person, kept in their inbox (/inbox) and sent by email with it (src/mail/notices.ts). */
export interface NoticeTable {
  id: Generated<number>;
  user_id: number;
  /** What happened: portfolio_submitted, extension_decision, feedback_ready, peer_assessment_received. */
  kind: string;
  /** The inbox line, e.g. "Your LeadEd502x Portfolio was submitted". */
  subject: string;
  /** A short plain-text summary shown in the inbox. */
  body: string;
  /** Where to read or act (a path of this app). */
  url: string;
  created_at: Date;
  read_at: Date | null;
  dedupe_key: string;
}

export interface MailTables {
  outbound_email: OutboundEmailTable;
  undeliverable_address: UndeliverableAddressTable;
  notice: NoticeTable;
}
