import crypto from 'node:crypto';
import { normalizeEmail, normalizeName } from '../accounts/identity';
import { hashPassword, hashToken, newToken } from '../accounts/passwords';
import { usersRepository, type User } from '../accounts/users.repository';
import { auditRepository } from '../audit/audit.repository';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { Expired, Invalid, NotFound, Refused } from '../errors';
import { endSessionsOf } from '../http/session-store';
import { inTransaction } from '../db/transaction';
import { lockName } from '../db/locks';
import { planStudents } from '../reminders/planner';
import { teamsRepository } from '../teams/teams.repository';
import { tokensRepository } from '../accounts/tokens.repository';
import { enqueueEmail } from '../mail/outbox';
import { renderEmail } from '../mail/render';
import { endOfLocalDay, formatDate, formatDateTime, localDateOf } from '../time';
import { countryName } from '../countries';
import { joinLinksRepository } from './join-links.repository';
import { joinRequestsRepository } from './join-requests.repository';

/**
 * The community (issue 17): the online learners beside the campus cohort.
 *
 * The instructor makes join links (optionally limited in uses and time, revocable). A person opens
 * /join/CODE and gives name, email, time zone and country; nothing is created but a waiting
 * request and an email with a one-time confirmation link (48 hours). Confirming it and choosing a
 * password creates the account (role community, no section) and counts one use of the link, under
 * a lock on the link so two confirmations cannot both take its last place. An address that already
 * has an account gets an email saying so instead: the page answers the same either way, so the form
 * does not tell a stranger who is registered. Removing a learner is soft, like a drop.
 */
export const CONFIRM_TTL_HOURS = 48;
export const COMMUNITY_PAGE_SIZE = 50;

export type JoinLink = Awaited<ReturnType<typeof joinLinksRepository.listFor>>[number];

type Closed = 'revoked' | 'expired' | 'full';

/** Whether a link still lets anyone join, and if not why (null: it does). */
function closedState(link: JoinLink, now: Date): Closed | null {
  if (link.revoked_at) return 'revoked';
  if (link.expires_at && link.expires_at.getTime() <= now.getTime()) return 'expired';
  if (link.max_uses !== null && link.uses >= link.max_uses) return 'full';
  return null;
}

const CLOSED_MESSAGE: Record<Closed, string> = {
  revoked: 'This join link has been turned off by the instructor.',
  expired: 'This join link has expired.',
  full: 'This join link has been used as many times as the instructor allowed.',
};
const CLOSED_STATUS: Record<Closed, string> = { revoked: 'Turned off', expired: 'Expired', full: 'Full' };

const closedReason = (link: JoinLink, now: Date): string | null => {
  const state = closedState(link, now);
  return state && CLOSED_MESSAGE[state];
};

const ASK = ' Ask the instructor or whoever shared it with you for a new link.';

export interface NewLink {
  offeringId: number;
  by: number;
  label: string;
  maxUses: number | null;
  /** The last day the link works (a date in the instructor's zone), or null for no end. */
  expiresOn: string | null;
  zone: string;
  now: Date;
}

async function createLink(db: Db, input: NewLink): Promise<JoinLink> {
  const expiresAt = input.expiresOn ? endOfLocalDay(input.expiresOn, input.zone) : null;
  if (expiresAt && expiresAt.getTime() <= input.now.getTime()) {
    const message = 'Choose a last day that is today or later.';
    throw new Invalid(message, { expiresOn: message });
  }
  const code = crypto.randomBytes(12).toString('base64url');
  return joinLinksRepository.insert(db, {
    offeringId: input.offeringId,
    code,
    label: input.label,
    by: input.by,
    at: input.now,
    expiresAt,
    maxUses: input.maxUses,
  });
}

async function revokeLink(db: Db, offeringId: number, linkId: number, now: Date): Promise<void> {
  if (await joinLinksRepository.revoke(db, offeringId, linkId, now)) return;
  if (!(await joinLinksRepository.exists(db, offeringId, linkId))) throw new NotFound('There is no such join link.');
  // Already off: nothing to do (a second click, or a second tab).
}

/** The roster page's list of links, for the instructor. */
async function linksView(db: Db, offeringId: number, baseUrl: string, zone: string, now: Date) {
  const [links, counts] = await Promise.all([joinLinksRepository.listFor(db, offeringId), usersRepository.communityCounts(db, offeringId)]);
  return {
    counts,
    links: links.map((l) => {
      const closed = closedState(l, now);
      return {
        id: l.id,
        url: `${baseUrl}/join/${l.code}`,
        label: l.label,
        created: formatDateTime(l.created_at, zone),
        uses: l.uses,
        maxUses: l.max_uses,
        expires: l.expires_at ? `End of ${formatDate(new Date(l.expires_at.getTime() - 1), zone)}` : null,
        revoked: !!l.revoked_at,
        status: closed ? CLOSED_STATUS[closed] : 'Open',
      };
    }),
  };
}

