import { readOne } from '../db/reads';
import type { UnitKind } from '../course/course.tables';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { NotFound } from '../errors';
import { progressRepository } from '../progress/progress.repository';
import { formatDate } from '../time';
import { edxImportRepository as repo } from './edx-import.repository';
import { isUnenrolled, UNENROLLED_LABEL } from './enrollment';
import { edxProgressRepository } from './edx-progress.repository';
import { unitLabel } from './subsection-mapping';

/**
 * edX progress as the latest imported grade report gave it, per student per unit, and the pages
 * that show it beside the components students mark done themselves.
 */
export interface EdxUnitProgress {
  unitId: number;
  edxCourseId: number;
  edxCode: string;
  unitKind: UnitKind;
  lessonNumber: number | null;
  unitTitle: string;
  /** 0..1: the mean of the unit's mapped subsection scores ("Not Attempted" counts as 0). */
  score: number;
  attempted: boolean;
  subsections: number;
  subsectionsAttempted: number;
  updatedAt: Date;
  /** The latest report lists the learner as unenrolled from this edX course. */
  unenrolled: boolean;
}

/**
 * The batched reader (for the class overview and anyone else): edX progress for any number of
 * students in one query, optionally for one edX course. Students without any get an empty list.
 */
export async function edxProgressFor(db: Db, userIds: number[], edxCourseId?: number): Promise<Map<number, EdxUnitProgress[]>> {
  const result = new Map<number, EdxUnitProgress[]>(userIds.map((id) => [id, []]));
  for (const r of await edxProgressRepository.progressOf(db, userIds, edxCourseId)) {
    result.get(r.user_id)?.push({
      unitId: r.unit_id,
      edxCourseId: r.edx_course_id,
      edxCode: r.edx_code,
      unitKind: r.kind,
      lessonNumber: r.lesson_number,
      unitTitle: r.title,
      score: Number(r.score),
      attempted: r.attempted,
      subsections: r.subsections,
      subsectionsAttempted: r.subsections_attempted,
      updatedAt: r.updated_at,
      unenrolled: isUnenrolled(r.enrollment_status),
    });
  }
  return result;
}

export const percent = (score: number) => `${Math.round(score * 100)}%`;

/** "LeadEd502x 3 of 8 units attempted, mean 71%" per edX course, or null without edX data. */
export function edxProgressLabel(units: EdxUnitProgress[]): string | null {
  if (units.length === 0) return null;
  const codes = [...new Set(units.map((u) => u.edxCode))];
  return codes
    .map((code) => {
      const mine = units.filter((u) => u.edxCode === code);
      const mean = mine.reduce((s, u) => s + u.score, 0) / mine.length;
      if (mine.some((u) => u.unenrolled))
        return `${code} unenrolled on edX (${mine.filter((u) => u.attempted).length} of ${mine.length} units attempted before)`;
      return `${code} ${mine.filter((u) => u.attempted).length} of ${mine.length} units attempted, mean ${percent(mean)}`;
    })
    .join('; ');
}

function edxCell(p: EdxUnitProgress | undefined) {
  if (!p) return { score: '—', status: 'No edX data', state: 'none' };
  if (!p.attempted) return { score: percent(p.score), status: 'Not attempted on edX', state: 'warn' };
  const all = p.subsectionsAttempted === p.subsections;
  return {
    score: percent(p.score),
    status: `${p.subsectionsAttempted} of ${p.subsections} graded subsection${p.subsections === 1 ? '' : 's'} attempted`,
    state: all ? 'ok' : 'part',
  };
}

function certificateLabel(g: { certificate_eligible: boolean | null; certificate_delivered: boolean | null } | undefined): string {
  if (!g) return '—';
  if (g.certificate_delivered) return 'Certificate delivered';
  if (g.certificate_eligible) return 'Eligible for a certificate';
  return g.certificate_eligible === false ? 'Not yet eligible' : '—';
}

async function importedOn(db: Db, offeringId: number, zone: string) {
  const latest = await repo.latestImports(db, offeringId);
  return new Map(latest.map((l) => [l.edx_course_id, formatDate(new Date(l.imported_at as unknown as string | Date), zone)]));
}

