import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { NotFound } from '../errors';
import { neutralizeFormula } from '../http/csv';
import { formatDate, formatDateTime } from '../time';
import { learningCheckRepository as repo } from './learning-check.repository';
import { roleOf, type InsightsGroup, type LearningCheckQuery } from './insights.schemas';

/**
 * Learning Check insights: per unit, every active student's current response (understanding,
 * strengths, weaknesses), filterable by section, with how many answered out of those enrolled;
 * exportable as CSV. With "hide names" the respondents are numbered in the order they answered
 * (no name, no email, the date without the time) for sharing with the design team; what students
 * wrote is shown as written, so a name inside an answer is not removed.
 */
const unitName = (u: { kind: string; lesson_number: number | null; title: string }) =>
  u.kind === 'lesson' ? `Lesson ${String(u.lesson_number).padStart(2, '0')} · ${u.title}` : u.title;

const share = (part: number, whole: number) => (whole > 0 ? Math.round((100 * part) / whole) : 0);

/** The group switch of the insights pages: campus students (no parameter) or community learners. */
export const groupLinks = (path: string, group: InsightsGroup) => [
  { label: 'Campus students', href: path, current: group === 'campus' },
  { label: 'Community learners', href: `${path}?group=community`, current: group === 'community' },
];

/** GET /instructor/insights: each unit with how many learners of the group answered, overall and per section (campus). */
async function index(db: Db, offeringId: number, group: InsightsGroup) {
  const role = roleOf(group);
  const [units, allSections, enrolled, answered] = await Promise.all([
    courseRepository.units(db, offeringId),
    courseRepository.sections(db, offeringId),
    repo.enrolledBySection(db, offeringId, role),
    repo.answeredBySection(db, offeringId, role),
  ]);
  const sections = group === 'campus' ? allSections : []; // community learners are in no section
  const enrolledIn = (sectionId: number | null) =>
    enrolled.filter((e) => sectionId === null || e.section_id === sectionId).reduce((n, e) => n + Number(e.n), 0);
  const answeredIn = (unitId: number, sectionId: number | null) =>
    answered.filter((a) => a.unit_id === unitId && (sectionId === null || a.section_id === sectionId)).reduce((n, a) => n + Number(a.n), 0);
  const total = enrolledIn(null);
  const courses = [...new Map(units.map((u) => [u.edx_course_id, { code: u.edx_code, title: u.edx_title }])).entries()];
  return {
    group,
    groups: groupLinks('/instructor/insights', group),
    learners: group === 'community' ? 'community learners' : 'students',
    unitQuery: group === 'community' ? '?group=community' : '',
    enrolled: total,
    sections: sections.map((s) => ({ id: s.id, code: s.code, enrolled: enrolledIn(s.id) })),
    courses: courses.map(([courseId, c]) => ({
      ...c,
      units: units
        .filter((u) => u.edx_course_id === courseId && u.kind === 'lesson') // Kickoff and Closing have no Learning Check
        .map((u) => ({
          id: u.id,
          name: unitName(u),
          answered: answeredIn(u.id, null),
          pct: share(answeredIn(u.id, null), total),
          bySection: sections.map((s) => answeredIn(u.id, s.id)),
        })),
    })),
  };
}

async function load(db: Db, offeringId: number, unitId: number, query: LearningCheckQuery) {
  const unit = await repo.unit(db, offeringId, unitId);
  if (!unit) throw new NotFound('There is no such unit.');
  if (unit.kind !== 'lesson') throw new NotFound(`${unit.title} has no Learning Check: only lessons do.`);
  const group = query.group;
  const sections = group === 'campus' ? await courseRepository.sections(db, offeringId) : []; // community learners are in no section
  const sectionId = sections.some((s) => s.id === query.section) ? query.section : null;
  const anonymous = query.anonymous === '1';
  const rows = await repo.currentResponses(db, offeringId, roleOf(group), unitId, sectionId);
  const ordered = anonymous
    ? [...rows].sort((a, b) => a.submitted_at.getTime() - b.submitted_at.getTime() || a.id - b.id)
    : [...rows].sort((a, b) => a.name.localeCompare(b.name, 'en') || a.user_id - b.user_id);
  const responses = ordered.map((r, i) => ({ ...r, who: anonymous ? `Respondent ${i + 1}` : r.name, saves: Number(r.saves) }));
  return { unit, group, sections, sectionId, anonymous, responses };
}

