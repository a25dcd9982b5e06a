import type { Role } from '../roles';
import type { Db } from '../db/database';
import { Invalid, NotFound } from '../errors';
import { formatDateTime, formatLocalDate } from '../time';
import { labelledText, requireCurrentVersion, versionToken } from '../versions';
import type { AssessmentInput, PartnershipInput } from './progressions.schemas';
import { progressionsRepository as repo, type AssessmentRow, type PartnershipRow } from './progressions.repository';
import { comparisonModel, gridModel, historyModel, matchObjective, type DatedAssessment } from './progressions.views';
import { rubricRepository, type RubricVersion } from './rubric.repository';

/**
 * The rules of the progressions module. A partnership belongs to an offering; the instructor sees
 * and manages every partnership of the offering, a member sees and assesses their own, anyone
 * else is told it does not exist. Assessments are kept as recorded: a new one can start from a
 * copy of an earlier one. Nothing here scores or ranks partnerships.
 */
export interface Viewer {
  id: number;
  role: Role;
  offeringId: number;
  timeZone: string;
}

const notFound = () => new NotFound('We could not find that partnership.');

async function visiblePartnership(db: Db, viewer: Viewer, partnershipId: number): Promise<PartnershipRow> {
  const p = await repo.find(db, partnershipId);
  if (!p || p.offering_id !== viewer.offeringId) throw notFound();
  if (viewer.role !== 'instructor' && !(await repo.isMember(db, p.id, viewer.id))) throw notFound();
  return p;
}

async function currentRubric(db: Db): Promise<RubricVersion> {
  const id = await rubricRepository.currentVersionId(db);
  const rubric = id === undefined ? undefined : await rubricRepository.version(db, id);
  if (!rubric) throw new NotFound('The Developmental Progressions rubric has not been loaded (run npm run seed).');
  return rubric;
}

async function rubricVersion(db: Db, key?: string): Promise<RubricVersion> {
  if (!key) return currentRubric(db);
  const id = await rubricRepository.idByKey(db, key);
  const rubric = id === undefined ? undefined : await rubricRepository.version(db, id);
  if (!rubric) throw new NotFound('There is no rubric version by that name.');
  return rubric;
}

async function listPartnerships(db: Db, viewer: Viewer) {
  const rows = viewer.role === 'instructor' ? await repo.listInOffering(db, viewer.offeringId) : await repo.listForMember(db, viewer.id);
  const ids = rows.map((p) => p.id);
  const members = await repo.membersOf(db, ids);
  const summaries = new Map((await repo.assessmentSummaries(db, ids)).map((s) => [s.partnership_id, s]));
  return rows.map((p) => {
    const s = summaries.get(p.id);
    return {
      id: p.id,
      name: p.name,
      ihe: p.ihe,
      lea: p.lea,
      members: members.filter((m) => m.partnership_id === p.id).map((m) => m.name),
      assessmentCount: Number(s?.count ?? 0),
      latestOnLabel: s?.latest_on ? formatLocalDate(String(s.latest_on)) : null,
    };
  });
}

async function memberCandidates(db: Db, viewer: Viewer) {
  return repo.memberCandidates(db, viewer.offeringId);
}

/** Creates a partnership (no id) or updates one; members must be active students of the offering. */
async function savePartnership(trx: Db, viewer: Viewer, input: PartnershipInput, now: Date, partnershipId?: number): Promise<number> {
  if (partnershipId !== undefined) await visiblePartnership(trx, viewer, partnershipId);
  const fields: Record<string, string> = {};
  const candidates = new Set((await repo.memberCandidates(trx, viewer.offeringId)).map((c) => c.id));
  if (input.members.some((id) => !candidates.has(id))) fields.members = 'Choose members from the list of learners in this course.';
  if (await repo.nameTaken(trx, viewer.offeringId, input.name, partnershipId)) fields.name = 'Another partnership already has this name.';
  if (Object.keys(fields).length) throw new Invalid('Please fix the partnership form.', fields);
  const values = { name: input.name, ihe: input.ihe, lea: input.lea };
  const id = partnershipId ?? (await repo.insert(trx, { ...values, offeringId: viewer.offeringId, createdBy: viewer.id, createdAt: now }));
  if (partnershipId !== undefined) await repo.update(trx, id, values);
  await repo.setMembers(trx, id, input.members, now);
  return id;
}

async function partnershipPage(db: Db, viewer: Viewer, partnershipId: number) {
  const p = await visiblePartnership(db, viewer, partnershipId);
  const members = await repo.membersOf(db, [p.id]);
  const assessments = await repo.assessmentsOf(db, p.id);
  const latest = assessments[assessments.length - 1];
  const rubric = latest ? await rubricRepository.version(db, latest.rubric_id) : undefined;
  return {
    partnership: { id: p.id, name: p.name, ihe: p.ihe, lea: p.lea, members: members.map((m) => m.name), memberIds: members.map((m) => m.id) },
    assessments: [...assessments].reverse().map((a) => assessmentSummary(a, viewer)),
    latest:
      latest && rubric
        ? { ...assessmentSummary(latest, viewer), rubricLabel: rubric.label, grid: gridModel(rubric, await repo.entriesOf(db, [latest.id])) }
        : null,
    isInstructor: viewer.role === 'instructor',
  };
}

