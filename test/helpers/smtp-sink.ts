import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/**
 * A real SMTP server in-process (smtp-server): messages arrive over a socket through
 * nodemailer exactly as in production. `failNext` makes it answer the next DATA with an error;
 * `delayMs` (or `setDelay`) makes it a slow server: it answers each DATA only after that long.
 */
export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: ParsedMail['headers'];
  raw: string;
}

export interface SmtpSink {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Make the next n messages fail with this SMTP reply code. */
  failNext(count: number, code: number): void;
  /** Refuse this recipient at RCPT TO with this SMTP reply code (e.g. 550) until `acceptRecipient`. */
  rejectRecipient(address: string, code: number): void;
  acceptRecipient(address: string): void;
  /** Answer every following DATA only after `ms` (a slow SMTP server); 0 for prompt. */
  setDelay(ms: number): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { delayMs?: number } = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  let delayMs = opts.delayMs ?? 0;
  let failures: { remaining: number; code: number } = { remaining: 0, code: 0 };
  const refused = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refused.get(address.address.toLowerCase());
      if (!code) return callback();
      const err = new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later') as Error & { responseCode: number };
      err.responseCode = code;
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (delayMs > 0) setTimeout(answer, delayMs);
        else answer();
      });
      const answer = () => {
        if (failures.remaining > 0) {
          failures.remaining -= 1;
          const err = new Error(failures.code >= 500 ? 'Mailbox unavailable' : 'Try again later') as Error & { responseCode: number };
          err.responseCode = failures.code;
          return callback(err);
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
              headers: parsed.headers,
              raw: raw.toString('utf8'),
            });
            callback();
          })
          .catch(callback);
      };
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    failNext: (count, code) => {
      failures = { remaining: count, code };
    },
    rejectRecipient: (address, code) => {
      refused.set(address.toLowerCase(), code);
    },
    acceptRecipient: (address) => {
      refused.delete(address.toLowerCase());
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    clear: () => {
      messages.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
