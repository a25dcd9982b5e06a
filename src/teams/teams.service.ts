import { workAccess, type Reader } from '../attachments/access';
import { attachmentsService, type CheckedUpload } from '../attachments/attachments.service';
import type { Db } from '../db/database';
import { Conflict, Forbidden, Invalid, NotFound, Refused } from '../errors';
import { courseUnits, type Student } from '../course/units';
import { requireCurrentVersion, versionToken } from '../versions';
import { teamsRepository } from './teams.repository';

/**
 * Team Practice: a student joins or starts a team for a unit (one active team per unit, at most
 * TEAM_SIZE_CAP members) and the team shares one team artifact, versioned: every save is a new
 * team_artifact_version recording who saved what and when. Refusals name the fields `team`,
 * `teamName` and `body` (Refused, 409, when the team or the student's membership stands in the way).
 */
export interface TeamResult {
  teamName: string;
}

const ACTIVE_DAYS = 14;
export const OFFERED_TEAMS_SHOWN = 20;

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505';
}

async function addMember(trx: Db, teamId: number, userId: number, unitId: number, now: Date): Promise<void> {
  try {
    await teamsRepository.insertMembership(trx, { teamId, userId, unitId, at: now });
  } catch (err) {
    // Two joins submitted at once by the same student: the partial unique index keeps one.
    if (isUniqueViolation(err)) throw new Conflict('You are already in a team for this lesson.');
    throw err;
  }
}

async function refuseIfInTeam(trx: Db, userId: number, unitId: number): Promise<void> {
  const mine = await teamsRepository.membershipOf(trx, userId, unitId);
  if (!mine) return;
  const message = `You are already in the team “${mine.team_name}” for this lesson. Leave it before joining or starting another.`;
  throw new Refused(message, { team: message });
}

async function startTeam(trx: Db, student: Student, unitId: number, name: string, now: Date): Promise<TeamResult> {
  await courseUnits.requireLesson(trx, student.offeringId, unitId);
  const userId = student.id;
  await refuseIfInTeam(trx, userId, unitId);
  if (await teamsRepository.nameTaken(trx, unitId, name)) {
    const message = 'A team for this lesson already has that name. Choose another, or join that team.';
    throw new Invalid(message, { teamName: message });
  }
  const teamId = await teamsRepository.insertTeam(trx, { unitId, name, createdBy: userId, at: now });
  await addMember(trx, teamId, userId, unitId, now);
  return { teamName: name };
}

/** Joins under a lock on the team row, so two students cannot both take a team's last place. */
async function joinTeam(trx: Db, student: Student, unitId: number, teamId: number, cap: number, now: Date): Promise<TeamResult> {
  await courseUnits.requireLesson(trx, student.offeringId, unitId);
  const userId = student.id;
  const team = await teamsRepository.lockTeam(trx, teamId);
  if (!team || team.unit_id !== unitId) throw new NotFound('That team is not a team for this lesson.');
  await refuseIfInTeam(trx, userId, unitId);
  const members = await teamsRepository.activeMemberCount(trx, teamId);
  if (members >= cap) {
    const message = `The team “${team.name}” is full (${members} of ${cap} members). Join another team or start your own.`;
    throw new Refused(message, { team: message });
  }
  await addMember(trx, teamId, userId, unitId, now);
  return { teamName: team.name };
}

async function leaveTeam(trx: Db, student: Student, unitId: number, now: Date): Promise<void> {
  await courseUnits.requireLesson(trx, student.offeringId, unitId);
  if (!(await teamsRepository.leave(trx, student.id, unitId, now))) throw new NotFound('You are not in a team for this lesson.');
}

export interface ArtifactInput {
  student: Student;
  unitId: number;
  body: string;
  upload: CheckedUpload | null;
  removeAttachment: boolean;
  /** The version the form was opened on ('' before the first). */
  base: string;
  now: Date;
}

export interface ArtifactResult {
  versionNo: number;
}

async function saveArtifact(trx: Db, input: ArtifactInput): Promise<ArtifactResult> {
  await courseUnits.requireLesson(trx, input.student.offeringId, input.unitId);
  const userId = input.student.id;
  const mine = await teamsRepository.membershipOf(trx, userId, input.unitId);
  if (!mine) throw new Forbidden('Join or start a team for this lesson before saving a team artifact.');
  await teamsRepository.lockTeam(trx, mine.team_id);
  const versions = await teamsRepository.artifactVersions(trx, mine.team_id);
  const [latest] = versions;
  requireCurrentVersion(latest ? { token: versionToken(latest.id), text: latest.body_md, by: latest.uploader, at: latest.created_at } : null, {
    what: 'team artifact',
    base: input.base,
    text: input.body,
    fields: [{ name: 'artifact_body', label: 'Team artifact text (Markdown)' }],
  });
  const keptFile = input.removeAttachment ? null : (latest?.attachment_id ?? null);
  if (!input.body.trim() && !input.upload && keptFile === null) {
    throw new Invalid('Write the team artifact, or attach a file.', { body: 'Write the team artifact, or attach a file.' });
  }
  const earlierFiles = versions.map((v) => v.attachment_id);
  const attachmentId = input.upload ? await attachmentsService.store(trx, userId, input.upload, input.now, earlierFiles) : keptFile;
  const versionNo = (latest?.version_no ?? 0) + 1;
  await teamsRepository.insertArtifactVersion(trx, { teamId: mine.team_id, versionNo, body: input.body, attachmentId, by: userId, at: input.now });
  return { versionNo };
}

/** A team's artifact versions, for its members, the instructor and members' peer assessors. */
async function readableArtifact(db: Db, reader: Reader, teamId: number) {
  const team = await teamsRepository.teamWithUnit(db, teamId);
  if (!team || !(await workAccess.canReadTeamWork(db, reader, teamId))) throw new NotFound('We could not find that team artifact.');
  const [versions, members] = await Promise.all([teamsRepository.artifactVersions(db, teamId), teamsRepository.membersOf(db, [teamId])]);
  return { team, versions, members };
}

/** Since when a team's activity counts as "working on this unit right now". */
function activeSince(now: Date): Date {
  return new Date(now.getTime() - ACTIVE_DAYS * 24 * 60 * 60 * 1000);
}

export const teamsService = Object.freeze({ startTeam, joinTeam, leaveTeam, saveArtifact, readableArtifact, activeSince, ACTIVE_DAYS });