function assessmentSummary(a: AssessmentRow, viewer: Viewer) {
  return {
    id: a.id,
    assessedOn: a.assessed_on,
    assessedOnLabel: formatLocalDate(a.assessed_on),
    recordedBy: a.created_by_name,
    recordedAtLabel: formatDateTime(a.created_at, viewer.timeZone),
    copiedFrom: a.copied_from,
  };
}

/** An assessment the viewer may see, with its partnership. */
async function visibleAssessment(db: Db, viewer: Viewer, assessmentId: number) {
  const a = await repo.findAssessment(db, assessmentId);
  if (!a) throw new NotFound('We could not find that assessment.');
  const partnership = await visiblePartnership(db, viewer, a.partnership_id);
  return { assessment: a, partnership };
}

async function dated(db: Db, rows: AssessmentRow[]): Promise<DatedAssessment[]> {
  const versions = new Map<number, RubricVersion>();
  for (const id of new Set(rows.map((a) => a.rubric_id))) versions.set(id, (await rubricRepository.version(db, id))!);
  const entries = await repo.entriesOf(
    db,
    rows.map((a) => a.id),
  );
  return rows.map((a) => ({
    id: a.id,
    assessedOn: a.assessed_on,
    rubric: versions.get(a.rubric_id)!,
    entries: entries.filter((e) => e.assessment_id === a.id),
  }));
}

async function assessmentPage(db: Db, viewer: Viewer, assessmentId: number) {
  const { assessment, partnership } = await visibleAssessment(db, viewer, assessmentId);
  const [one] = await dated(db, [assessment]);
  const all = await repo.assessmentsOf(db, partnership.id);
  const at = all.findIndex((a) => a.id === assessment.id);
  return {
    partnership: { id: partnership.id, name: partnership.name, ihe: partnership.ihe, lea: partnership.lea },
    assessment: { ...assessmentSummary(assessment, viewer), rubricLabel: one.rubric.label },
    grid: gridModel(one.rubric, one.entries),
    previousId: at > 0 ? all[at - 1].id : null,
    nextId: at >= 0 && at < all.length - 1 ? all[at + 1].id : null,
  };
}

/** The form's starting values: blank, or a copy of an earlier assessment of this partnership. */
async function assessmentForm(db: Db, viewer: Viewer, partnershipId: number, copyFromId?: number) {
  const p = await visiblePartnership(db, viewer, partnershipId);
  const rubric = await currentRubric(db);
  const assessments = await repo.assessmentsOf(db, p.id);
  const values: Record<string, string> = {};
  let copiedFrom: ReturnType<typeof assessmentSummary> | null = null;
  if (copyFromId !== undefined) {
    const source = assessments.find((a) => a.id === copyFromId);
    if (!source) throw new NotFound('We could not find that assessment to copy.');
    const [from] = await dated(db, [source]);
    for (const o of rubric.objectives) {
      const objective = from.rubric.objectives.find((x) => x.id === o.id) ?? matchObjective(o, from.rubric);
      const entry = objective && from.entries.find((e) => e.objective_id === objective.id);
      if (!entry) continue;
      values[`stage_${o.number}`] = String(entry.stage);
      values[`evidence_${o.number}`] = entry.evidence;
      values[`nextSteps_${o.number}`] = entry.next_steps;
    }
    values.copiedFrom = String(source.id);
    copiedFrom = assessmentSummary(source, viewer);
  }
  const last = assessments[assessments.length - 1];
  return {
    partnership: { id: p.id, name: p.name },
    rubric,
    values,
    copiedFrom,
    last: last ? assessmentSummary(last, viewer) : null,
    baseVersion: latestToken(assessments),
  };
}

/** The version token of a partnership's assessments: the one recorded last (whatever its date). */
function latestToken(rows: AssessmentRow[]): string {
  return versionToken(rows.length ? Math.max(...rows.map((a) => a.id)) : null);
}

/** An assessment as text to compare on the conflict page: per objective, its stage, evidence and next steps. */
function assessmentText(assessedOn: string, entries: { number: number; stage: number; evidence: string; nextSteps: string }[]): string {
  const parts = [{ label: 'Date', text: assessedOn }];
  for (const e of [...entries].sort((a, b) => a.number - b.number)) {
    if (e.stage === 0 && !e.evidence && !e.nextSteps) continue;
    parts.push({
      label: `Objective ${e.number}`,
      text: [`Stage: ${e.stage || 'not yet started'}`, e.evidence && `Evidence: ${e.evidence}`, e.nextSteps && `Next steps: ${e.nextSteps}`]
        .filter(Boolean)
        .join('\n'),
    });
  }
  return labelledText(parts);
}

