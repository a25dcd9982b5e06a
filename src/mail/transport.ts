import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMessage {
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  messageId: string;
  headers?: Record<string, string>;
  /**
   * The Date header: the app clock's time of sending (APP_NOW pins it), so a message's date
   * agrees with the "sent" time the app shows. Without it nodemailer would use the system clock.
   */
  date: Date;
}

/**
 * List-* headers (src/mail/unsubscribe.ts) are ASCII already; nodemailer would MIME-encode a
 * quoted List-Id phrase into =?UTF-8?Q?…?=, which mail providers do not read. Passed as prepared.
 */
function nodemailerHeaders(headers: Record<string, string> | undefined) {
  if (!headers) return undefined;
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, /^List-/i.test(k) && /^[\x20-\x7e]*$/.test(v) ? { prepared: true, value: v } : v]));
}

/** Something that delivers one message or throws (with `responseCode` for SMTP replies). */
export interface MailSender {
  send(message: OutgoingMessage): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer (SMTP_URL, e.g. smtp://localhost:1025 for Mailpit). */
export function smtpSender(smtpUrl: string): MailSender {
  // One SMTP exchange is bounded (nodemailer's default socket timeout is 10 minutes), so it stays
  // well inside the lease the outbox takes before each send (sendLeaseSeconds, src/mail/outbox.ts).
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 120_000 });
  return {
    async send(m) {
      await transport.sendMail({ ...m, headers: nodemailerHeaders(m.headers), html: m.html ?? undefined });
    },
    close: () => transport.close(),
  };
}

/**
 * Development without SMTP_URL: each message is printed to the console and saved as an .eml
 * file under DATA_DIR/mail, so an invitation link is never lost.
 */
export function consoleSender(dir: string, log: (line: string) => void = console.log): MailSender {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m) {
      const info = await transport.sendMail({ ...m, headers: nodemailerHeaders(m.headers), html: m.html ?? undefined });
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${m.date.toISOString().replace(/[:.]/g, '-')}-${m.messageId.replace(/[^a-zA-Z0-9]/g, '')}.eml`);
      fs.writeFileSync(file, info.message as Buffer);
      log(`\n--- email (no SMTP_URL; saved to ${file}) ---\nTo: ${m.to}\nSubject: ${m.subject}\n\n${m.text}\n--- end of email ---\n`);
    },
    close: () => undefined,
  };
}