/** GET /progress/edx: a student's own edX progress per unit beside the components they marked done. */
export async function studentEdxPage(db: Db, offeringId: number, userId: number, zone: string) {
  const [courses, units, components, latest, progress, grades] = await Promise.all([
    courseRepository.edxCourses(db, offeringId),
    courseRepository.units(db, offeringId),
    courseRepository.components(db),
    importedOn(db, offeringId, zone),
    edxProgressFor(db, [userId]),
    edxProgressRepository.gradesOf(db, [userId]),
  ]);
  const counts = (
    await readOne(
      db,
      progressRepository.completionCountsRead(
        db,
        [userId],
        units.map((u) => u.id),
      ),
    )
  ).get(userId)!;
  const mine = new Map(progress.get(userId)!.map((p) => [p.unitId, p]));
  return {
    courses: courses.map((c) => {
      const grade = grades.find((g) => g.edx_course_id === c.id);
      return {
        code: c.code,
        title: c.title,
        edxUrl: c.edx_url,
        importedOn: latest.get(c.id) ?? null,
        grade: grade ? percent(Number(grade.grade)) : null,
        unenrolled: isUnenrolled(grade?.enrollment_status),
        certificate: certificateLabel(grade),
        units: units
          .filter((u) => u.edx_course_id === c.id)
          .map((u) => ({
            id: u.id,
            label: unitLabel({ kind: u.kind, lessonNumber: u.lesson_number, title: u.title }),
            componentsDone: counts.get(u.id) ?? 0,
            componentsTotal: u.kind === 'lesson' ? components.length : 0, // Kickoff and Closing have none
            edx: edxCell(mine.get(u.id)),
          })),
      };
    }),
  };
}

/** GET /instructor/edx-import/progress/:edxCourseId: every student × unit, edX beside components. */
export async function courseEdxPage(db: Db, offeringId: number, edxCourseId: number, zone: string) {
  const course = await repo.course(db, offeringId, edxCourseId);
  if (!course) throw new NotFound('There is no such edX course.');
  const [people, units, components, latest] = await Promise.all([
    repo.people(db, offeringId),
    repo.units(db, edxCourseId),
    courseRepository.components(db),
    importedOn(db, offeringId, zone),
  ]);
  const students = people.filter((p) => p.role === 'student' && !p.deactivated_at);
  const ids = students.map((s) => s.id);
  const [progress, grades, counts] = await Promise.all([
    edxProgressFor(db, ids, edxCourseId),
    edxProgressRepository.gradesOf(db, ids, edxCourseId),
    readOne(
      db,
      progressRepository.completionCountsRead(
        db,
        ids,
        units.map((u) => u.id),
      ),
    ),
  ]);
  const gradeOf = new Map(grades.map((g) => [g.user_id, g]));
  return {
    course: { id: course.id, code: course.code, title: course.title },
    importedOn: latest.get(course.id) ?? null,
    units: units.map((u) => ({
      id: u.id,
      short: u.kind === 'lesson' ? `L${String(u.lesson_number).padStart(2, '0')}` : u.kind === 'kickoff' ? 'Kickoff' : 'Closing',
      label: unitLabel({ kind: u.kind, lessonNumber: u.lesson_number, title: u.title }),
    })),
    componentsTotal: components.length,
    students: students.map((s) => {
      const mine = new Map(progress.get(s.id)!.map((p) => [p.unitId, p]));
      const g = gradeOf.get(s.id);
      return {
        name: s.name,
        section: s.section ?? '',
        username: s.username ?? '',
        grade: g ? percent(Number(g.grade)) : '—',
        track: g?.enrollment_track || '—',
        enrollment: g ? (isUnenrolled(g.enrollment_status) ? UNENROLLED_LABEL : g.enrollment_status || '—') : '—',
        unenrolled: isUnenrolled(g?.enrollment_status),
        certificate: certificateLabel(g),
        cells: units.map((u) => ({ ...edxCell(mine.get(u.id)), components: u.kind === 'lesson' ? (counts.get(s.id)?.get(u.id) ?? 0) : null })),
      };
    }),
  };
}
