import { isLearner } from '../roles';
import type { Request, Response } from 'express';
import { attachmentsRepository } from '../attachments/attachments.repository';
import { attachmentsService } from '../attachments/attachments.service';
import type { AppContext } from '../context';
import { courseCache } from '../course/course-cache';
import { courseUnits, unitHeading } from '../course/units';
import type { Db } from '../db/database';
import { answered, readOne, readTogether, type Answers } from '../db/reads';
import { NotFound } from '../errors';
import { currentUser } from '../http/auth';
import type { FormPage } from '../http/form-page';
import type { FieldErrors } from '../http/forms';
import { idParam } from '../http/params';
import { render } from '../http/render';
import { teamsRepository } from '../teams/teams.repository';
import { OFFERED_TEAMS_SHOWN, teamsService } from '../teams/teams.service';
import { addDays, formatDateTime, formatSpan, formatTime, localDateOf } from '../time';
import type { Role } from '../roles';
import type { CourseSnapshot } from '../course/course-cache';
import { versionToken } from '../versions';
import { celebrateRepository, SHARES_SHOWN, type Share } from './celebrate.repository';
import { enrichmentRepository } from './enrichment.repository';
import { lessonPageRepository } from './lesson-page.repository';
import { lessonsRepository } from './lessons.repository';

/**
 * The lesson page's view model: a constant number of queries whatever the class size.
 * `subjectId` is the student whose work is shown (the reader, or, for the instructor's read-only
 * view, a student); null for the instructor's own view of the unit.
 */
export interface LessonPageOptions {
  subjectId: number | null;
  errors?: FieldErrors;
  values?: Record<string, string>;
  /** The study guide's editing form is open (`?edit=study-guide`); without a guide it always is. */
  editGuide?: boolean;
}

/** The reads of one student's work on a unit: run together with the page's other reads. */
function studentWorkReads(db: Db, userId: number, unitId: number) {
  return {
    completions: lessonsRepository.completionsRead(db, userId, unitId),
    one: lessonPageRepository.singleRowsRead(db, userId, unitId),
    enrichment: enrichmentRepository.listRead(db, userId, unitId),
    members: lessonPageRepository.teamMembersRead(db, userId, unitId),
    artifactVersions: lessonPageRepository.teamArtifactVersionsRead(db, userId, unitId),
  };
}

/**
 * An open team's members as a learner choosing a team sees them: names of their own kind of
 * member, and only a count of the other kind (issue 17: a community learner sees a campus
 * student's name only inside a shared team, and a campus student a community learner's likewise).
 */
function offeredMembers(members: { name: string; role: Role }[], readerRole: Role): string {
  const sameKind = members.filter((m) => (m.role === 'community') === (readerRole === 'community'));
  const others = members.length - sameKind.length;
  const otherKind = readerRole === 'community' ? ['campus student', 'campus students'] : ['community learner', 'community learners'];
  const parts = sameKind.map((m) => m.name);
  if (others) parts.push(`${others} ${others === 1 ? otherKind[0] : otherKind[1]}`);
  return parts.join(', ');
}

/** The campus meeting of the lesson's week (course zone), shown beside Team Practice as campus-only. */
function campusMeetingOf(course: CourseSnapshot, weekStartsOn: string | null, zone: string) {
  if (!weekStartsOn) return null;
  const end = addDays(weekStartsOn, 7);
  const m = course.events.find((e) => {
    if (e.kind !== 'campus_meeting' || e.status === 'cancelled') return false;
    const on = localDateOf(e.starts_at, course.offering.time_zone);
    return on >= weekStartsOn && on < end;
  });
  return m ? { when: formatSpan(m.starts_at, m.ends_at, zone), required: !!m.required } : null;
}

