import { hashToken, newToken } from '../accounts/passwords';
import type { Db } from '../db/database';
import { launchRepository as repo } from './launch.repository';
import { platformOrigins } from './platforms';
import { LaunchRefused } from './refusals';

/**
 * Signing the launcher in without a third-party cookie. A valid launch makes a single-use code
 * (10 minutes, stored hashed) and sends the frame to /lti/continue with it. If the frame kept the
 * session the launch set (first-party, or cookies allowed), the code is spent and the learner lands
 * on the page. If it did not (Safari, Chrome blocking third-party cookies), the page offers one
 * button, "Open Cohort Companion", that posts the code to /lti/open in a new window, where the
 * session is first-party; the code is spent there. A spent or expired code is refused (410).
 */
const HANDOFF_TTL_MS = 10 * 60 * 1000;

async function issue(db: Db, row: { userId: number; platformId: number; target: string; notice: string | null; now: Date }): Promise<string> {
  const code = newToken();
  await repo.insertHandoff(db, { ...row, codeHash: code.hash, expiresAt: new Date(row.now.getTime() + HANDOFF_TTL_MS) });
  return code.token;
}

const spent = () =>
  new LaunchRefused(410, 'This sign-in link has expired or was already used.', 'Launch Cohort Companion again from edX: each launch signs you in once.');

/** The frame after a launch: straight on when it kept the launcher's session, else the page offering a new window. */
async function continueIn(db: Db, code: string, signedInAs: number | null, now: Date) {
  const row = await repo.handoff(db, hashToken(code));
  if (!row || row.used_at || row.expires_at <= now) throw spent();
  const platform = (await repo.platformById(db, row.platform_id))!;
  if (signedInAs === row.user_id) {
    if (!(await repo.takeHandoff(db, row.code_hash, now))) throw spent();
    return { kind: 'go' as const, target: row.target, notice: row.notice, frameAncestors: platformOrigins(platform) };
  }
  return { kind: 'open-window' as const, frameAncestors: platformOrigins(platform) };
}

/** The new window: spends the code and names whom to sign in and where they go. */
async function open(db: Db, code: string, now: Date) {
  const row = await repo.takeHandoff(db, hashToken(code), now);
  if (!row) throw spent();
  return { userId: row.user_id, target: row.target, notice: row.notice };
}

export const handoffService = Object.freeze({ issue, continueIn, open });
