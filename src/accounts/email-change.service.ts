import { auditRepository } from '../audit/audit.repository';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { endSessionsOf } from '../http/session-store';
import { Expired, Refused } from '../errors';
import { enqueueEmail } from '../mail/outbox';
import { renderEmail } from '../mail/render';
import { accountsService } from './accounts.service';
import { tokensRepository, TOKEN_TTL_HOURS } from './tokens.repository';
import { usersRepository, type User } from './users.repository';

/**
 * Changing a person's email address (the instructor corrects it on the roster).
 *
 * An account in use (a password is set) keeps signing in with the old address until the new one
 * is confirmed: the new address gets a one-time link (a user_token of purpose 'email_change'
 * carrying the address), the old address is told. So a typo never locks a student out, and
 * nobody takes over an account by having its address changed to theirs.
 *
 * An account never used (the invitation is still open) switches at once: its invitation links
 * die and a fresh invitation goes to the new address, which confirms it by being used; the old
 * address is told.
 */
export interface MailContext {
  baseUrl: string;
  now: Date;
}

async function notifyOldAddress(db: Db, user: User, newEmail: string, pending: boolean, baseUrl: string): Promise<void> {
  const offering = await courseRepository.offering(db, user.offering_id);
  const { text, html } = await renderEmail('email-change-notice', {
    name: user.name,
    oldEmail: user.email,
    newEmail,
    pending,
    course: `${offering.code} ${offering.title}`,
    instructor: offering.instructor_name,
  });
  await enqueueEmail(db, {
    kind: 'email_change_notice',
    userId: user.id,
    to: user.email,
    subject: `[${offering.code}] Your Cohort Companion email address is changing`,
    text,
    html,
    baseUrl,
  });
}

/** Returns 'pending' (a confirmation link went out) or 'switched' (an unused account moved at once). */
async function requestChange(db: Db, user: User, newEmail: string, ctx: MailContext): Promise<'pending' | 'switched'> {
  if (!user.password_hash) {
    await notifyOldAddress(db, user, newEmail, false, ctx.baseUrl);
    await tokensRepository.revokeAll(db, user.id, ctx.now);
    await usersRepository.updateMember(db, user.id, { email: newEmail });
    await endSessionsOf(db, user.id);
    await accountsService.sendTokenEmail(db, { ...user, email: newEmail }, 'invitation', ctx.baseUrl, ctx.now);
    return 'switched';
  }
  // A newer request replaces an older one still waiting.
  await tokensRepository.revokePending(db, user.id, 'email_change', ctx.now);
  const token = await tokensRepository.issue(db, user.id, 'email_change', ctx.now, newEmail);
  const offering = await courseRepository.offering(db, user.offering_id);
  const { text, html } = await renderEmail('email-change', {
    name: user.name,
    newEmail,
    link: `${ctx.baseUrl}/confirm-email/${token}`,
    hours: TOKEN_TTL_HOURS.email_change,
    course: `${offering.code} ${offering.title}`,
  });
  await enqueueEmail(db, {
    kind: 'email_change',
    userId: user.id,
    to: newEmail,
    subject: `[${offering.code}] Confirm your new Cohort Companion email address`,
    text,
    html,
    baseUrl: ctx.baseUrl,
  });
  await notifyOldAddress(db, user, newEmail, true, ctx.baseUrl);
  return 'pending';
}

/** The live email-change link for a secret, with its account, or null. */
async function check(db: Db, token: string, now: Date) {
  const live = await tokensRepository.findLive(db, token, now);
  if (!live || live.purpose !== 'email_change' || !live.new_email) return null;
  const user = await usersRepository.findById(db, live.user_id);
  if (!user || user.deactivated_at) return null;
  return { user, newEmail: live.new_email, tokenId: live.id };
}

/** The person confirms: the address becomes their login, unless someone took it meanwhile. */
/** Switches the address; every session of the account ends (it signs in again with the new address). */
async function confirm(db: Db, token: string, now: Date): Promise<{ email: string; userId: number }> {
  const live = await check(db, token, now);
  if (!live) throw new Expired('This link has expired or has already been used. Ask your instructor to change the address again.');
  const taken = await usersRepository.findByEmail(db, live.newEmail);
  if (taken && taken.id !== live.user.id) throw new Refused(`${live.newEmail} is already used by another account. Ask your instructor for help.`);
  await usersRepository.updateMember(db, live.user.id, { email: live.newEmail });
  await tokensRepository.markUsed(db, live.tokenId, live.user.id, now);
  await endSessionsOf(db, live.user.id);
  await auditRepository.record(db, [
    {
      offeringId: live.user.offering_id,
      subjectUserId: live.user.id,
      actorId: live.user.id,
      action: 'email',
      oldValue: live.user.email,
      newValue: live.newEmail,
      at: now,
    },
  ]);
  return { email: live.newEmail, userId: live.user.id };
}

export const emailChangeService = Object.freeze({ requestChange, check, confirm });