async function studentWork(
  db: Db,
  zone: string,
  now: Date,
  userId: number,
  { completions, one, enrichment, members, artifactVersions }: Answers<ReturnType<typeof studentWorkReads>>,
) {
  const guide = one?.guide_id ? { id: one.guide_id, deleted_at: one.guide_deleted_at } : undefined;
  const guideVersion =
    one?.guide_version_id && one.guide_version_no !== null && one.guide_body_md !== null && one.guide_created_at !== null
      ? { version_no: one.guide_version_no, body_md: one.guide_body_md, attachment_id: one.guide_attachment_id, created_at: one.guide_created_at }
      : undefined;
  const membership =
    one?.membership_id && one.team_id !== null && one.joined_at !== null
      ? { team_id: one.team_id, team_name: one.team_name!, joined_at: one.joined_at }
      : undefined;
  const note = one?.note_created_at ? { body: one.note_body!, created_at: one.note_created_at, saves: one.note_saves } : undefined;
  const learningCheck = one?.lc_submitted_at
    ? {
        id: one.lc_id!,
        understanding: one.lc_understanding!,
        strengths: one.lc_strengths!,
        weaknesses: one.lc_weaknesses!,
        submitted_at: one.lc_submitted_at,
        saves: one.lc_saves!,
      }
    : undefined;
  const fileIds = [guideVersion?.attachment_id, ...artifactVersions.map((v) => v.attachment_id)].filter((id): id is number => !!id);
  const files = await attachmentsRepository.metaByIds(db, fileIds);
  const file = (id: number | null | undefined) => attachmentsService.attachmentView(id ? files.get(id) : null);
  const when = (at: Date) => formatDateTime(at, zone);
  return {
    doneAt: new Map(completions.map((c) => [c.component_id, when(c.completed_at)])),
    guide: guide
      ? {
          id: guide.id,
          deleted: guide.deleted_at !== null,
          versionNo: guideVersion?.version_no ?? 0,
          baseVersion: versionToken(one?.guide_version_id),
          body: guideVersion?.body_md ?? '',
          savedAt: guideVersion ? when(guideVersion.created_at) : '',
          attachment: file(guideVersion?.attachment_id),
          versionsUrl: `/study-guides/${guide.id}/versions`,
        }
      : null,
    enrichment: enrichment.map((e) => ({ ...e, kindLabel: e.kind === 'reference' ? 'Reference' : 'Web exploration', addedAt: when(e.created_at) })),
    team: membership
      ? {
          id: membership.team_id,
          name: membership.team_name,
          joinedAt: when(membership.joined_at),
          // Each member's kind and local time now: a campus student and a learner in Manila plan around each other's day.
          members: members.map((m) => ({
            name: m.name,
            isSubject: m.user_id === userId,
            joinedAt: when(m.joined_at),
            kind: m.role === 'community' ? 'Community' : 'Campus',
            localTime: formatTime(now, m.time_zone),
            zone: m.time_zone,
          })),
          historyUrl: `/teams/${membership.team_id}/artifact`,
          baseVersion: versionToken(artifactVersions[0]?.id),
          versions: artifactVersions.map((v) => ({
            versionNo: v.version_no,
            uploader: v.uploader,
            savedAt: when(v.created_at),
            words: v.body_md.trim() ? v.body_md.trim().split(/\s+/).length : 0,
            body: v.body_md,
            attachment: file(v.attachment_id),
          })),
        }
      : null,
    note: { body: note?.body ?? '', savedAt: note ? when(note.created_at) : '', saves: Number(note?.saves ?? 0) },
    learningCheck: learningCheck
      ? { ...learningCheck, savedAt: when(learningCheck.submitted_at), saves: Number(learningCheck.saves), baseVersion: versionToken(learningCheck.id) }
      : { understanding: '', strengths: '', weaknesses: '', savedAt: '', saves: 0, baseVersion: versionToken(null) },
  };
}

