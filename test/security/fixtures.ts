import fs from 'node:fs';
import path from 'node:path';
import { attachmentsService } from '../../src/attachments/attachments.service';
import { regenerateFeed } from '../../src/calendar/calendar-feed.service';
import { readDelimitedPaste } from '../../src/http/text-upload';
import { rosterImportService } from '../../src/roster/roster-import.service';
import { edxImportService } from '../../src/edx-import/edx-import.service';
import { eventsService } from '../../src/events/events.service';
import { peerAssessmentService } from '../../src/peer-assessment/peer-assessment.service';
import { peerAssignmentRepository } from '../../src/peer-assessment/peer-assignment.repository';
import { portfolioService } from '../../src/portfolio/portfolio.service';
import { announcementsService } from '../../src/reminders/announcements';
import { inTransaction } from '../../src/db/transaction';
import { planStudents } from '../../src/reminders/planner';
import { teamsService } from '../../src/teams/teams.service';
import type { TestApp } from '../helpers/test-app';
import { progressionsFixture } from '../helpers/progressions-fixture';
import { lessonWorkFixture } from '../helpers/lesson-work-fixture';
import { samplePng } from '../helpers/sample-files';
import type { SignedInPersona } from './route-matrix';
import { communityService } from '../../src/community/community.service';
import { aCommunityLearner } from '../helpers/builders';

/**
 * Real ids for route parameters, created in the seeded test database through the services where
 * one exists, so every route in the matrix is called with values that exist. Student A's
 * records are the ones the other personas must not reach.
 */
export const PERSONA_EMAILS: Readonly<Record<SignedInPersona, string>> = Object.freeze({
  studentA: 'student1@cohort.example', // Ava Thompson, EDUC 551
  studentB: 'student2@cohort.example', // Miguel Santos, EDUC 639: shares A's seeded Lesson 01 team, not the Lesson 02 one
  teammate: 'student4@cohort.example', // Lucas Oliveira: with A in the seeded Lesson 02 team "Reason and Rationality"
  peerAssessor: 'student5@cohort.example', // Grace Kim: in no team with A; assesses A for the LeadEd502x portfolio
  community: 'community1@learners.example', // Maria Santos, a community learner in Manila (issue 17), made by loadFixture
  instructor: 'instructor@cohort.example',
});

export interface Fixture {
  ids: Record<string, number>;
  values: Record<string, string>;
}

const PEER_ANSWERS = {
  collegial_interactions: 'Listens well',
  work_products: 'Clear and complete',
  strength: 'Examples',
  suggestion: 'Cite sources',
  comments: '',
};

