import { progressionsService } from '../../src/progressions/progressions.service';
import type { TestApp } from './test-app';

/**
 * A partnership whose only member is `memberId`, with one assessment (every objective "not yet
 * started"), created through the service as the instructor. For the security suite's fixture:
 * the member may see it, other students get 404, the instructor sees it.
 */
export async function progressionsFixture(t: TestApp, memberId: number, instructorId: number): Promise<{ partnershipId: number; assessmentId: number }> {
  const instructor = await t.db.selectFrom('app_user').select(['id', 'offering_id', 'time_zone']).where('id', '=', instructorId).executeTakeFirstOrThrow();
  const viewer = { id: instructor.id, role: 'instructor' as const, offeringId: instructor.offering_id, timeZone: instructor.time_zone };
  const now = t.clock.now();
  return t.db.transaction().execute(async (trx) => {
    const partnershipId = await progressionsService.savePartnership(
      trx,
      viewer,
      { name: 'Fixture partnership', ihe: 'Fixture University', lea: 'Fixture District', members: [memberId] },
      now,
    );
    const objectives = await trx.selectFrom('progression_objective').select('number').orderBy('rubric_id', 'desc').orderBy('number').execute();
    const numbers = [...new Set(objectives.map((o) => o.number))];
    const assessmentId = await progressionsService.recordAssessment(
      trx,
      viewer,
      partnershipId,
      { assessedOn: '2020-01-06', copiedFrom: null, base: '', entries: numbers.map((number) => ({ number, stage: 0, evidence: '', nextSteps: '' })) },
      now,
    );
    return { partnershipId, assessmentId };
  });
}