export async function lessonPageModel(ctx: AppContext, reader: Express.User, unitId: number, opts: LessonPageOptions) {
  const db = ctx.db;
  const now = ctx.clock.now();
  const course = await courseCache.current(db, reader.offeringId);
  const unit = courseUnits.unitOf(course, unitId);
  const subject = opts.subjectId !== null && opts.subjectId !== reader.id ? await lessonsRepository.student(db, reader.offeringId, opts.subjectId) : null;
  if (opts.subjectId !== null && opts.subjectId !== reader.id && !subject) throw new NotFound('We could not find that student.');
  const isLesson = unit.kind === 'lesson';
  const zone = reader.timeZone;
  const canWrite = isLearner(reader.role) && opts.subjectId === reader.id;
  const today = localDateOf(now, unit.course_zone);
  const isThisWeek = !!unit.week_starts_on && unit.week_starts_on <= today && today < addDays(unit.week_starts_on, 7);

  const components = isLesson ? course.components : [];
  const sharesRead = isLesson ? celebrateRepository.listRead(db, unitId, { id: reader.id, isInstructor: reader.role === 'instructor' }) : answered<Share[]>([]);
  // One round trip for the page's reads: the Celebrate Success shares and the student's work.
  let shares: Share[];
  let work: Awaited<ReturnType<typeof studentWork>> | null = null;
  if (isLesson && opts.subjectId !== null) {
    const { shares: s, ...rows } = await readTogether(db, { shares: sharesRead, ...studentWorkReads(db, opts.subjectId, unitId) });
    shares = s;
    work = await studentWork(db, zone, now, opts.subjectId, rows);
  } else {
    shares = await readOne(db, sharesRead);
  }
  const openTeams =
    canWrite && isLesson && work && !work.team
      ? await teamsRepository.openTeams(db, {
          unitId,
          cap: ctx.config.TEAM_SIZE_CAP,
          since: teamsService.activeSince(now),
          everyone: isThisWeek,
          limit: OFFERED_TEAMS_SHOWN,
        })
      : [];
  const openMembers = await teamsRepository.membersOf(
    db,
    openTeams.map((t) => t.id),
  );

  const componentViews = components.map((c) => ({ id: c.id, slug: c.slug, name: c.name, purpose: c.purpose, doneAt: work?.doneAt.get(c.id) ?? null }));
  const doneCount = componentViews.filter((c) => c.doneAt).length;
  return {
    title: unitHeading(unit),
    unit: {
      id: unit.id,
      heading: unitHeading(unit),
      title: unit.title,
      kind: unit.kind,
      isLesson,
      summary: unit.summary,
      edxCode: unit.edx_code,
      edxTitle: unit.edx_title,
      edxUrl: unit.edx_url,
      discussionUrl: unit.discussion_url,
      socialUrl: unit.social_url,
      isThisWeek,
    },
    mode: { canWrite, isInstructor: reader.role === 'instructor', readOnlyStudent: subject ? subject.name : null, base: `/lessons/${unit.id}` },
    components: componentViews,
    doneCount,
    unitComplete: isLesson && doneCount === componentViews.length && componentViews.length > 0,
    work,
    teamCap: ctx.config.TEAM_SIZE_CAP,
    campusMeeting: isLesson ? campusMeetingOf(course, unit.week_starts_on, zone) : null,
    activeDays: teamsService.ACTIVE_DAYS,
    uploadLimitMb: Math.max(1, Math.floor(ctx.config.UPLOAD_MAX_BYTES / 1024 / 1024)),
    openTeams: openTeams.map((t) => ({
      id: t.id,
      name: t.name,
      memberCount: Number(t.member_count),
      members: offeredMembers(
        openMembers.filter((m) => m.team_id === t.id),
        reader.role,
      ),
    })),
    shares: shares.map((s) => ({
      id: s.id,
      author: s.author,
      body: s.body,
      at: formatDateTime(s.created_at, zone),
      hidden: s.hidden_at !== null,
      mine: s.user_id === reader.id,
    })),
    sharesCapped: shares.length >= SHARES_SHOWN,
    // The form is open when asked for, when there is no guide to show yet, or when it comes back with its values.
    editGuide: !!opts.editGuide || !work?.guide || opts.values?.guide_body !== undefined,
    errors: opts.errors ?? {},
    values: opts.values ?? {},
  };
}

/** Renders the reader's own lesson page (students) or the unit view (instructor), e.g. after bad input. */
/**
 * The lesson page as the form page of its forms (study guide, team artifact, teams, components,
 * learning check, note, enrichment): bad input shows it again with the messages and the values.
 * `fields` maps the services' field names to the form's HTML names.
 */
export function lessonFormPage(ctx: AppContext, fields: Record<string, string> = {}): FormPage {
  return {
    view: 'lessons/show',
    locals: (req, _res, posted) => {
      const me = currentUser(req);
      return lessonPageModel(ctx, me, idParam(req.params.unitId), {
        subjectId: isLearner(me.role) ? me.id : null,
        errors: posted?.errors,
        values: posted?.values,
      });
    },
    fields,
  };
}

export async function renderLessonPage(
  ctx: AppContext,
  req: Request,
  res: Response,
  unitId: number,
  opts: Omit<LessonPageOptions, 'subjectId'> = {},
  status = 200,
) {
  const me = currentUser(req);
  const model = await lessonPageModel(ctx, me, unitId, { ...opts, subjectId: isLearner(me.role) ? me.id : null });
  render(res, 'lessons/show', model, status);
}