/** Refuses an assessment recorded from a form opened before the partnership's latest assessment was recorded. */
async function requireLatestAssessment(trx: Db, partnershipId: number, input: AssessmentInput): Promise<void> {
  await repo.lockPartnership(trx, partnershipId);
  const rows = await repo.assessmentsOf(trx, partnershipId);
  const token = latestToken(rows);
  const latest = rows.find((a) => String(a.id) === token);
  const yours = assessmentText(input.assessedOn, input.entries);
  const fields = input.entries.flatMap((e) => [
    ...(e.evidence ? [{ name: `evidence_${e.number}`, label: `Objective ${e.number}: evidence` }] : []),
    ...(e.nextSteps ? [{ name: `nextSteps_${e.number}`, label: `Objective ${e.number}: next steps` }] : []),
  ]);
  let theirs = null;
  if (latest) {
    const [one] = await dated(trx, [latest]);
    const numberOf = new Map(one.rubric.objectives.map((o) => [o.id, o.number]));
    const entries = one.entries.map((e) => ({ number: numberOf.get(e.objective_id) ?? 0, stage: e.stage, evidence: e.evidence, nextSteps: e.next_steps }));
    theirs = { token, text: assessmentText(latest.assessed_on, entries), by: latest.created_by_name, at: latest.created_at };
  }
  requireCurrentVersion(theirs, { what: 'assessment', base: input.base, text: yours, fields });
}

async function recordAssessment(trx: Db, viewer: Viewer, partnershipId: number, input: AssessmentInput, now: Date): Promise<number> {
  const p = await visiblePartnership(trx, viewer, partnershipId);
  await requireLatestAssessment(trx, p.id, input);
  const rubric = await currentRubric(trx);
  if (input.copiedFrom !== null) {
    const source = await repo.findAssessment(trx, input.copiedFrom);
    if (!source || source.partnership_id !== p.id) throw new Invalid('The assessment this one was copied from is not part of this partnership.');
  }
  if (await repo.assessmentOn(trx, p.id, input.assessedOn)) {
    throw new Invalid('Date taken.', {
      assessedOn: `This partnership already has an assessment dated ${formatLocalDate(input.assessedOn)}. Choose another date.`,
    });
  }
  const objectiveId = new Map(rubric.objectives.map((o) => [o.number, o.id]));
  return repo.insertAssessment(
    trx,
    { partnershipId: p.id, rubricId: rubric.id, assessedOn: input.assessedOn, createdBy: viewer.id, createdAt: now, copiedFrom: input.copiedFrom },
    input.entries.map((e) => ({ objectiveId: objectiveId.get(e.number)!, stage: e.stage, evidence: e.evidence, nextSteps: e.nextSteps })),
  );
}

async function historyPage(db: Db, viewer: Viewer, partnershipId: number) {
  const p = await visiblePartnership(db, viewer, partnershipId);
  const rows = await repo.assessmentsOf(db, p.id);
  const all = await dated(db, rows);
  const rubric = all.length ? all[all.length - 1].rubric : await currentRubric(db);
  return {
    partnership: { id: p.id, name: p.name },
    assessments: rows.map((a) => assessmentSummary(a, viewer)),
    groups: historyModel(rubric, all),
  };
}

/** Two assessments of one partnership, earlier first; by default the last two. */
async function comparisonPage(db: Db, viewer: Viewer, partnershipId: number, fromId?: number, toId?: number) {
  const p = await visiblePartnership(db, viewer, partnershipId);
  const rows = await repo.assessmentsOf(db, p.id);
  const choices = rows.map((a) => assessmentSummary(a, viewer));
  const pick = (id: number | undefined, fallback: AssessmentRow | undefined) => {
    if (id === undefined) return fallback;
    const found = rows.find((a) => a.id === id);
    if (!found) throw new NotFound('We could not find that assessment in this partnership.');
    return found;
  };
  const a = pick(fromId, rows[rows.length - 2]);
  const b = pick(toId, rows[rows.length - 1]);
  const base = { partnership: { id: p.id, name: p.name }, choices };
  if (!a || !b || a.id === b.id)
    return { ...base, from: a ? assessmentSummary(a, viewer) : null, to: b ? assessmentSummary(b, viewer) : null, comparison: null };
  const [earlier, later] = rows.indexOf(a) < rows.indexOf(b) ? [a, b] : [b, a];
  const [from, to] = await dated(db, [earlier, later]);
  return {
    ...base,
    from: assessmentSummary(earlier, viewer),
    to: assessmentSummary(later, viewer),
    comparison: comparisonModel(to.rubric, from, to),
  };
}

/** The rows of an assessment's CSV export, in objective order. */
async function exportRows(db: Db, viewer: Viewer, assessmentId: number) {
  const { assessment, partnership } = await visibleAssessment(db, viewer, assessmentId);
  const [one] = await dated(db, [assessment]);
  return { partnership, assessment, rubric: one.rubric, entries: one.entries };
}

export const progressionsService = Object.freeze({
  visiblePartnership,
  rubricVersion,
  listVersions: (db: Db) => rubricRepository.listVersions(db),
  listPartnerships,
  memberCandidates,
  savePartnership,
  partnershipPage,
  assessmentPage,
  assessmentForm,
  recordAssessment,
  historyPage,
  comparisonPage,
  exportRows,
});