/** GET /instructor/insights/learning-check/:unitId */
async function unitPage(db: Db, offeringId: number, unitId: number, query: LearningCheckQuery, zone: string) {
  const { unit, group, sections, sectionId, anonymous, responses } = await load(db, offeringId, unitId, query);
  const [enrolled, missing] = await Promise.all([
    repo.enrolledBySection(db, offeringId, roleOf(group)),
    anonymous ? Promise.resolve([]) : repo.notAnswered(db, offeringId, roleOf(group), unitId, sectionId),
  ]);
  const enrolledCount = enrolled.filter((e) => sectionId === null || e.section_id === sectionId).reduce((n, e) => n + Number(e.n), 0);
  const params = (extra: Record<string, string>) => {
    const p = new URLSearchParams();
    if (group === 'community') p.set('group', group);
    if (sectionId) p.set('section', String(sectionId));
    if (anonymous) p.set('anonymous', '1');
    for (const [k, v] of Object.entries(extra)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    const s = p.toString();
    return s ? `?${s}` : '';
  };
  const base = `/instructor/insights/learning-check/${unit.id}`;
  return {
    unit: { id: unit.id, code: unit.edx_code, name: unitName(unit) },
    group,
    groups: groupLinks(base, group),
    learners: group === 'community' ? 'community learners' : 'students',
    indexUrl: `/instructor/insights${group === 'community' ? '?group=community' : ''}`,
    sections: sections.map((s) => ({ id: s.id, code: s.code })),
    filters: { section: sectionId, anonymous },
    sectionCode: sections.find((s) => s.id === sectionId)?.code ?? null,
    answered: responses.length,
    enrolled: enrolledCount,
    pct: share(responses.length, enrolledCount),
    responses: responses.map((r) => ({
      who: r.who,
      section: r.section ?? '',
      submitted: anonymous ? formatDate(r.submitted_at, zone) : formatDateTime(r.submitted_at, zone),
      revised: r.saves > 1 ? `saved ${r.saves} times` : '',
      understanding: r.understanding,
      strengths: r.strengths,
      weaknesses: r.weaknesses,
    })),
    notAnswered: missing.map((m) => m.name),
    csvUrl: `${base}.csv${params({})}`,
    toggleNamesUrl: `${base}${params({ anonymous: anonymous ? '' : '1' })}`,
  };
}

export const CSV_COLUMNS = [
  'respondent',
  'email',
  'section',
  'edx_course',
  'unit',
  'understanding',
  'strengths',
  'weaknesses',
  'submitted_at',
  'times_saved',
] as const;
export const ANONYMOUS_CSV_COLUMNS = ['respondent', 'section', 'edx_course', 'unit', 'understanding', 'strengths', 'weaknesses', 'submitted_on'] as const;

/** The page as CSV (UTF-8 with BOM, CRLF), every typed cell neutralized against formula injection. */
async function csv(db: Db, offeringId: number, unitId: number, query: LearningCheckQuery, courseZone: string) {
  const { unit, group, sections, sectionId, anonymous, responses } = await load(db, offeringId, unitId, query);
  const name = unitName(unit);
  const local = (at: Date) => DateTime.fromJSDate(at, { zone: courseZone });
  const rows = responses.map((r) => {
    const common = [
      neutralizeFormula(r.section ?? ''),
      unit.edx_code,
      neutralizeFormula(name),
      neutralizeFormula(r.understanding),
      neutralizeFormula(r.strengths),
      neutralizeFormula(r.weaknesses),
    ];
    return anonymous
      ? [r.who, ...common, local(r.submitted_at).toISODate()!]
      : [neutralizeFormula(r.who), neutralizeFormula(r.email), ...common, local(r.submitted_at).toISO({ suppressMilliseconds: true })!, String(r.saves)];
  });
  const slug = [
    unit.edx_code,
    unit.kind === 'lesson' ? `lesson-${String(unit.lesson_number).padStart(2, '0')}` : unit.kind,
    group === 'community' ? 'community' : '',
    sections.find((s) => s.id === sectionId)?.code,
    anonymous ? 'anonymous' : '',
  ]
    .filter(Boolean)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
  return {
    fileName: `learning-check-${slug}.csv`,
    body: stringify([[...(anonymous ? ANONYMOUS_CSV_COLUMNS : CSV_COLUMNS)], ...rows], { bom: true, record_delimiter: 'windows' }),
  };
}

export const learningCheckService = Object.freeze({ index, unitPage, csv });
