import type { Db } from '../db/database';
import { endSessionsOf } from '../http/session-store';
import { Expired } from '../errors';
import { enqueueEmail, type EmailToSend } from '../mail/outbox';
import { enqueueEmails, type BatchEmail } from '../mail/outbox-batch';
import { renderEmail } from '../mail/render';
import type { TokenPurpose } from './accounts.tables';
import { normalizeEmail } from './identity';
import { hashPassword, verifyPassword } from './passwords';
import { courseRepository } from '../course/course.repository';
import { passwordResetsRepository } from './password-resets.repository';
import { tokensRepository, TOKEN_TTL_HOURS } from './tokens.repository';
import { usersRepository, type User } from './users.repository';

/** Accounts: logging in, invitations, setting and resetting passwords. */
function sessionUser(u: User): Express.User {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    offeringId: u.offering_id,
    sectionId: u.section_id,
    timeZone: u.time_zone,
    dateLanguage: u.date_language,
  };
}

async function authenticate(db: Db, email: string, password: string, now: Date): Promise<Express.User | null> {
  const user = await usersRepository.findByEmail(db, email);
  const ok = await verifyPassword(password, user && !user.deactivated_at ? user.password_hash : null);
  if (!user || !ok) return null;
  await usersRepository.recordLogin(db, user.id, now);
  return sessionUser(user);
}

type Offering = { code: string; title: string; term: string; instructor_name: string };

async function offeringOf(db: Db, offeringId: number): Promise<Offering> {
  return courseRepository.offering(db, offeringId);
}

/** The invitation or reset email for one user and their token link. */
async function tokenEmail(offering: Offering, user: Pick<User, 'id' | 'name' | 'email'>, purpose: TokenPurpose, link: string): Promise<EmailToSend> {
  const template = purpose === 'invitation' ? 'invitation' : 'password-reset';
  const { text, html } = await renderEmail(template, {
    name: user.name,
    link,
    hours: TOKEN_TTL_HOURS[purpose],
    course: `${offering.code} ${offering.title}`,
    term: offering.term,
    instructor: offering.instructor_name,
  });
  return {
    kind: purpose,
    userId: user.id,
    to: user.email,
    subject:
      purpose === 'invitation'
        ? `[${offering.code}] You're invited to Cohort Companion for ${offering.title}`
        : `[${offering.code}] Reset your Cohort Companion password`,
    text,
    html,
  };
}

/** Writes the invitation or reset email to the outbox (sent after commit by the worker). */
async function sendTokenEmail(db: Db, user: User, purpose: TokenPurpose, baseUrl: string, now: Date): Promise<void> {
  const token = await tokensRepository.issue(db, user.id, purpose, now);
  await enqueueEmail(db, { ...(await tokenEmail(await offeringOf(db, user.offering_id), user, purpose, `${baseUrl}/set-password/${token}`)), baseUrl });
}

/**
 * Invitations for many new students of one offering, set-based: one INSERT of tokens and one
 * of outbox rows per thousand (a 2,000-student roster is a handful of statements, not 4,000).
 */
async function sendInvitations(db: Db, offeringId: number, users: Pick<User, 'id' | 'name' | 'email'>[], baseUrl: string, now: Date): Promise<void> {
  if (users.length === 0) return;
  const offering = await offeringOf(db, offeringId);
  const tokens = await tokensRepository.issueMany(
    db,
    users.map((u) => u.id),
    'invitation',
    now,
  );
  const emails: BatchEmail[] = [];
  for (const u of users) {
    const { token, tokenId } = tokens.get(u.id)!;
    const email = await tokenEmail(offering, u, 'invitation', `${baseUrl}/set-password/${token}`);
    emails.push({ ...email, dedupeKey: `invitation-token-${tokenId}`, baseUrl });
  }
  await enqueueEmails(db, emails);
}

/**
 * "Forgot password": the request is only written down here, the same single insert for any address,
 * so the page answers in the same time whether or not the address has an account. The worker
 * answers the requests (answerPasswordResets). Abuse limits are the route's (src/http/throttle.ts).
 */
async function requestPasswordReset(db: Db, email: string): Promise<void> {
  await passwordResetsRepository.insert(db, normalizeEmail(email));
}

/** The worker's job: a reset email for each waiting request whose address is an active account; others are dropped. */
async function answerPasswordResets(db: Db, baseUrl: string, now: Date, batch = 100): Promise<number> {
  const requests = await passwordResetsRepository.takeBatch(db, batch);
  // One lookup for the batch (addresses were normalized when written down); unknown ones get nothing.
  const users = (await usersRepository.findByEmails(db, [...new Set(requests.map((r) => r.email))])).filter((u) => !u.deactivated_at);
  for (const user of users) await sendTokenEmail(db, user, 'password_reset', baseUrl, now);
  return users.length;
}

async function checkToken(db: Db, token: string, now: Date): Promise<User | null> {
  const live = await tokensRepository.findLive(db, token, now);
  if (!live) return null;
  return (await usersRepository.findById(db, live.user_id)) ?? null;
}

async function setPasswordWithToken(db: Db, token: string, password: string, now: Date): Promise<User> {
  const live = await tokensRepository.findLive(db, token, now);
  if (!live) throw new Expired('This link has expired or has already been used. Ask for a new one below.');
  await usersRepository.setPassword(db, live.user_id, await hashPassword(password), now);
  await tokensRepository.markUsed(db, live.id, live.user_id, now);
  // Whoever was signed in with the old password (a shared computer, a stolen session) is signed out.
  await endSessionsOf(db, live.user_id);
  return (await usersRepository.findById(db, live.user_id))!;
}

export const accountsService = Object.freeze({
  sessionUser,
  authenticate,
  sendTokenEmail,
  sendInvitations,
  requestPasswordReset,
  answerPasswordResets,
  checkToken,
  setPasswordWithToken,
});