/** The link a join page is for, open; a closed one is a 410 saying why, an unknown one a 404. */
async function openLink(db: Db, code: string, now: Date) {
  const link = /^[A-Za-z0-9_-]{8,64}$/.test(code) ? await joinLinksRepository.byCode(db, code) : undefined;
  if (!link) throw new NotFound('We could not find that join link. Check that the whole link was copied.');
  const closed = closedReason(link, now);
  if (closed) throw new Expired(closed + ASK);
  const offering = await courseRepository.offering(db, link.offering_id);
  return { link, offering };
}

export interface JoinInput {
  code: string;
  name: string;
  email: string;
  timeZone: string;
  country: string;
  now: Date;
  baseUrl: string;
}

/** The join form's submission: a waiting request and its confirmation email, or, for a known address, an email saying so. */
async function requestToJoin(db: Db, input: JoinInput): Promise<void> {
  const { link, offering } = await openLink(db, input.code, input.now);
  const email = normalizeEmail(input.email);
  const name = normalizeName(input.name);
  const course = `${offering.code} ${offering.title}`;
  const existing = await usersRepository.findByEmail(db, email);
  if (existing) {
    const { text, html } = await renderEmail('join-existing', {
      name: existing.name,
      course,
      login: `${input.baseUrl}/login`,
      reset: `${input.baseUrl}/forgot-password`,
    });
    await enqueueEmail(db, {
      kind: 'join',
      userId: existing.id,
      to: existing.email,
      subject: `[${offering.code}] You already have a Cohort Companion account`,
      text,
      html,
      baseUrl: input.baseUrl,
    });
    return;
  }
  const { token, hash } = newToken();
  const expiresAt = new Date(input.now.getTime() + CONFIRM_TTL_HOURS * 3600_000);
  await joinRequestsRepository.insert(db, {
    linkId: link.id,
    email,
    name,
    timeZone: input.timeZone,
    country: input.country,
    tokenHash: hash,
    at: input.now,
    expiresAt,
  });
  const { text, html } = await renderEmail('join-confirm', {
    name,
    course,
    term: offering.term,
    link: `${input.baseUrl}/join/confirm/${token}`,
    hours: CONFIRM_TTL_HOURS,
  });
  await enqueueEmail(db, {
    kind: 'join',
    userId: null,
    to: email,
    subject: `[${offering.code}] Confirm your email to join ${offering.title}`,
    text,
    html,
    baseUrl: input.baseUrl,
  });
}

/** The confirmation page's request (undefined: unknown, used or expired). */
async function waitingRequest(db: Db, token: string, now: Date) {
  return joinRequestsRepository.liveByHash(db, hashToken(token), now);
}

/** Confirms the address and creates the account; returns the new user (to sign them in). */
async function confirm(db: Db, token: string, password: string, now: Date): Promise<User> {
  const gone = () => new Expired('This confirmation link has expired or has already been used. Open the join link again to get a new one.');
  const seen = await joinRequestsRepository.liveByHash(db, hashToken(token), now);
  if (!seen) throw gone();
  // Confirmations for one address take turns (two requests, two tabs): the first makes the account
  // and closes the others, which then find their link used. Taken before any row lock, so two
  // confirmations never hold each other's rows (a deadlock otherwise: each request, then the link).
  await lockName(db, `join-email:${seen.email}`);
  const request = await joinRequestsRepository.liveByHash(db, hashToken(token), now, true);
  if (!request) throw gone();
  // A link that expired after the request was made still honours it; one turned off or full does not.
  const link = await joinLinksRepository.lock(db, request.join_link_id);
  const refusal = !link
    ? 'This join link no longer exists.'
    : link.revoked_at || (link.max_uses !== null && link.uses >= link.max_uses)
      ? closedReason(link, now)
      : null;
  if (!link || refusal) throw new Expired(refusal + ASK);
  if (await usersRepository.findByEmail(db, request.email)) {
    throw new Refused('An account with this email address already exists. Log in with it instead, or reset its password.');
  }
  const user = await usersRepository
    .insert(db, {
      email: request.email,
      name: request.name,
      role: 'community',
      offering_id: link.offering_id,
      section_id: null,
      time_zone: request.time_zone,
      country: request.country,
      password_hash: await hashPassword(password),
      activated_at: now,
      created_at: now,
      last_login_at: now,
      deactivated_at: null,
    })
    .catch((err: unknown) => {
      // Two confirmations for one address at once (two join requests, two tabs): the unique index keeps one account.
      if ((err as { code?: string })?.code === '23505') throw new Refused('An account with this email address already exists. Log in with it instead.');
      throw err;
    });
  await joinRequestsRepository.markConfirmed(db, request.id, user.id, now);
  await joinRequestsRepository.closeOthersFor(db, request.email, now);
  await joinLinksRepository.countUse(db, link.id);
  await auditRepository.record(db, [
    { offeringId: link.offering_id, subjectUserId: user.id, actorId: user.id, action: 'join', newValue: link.label || link.code, at: now },
  ]);
  return user;
}