export async function loadFixture(t: TestApp): Promise<Fixture> {
  const db = t.db;
  const now = t.clock.now();
  const userOf = async (email: string) => db.selectFrom('app_user').select(['id', 'offering_id']).where('email', '=', email).executeTakeFirstOrThrow();
  const [a, b, mate, assessor, instructor] = await Promise.all(
    (['studentA', 'studentB', 'teammate', 'peerAssessor', 'instructor'] as const).map((p) => userOf(PERSONA_EMAILS[p])),
  );
  const offeringId = a.offering_id;
  // A student who is none of the personas: the roster routes drop and re-enroll them.
  const bystander = await userOf('student12@cohort.example');
  // The community persona and a community learner the instructor removes and restores (issue 17), and an open join link.
  const community = await aCommunityLearner(t, { email: PERSONA_EMAILS.community, name: 'Maria Santos', createdAt: now.toISOString() });
  const communityBystander = await aCommunityLearner(t, { email: 'community2@learners.example', name: 'Kwame Mensah', createdAt: now.toISOString() });
  const joinLink = await communityService.createLink(db, {
    offeringId,
    by: instructor.id,
    label: 'Fixture link',
    maxUses: null,
    expiresOn: null,
    zone: 'America/Detroit',
    now,
  });
  const unit = await db.selectFrom('unit').select('id').where('kind', '=', 'lesson').orderBy('id').executeTakeFirstOrThrow();
  const requirement = await db.selectFrom('portfolio_requirement').select('id').orderBy('id').executeTakeFirstOrThrow();
  const meeting = await db.selectFrom('calendar_event').select('id').where('kind', '=', 'campus_meeting').orderBy('starts_at').executeTakeFirstOrThrow();
  const upcoming = await db
    .selectFrom('calendar_event')
    .select('id')
    .where('kind', '=', 'campus_meeting')
    .where('starts_at', '>', now)
    .orderBy('starts_at')
    .executeTakeFirstOrThrow();
  const edx = await db.selectFrom('edx_course').select(['id', 'code']).orderBy('position').executeTakeFirstOrThrow();
  const partnership = await progressionsFixture(t, a.id, instructor.id);
  // Student A's portfolio submission and extension request.
  const submission = await db
    .insertInto('portfolio_submission')
    .values({
      user_id: a.id,
      portfolio_requirement_id: requirement.id,
      submitted_at: new Date('2020-02-20T15:00:00Z'),
      due_at: new Date('2020-02-27T05:00:00Z'),
      is_late: false,
      is_complete: false,
      missing: '[]',
      snapshot: JSON.stringify({ requirementId: requirement.id, takenAt: '2020-02-20T15:00:00.000Z', items: [] }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const extension = await db
    .insertInto('extension_request')
    .values({
      user_id: a.id,
      portfolio_requirement_id: requirement.id,
      reason: 'A family matter',
      proposed_due_on: '2020-03-04',
      requested_at: new Date('2020-02-20T15:00:00Z'),
      made_before_due: true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Lesson work (issue 3): student A's study guide with a file, Enrichment entry and Celebrate Success share.
  const lessonWork = await lessonWorkFixture(t, a.id, unit.id);
  const team = await db.selectFrom('team').select(['id', 'unit_id']).where('id', '=', lessonWork.team).executeTakeFirstOrThrow();
  const teamMembers = (await db.selectFrom('team_membership').select('user_id').where('team_id', '=', team.id).where('left_at', 'is', null).execute()).map(
    (m) => m.user_id,
  );
  if (!teamMembers.includes(a.id) || !teamMembers.includes(mate.id) || teamMembers.includes(b.id) || teamMembers.includes(assessor.id)) {
    throw new Error('The seeded Lesson 02 team no longer holds A and the teammate only: update PERSONA_EMAILS');
  }

  const png = samplePng();
  const work = await db.transaction().execute(async (trx) => {
    // The team's shared artifact, with a file A uploaded (its teammates may download it).
    const upload = await attachmentsService.checkUpload({ buffer: png, originalname: 'team-diagram.png', size: png.length }, 10 * 1024 * 1024);
    if (!upload) throw new Error('sample PNG refused');
    const current = await trx.selectFrom('team_artifact_version').select('id').where('team_id', '=', team.id).orderBy('version_no', 'desc').executeTakeFirst();
    const base = current ? String(current.id) : '';
    await teamsService.saveArtifact(trx, {
      student: { id: a.id, offeringId },
      unitId: team.unit_id,
      body: 'Our team artifact',
      upload,
      removeAttachment: false,
      base,
      now,
    });
    const artifact = await trx
      .selectFrom('team_artifact_version')
      .select('attachment_id')
      .where('team_id', '=', team.id)
      .orderBy('version_no', 'desc')
      .executeTakeFirstOrThrow();
    // A's reflection for the portfolio.
    await portfolioService.saveReflection(trx, { id: a.id, offeringId }, requirement.id, 'What I learned this term (A only)', '', now);
    // A's calendar feed link.
    const feed = await regenerateFeed(trx, a.id, now);
    // Office hours the instructor may move or cancel (the campus meetings stay for attendance).
    const officeHours = await eventsService.create(
      trx,
      offeringId,
      {
        kind: 'office_hours',
        title: 'Fixture office hours',
        on: '2020-02-05',
        starts: '16:00',
        ends: '17:00',
        location: '',
        videoUrl: 'https://umich.zoom.us/j/555',
        description: '',
        required: false,
        note: '',
      },
      instructor.id,
      now,
    );
    // Peer assignment for the LeadEd502x portfolio: the peer assessor assesses A, and A assesses the peer assessor.
    await peerAssignmentRepository.insertLinks(
      trx,
      requirement.id,
      [
        [assessor.id, a.id],
        [a.id, assessor.id],
      ],
      instructor.id,
      now,
      'security-fixture',
    );
    const assignmentOf = async (assessorId: number) =>
      (
        await trx
          .selectFrom('peer_assignment')
          .select('id')
          .where('assessor_id', '=', assessorId)
          .where('portfolio_requirement_id', '=', requirement.id)
          .executeTakeFirstOrThrow()
      ).id;
    const peerAssignment = await assignmentOf(assessor.id);
    const aAssignment = await assignmentOf(a.id);
    const reader = (u: { id: number }) => ({ id: u.id, role: 'student' as const, offeringId });
    const save = (who: { id: number }, assignmentId: number, comments: string, action: 'submit' | 'draft') =>
      peerAssessmentService.save(trx, reader(who), assignmentId, { ...PEER_ANSWERS, comments, action }, now, t.ctx.config.baseUrl);
    await save(assessor, peerAssignment, 'About A, submitted', 'submit');
    await save(a, aAssignment, 'Written by A, submitted', 'submit');
    await save(a, aAssignment, 'Written by A, a later draft', 'draft');
    // The assessor's submission left A a notice in A's inbox.
    const notice = await trx.selectFrom('notice').select('id').where('user_id', '=', a.id).orderBy('id').executeTakeFirstOrThrow();
    return { teamAttachment: artifact.attachment_id!, feedToken: feed.token, officeHours: officeHours.id, peerAssignment, aAssignment, notice: notice.id };
  });

  // One of A's reminders, planned by the real planner.
  await inTransaction(db, (trx) => planStudents(trx, now, t.ctx.config.reminderOffsetsDays, [a.id]));
  const reminder = await db.selectFrom('reminder').select('id').where('user_id', '=', a.id).orderBy('send_at').executeTakeFirstOrThrow();

  // An announcement to everyone in the course, sent by the instructor through the real service.
  await db.transaction().execute((trx) =>
    announcementsService.send(trx, {
      audience: 'all',
      subject: 'Fixture announcement',
      body: 'Read **this**.',
      nonce: '00000000-0000-4000-8000-000000000001',
      offeringId,
      senderId: instructor.id,
      now,
      baseUrl: 'http://cohort.test',
    }),
  );
  const announcement = await db.selectFrom('announcement').select('id').where('offering_id', '=', offeringId).orderBy('id', 'desc').executeTakeFirstOrThrow();

  // An edX grade report import (the instructor's).
  const reportName = 'MichiganX_LeadEd502x_1T2020_grade_report_2020-02-03-1532.csv';
  const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'edx', reportName), 'utf8');
  const imported = await db
    .transaction()
    .execute((trx) => edxImportService.importReport(trx, { offeringId, edxCourseId: edx.id, importedBy: instructor.id, fileName: reportName, text, now }));
  if (!imported.ok) throw new Error(`fixture edX import failed: ${JSON.stringify(imported.errors)}`);

  // A roster import staged for preview (the instructor's), not yet confirmed.
  const staged = await db.transaction().execute((trx) =>
    rosterImportService.stage(trx, {
      offeringId,
      createdBy: instructor.id,
      fileName: 'roster.csv',
      source: readDelimitedPaste('name,email,section\nFixture Import,fixture.import@umich.edu,EDUC 551\n'),
      now,
    }),
  );
  if (!staged.ok) throw new Error(`fixture roster import refused: ${JSON.stringify(staged.preview.errors)}`);

  return {
    ids: {
      rosterImport: staged.importId,
      partnership: partnership.partnershipId,
      assessment: partnership.assessmentId,
      studentA: a.id,
      studentB: b.id,
      teammate: mate.id,
      peerAssessor: assessor.id,
      instructor: instructor.id,
      bystander: bystander.id,
      community: community.id,
      communityBystander: communityBystander.id,
      joinLink: joinLink.id,
      unit: unit.id,
      requirement: requirement.id,
      meetingEvent: meeting.id,
      upcomingMeeting: upcoming.id,
      officeHours: work.officeHours,
      edxCourse: edx.id,
      submission: submission.id,
      extension: extension.id,
      teamAttachment: work.teamAttachment,
      peerAssignment: work.peerAssignment,
      aAssignment: work.aAssignment,
      notice: work.notice,
      reminder: reminder.id,
      announcement: announcement.id,
      edxImport: imported.importId,
      ...lessonWork,
    },
    values: { edxCode: edx.code, feedToken: work.feedToken, joinCode: joinLink.code },
  };
}

/** Fills a route path's :params. Unknown parameter names fail loudly (add them here). */
export function fillPath(path: string, f: Fixture, overrides: Record<string, string | number> = {}): string {
  const defaults: Record<string, string | number> = {
    token: 'not-a-real-token-0000000000000000000000000',
    unitId: f.ids.unit,
    requirementId: f.ids.requirement,
    eventId: f.ids.meetingEvent,
    userId: f.ids.studentA,
    edxCourseId: f.ids.edxCourse,
    partnershipId: f.ids.partnership,
    assessmentId: f.ids.assessment,
    submissionId: f.ids.submission,
    extensionId: f.ids.extension,
    componentId: f.ids.component,
    entryId: f.ids.enrichmentEntry,
    shareId: f.ids.celebrateShare,
    code: f.values.joinCode,
    linkId: f.ids.joinLink,
    guideId: f.ids.studyGuide,
    versionNo: 1,
    teamId: f.ids.team,
    attachmentId: f.ids.attachment,
    assignmentId: f.ids.peerAssignment,
    reminderId: f.ids.reminder,
    announcementId: f.ids.announcement,
    noticeId: f.ids.notice,
    importId: f.ids.edxImport,
    rosterImportId: f.ids.rosterImport,
    ...overrides,
  };
  return path.replace(/:(\w+)(\.\w+)?/g, (_m, name: string, ext: string | undefined) => {
    if (!(name in defaults)) throw new Error(`No fixture value for :${name} in ${path}: add one to test/security/fixtures.ts`);
    return `${defaults[name]}${ext ?? ''}`;
  });
}

/**
 * The matrix's POSTs act for real (A deletes and restores A's study guide, leaves a team, the
 * instructor hides a share or cancels office hours…). `restore()` puts the rows of these tables back
 * as they were when `keepFixture` ran, so every route × persona sees the fixture whatever the
 * order the tests run in (`jest --randomize`). Rows added since are left alone.
 */
const KEPT_TABLES = [
  'study_guide',
  'enrichment_entry',
  'celebrate_share',
  'team_membership',
  'calendar_event',
  'peer_assignment',
  'app_user',
  'join_link',
] as const;

export async function keepFixture(t: TestApp): Promise<{ restore(): Promise<void> }> {
  const snapshot = async () =>
    Object.fromEntries(
      await Promise.all(KEPT_TABLES.map(async (table) => [table, await t.db.selectFrom(table).selectAll().execute()] as const)),
    ) as unknown as Record<(typeof KEPT_TABLES)[number], { id: number }[]>;
  const kept = await snapshot();
  return {
    restore: async () => {
      const now = await snapshot();
      for (const table of KEPT_TABLES) {
        const current = new Map(now[table].map((r) => [r.id, JSON.stringify(r)]));
        for (const row of kept[table]) {
          if (current.get(row.id) === JSON.stringify(row)) continue;
          const { id, ...values } = row;
          await t.db
            .updateTable(table)
            .set(values as never)
            .where('id', '=', id as never)
            .execute();
        }
      }
    },
  };
}