/** The instructor's list of community learners: who joined when, through which link, newest first. */
async function learnersPage(db: Db, offeringId: number, page: number, zone: string) {
  const offset = (page - 1) * COMMUNITY_PAGE_SIZE;
  const [rows, counts, links] = await Promise.all([
    usersRepository.communityPage(db, offeringId, { limit: COMMUNITY_PAGE_SIZE + 1, offset }),
    usersRepository.communityCounts(db, offeringId),
    joinLinksRepository.listFor(db, offeringId),
  ]);
  const more = rows.length > COMMUNITY_PAGE_SIZE;
  const shown = rows.slice(0, COMMUNITY_PAGE_SIZE);
  const via = await joinRequestsRepository.linksOfUsers(
    db,
    shown.map((r) => r.id),
  );
  const linkName = new Map(links.map((l) => [l.id, l.label || `Link made ${formatDate(l.created_at, zone)}`]));
  return {
    counts,
    page,
    previous: page > 1 ? page - 1 : null,
    next: more ? page + 1 : null,
    learners: shown.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      country: countryName(r.country),
      timeZone: r.time_zone,
      joined: formatDateTime(r.created_at, zone),
      joinedOn: localDateOf(r.created_at, zone),
      via: linkName.get(via.get(r.id) ?? -1) ?? '—',
      removed: r.deactivated_at ? formatDate(r.deactivated_at, zone) : null,
    })),
  };
}

/** The offering's community learner (NotFound for anyone else); `lock` holds their row: two tabs removing at once do it once. */
async function communityLearner(db: Db, offeringId: number, userId: number, lock = false) {
  const u = lock ? await usersRepository.findByIdForUpdate(db, userId) : await usersRepository.findById(db, userId);
  if (!u || u.role !== 'community' || u.offering_id !== offeringId) throw new NotFound('There is no such community learner.');
  return u;
}

/**
 * Removes a community learner (soft, like a drop): their work stays; they leave their Team
 * Practice teams (artifact versions stay), their reminders are withdrawn, their links die and
 * they are signed out. `restore` brings them back.
 */
async function remove(db: Db, actor: { id: number; offeringId: number }, userId: number, now: Date, reminderOffsetsDays: number[]): Promise<string> {
  const u = await communityLearner(db, actor.offeringId, userId, true);
  if (u.deactivated_at) throw new Refused(`${u.name} was already removed.`);
  await usersRepository.deactivate(db, u.id, now);
  await teamsRepository.leaveAll(db, u.id, now);
  await inTransaction(db, (t) => planStudents(t, now, reminderOffsetsDays, [u.id]));
  await tokensRepository.revokeAll(db, u.id, now);
  await endSessionsOf(db, u.id);
  await auditRepository.record(db, [{ offeringId: actor.offeringId, subjectUserId: u.id, actorId: actor.id, action: 'remove', at: now }]);
  return u.name;
}

async function restore(db: Db, actor: { id: number; offeringId: number }, userId: number, now: Date, reminderOffsetsDays: number[]): Promise<string> {
  const u = await communityLearner(db, actor.offeringId, userId, true);
  if (!u.deactivated_at) throw new Refused(`${u.name} is not removed.`);
  await usersRepository.reactivate(db, u.id, now);
  await inTransaction(db, (t) => planStudents(t, now, reminderOffsetsDays, [u.id]));
  await auditRepository.record(db, [{ offeringId: actor.offeringId, subjectUserId: u.id, actorId: actor.id, action: 'restore', at: now }]);
  return u.name;
}

export const communityService = Object.freeze({
  createLink,
  revokeLink,
  linksView,
  openLink,
  requestToJoin,
  waitingRequest,
  confirm,
  learnersPage,
  remove,
  restore,
});
