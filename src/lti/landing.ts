import type { CourseSnapshot } from '../course/course-cache';
import { AGS_CLAIM, LTI, type ResourceLinkClaims } from './claims';

/**
 * Where a launch lands, and which portfolio its AGS line item grades. A resource link's custom
 * parameter `unit` (`LeadEd502x-03`, the edX course code and the lesson number) lands on that
 * lesson page; `portfolio` (`LeadEd502x`) on that portfolio; neither on This week. Deep Linking
 * writes these same parameters into the links it returns, so a course team's choice lands the same
 * way. A name that is not in the course lands on This week with a notice saying so.
 */
export interface Landing {
  target: string;
  notice: string | null;
  ags: { requirementId: number; lineitem: string; scopes: string[] } | null;
}

type Unit = CourseSnapshot['units'][number];
type Requirement = CourseSnapshot['requirements'][number];

export const unitCode = (u: Pick<Unit, 'edx_code' | 'lesson_number'>) => `${u.edx_code}-${String(u.lesson_number).padStart(2, '0')}`;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function findUnit(snapshot: CourseSnapshot, code: string): Unit | undefined {
  const m = code.trim().match(/^(.+?)[-_ ]0*(\d{1,2})$/);
  if (!m) return undefined;
  return snapshot.units.find((u) => u.kind === 'lesson' && same(u.edx_code, m[1].trim()) && u.lesson_number === Number(m[2]));
}

function findRequirement(snapshot: CourseSnapshot, code: string): Requirement | undefined {
  return snapshot.requirements.find((r) => same(r.edx_code, code.trim()));
}

const customString = (claims: ResourceLinkClaims, name: string) => {
  const v = claims[`${LTI}custom`]?.[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : null;
};

function httpUrl(v: string | undefined): string | null {
  if (!v) return null;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

export function landingOf(snapshot: CourseSnapshot, claims: ResourceLinkClaims): Landing {
  const unitName = customString(claims, 'unit');
  const portfolioName = customString(claims, 'portfolio');
  const course = `${snapshot.offering.code} ${snapshot.offering.title}`;
  let target = '/';
  let notice: string | null = null;
  let edxCode: string | null = null;
  if (unitName) {
    const unit = findUnit(snapshot, unitName);
    if (unit) {
      target = `/lessons/${unit.id}`;
      edxCode = unit.edx_code;
    } else notice = `This link names the lesson “${unitName}”, which is not a lesson of ${course}; here is This week instead.`;
  } else if (portfolioName) {
    const requirement = findRequirement(snapshot, portfolioName);
    if (requirement) {
      target = `/portfolios/${requirement.id}`;
      edxCode = requirement.edx_code;
    } else notice = `This link names the portfolio “${portfolioName}”, which is not a portfolio of ${course}; here is This week instead.`;
  }
  const context = claims[`${LTI}context`];
  // The portfolio a line item grades: the edX course the link names, else the course the launch came from.
  const requirement =
    (edxCode ? findRequirement(snapshot, edxCode) : undefined) ??
    snapshot.requirements.find((r) => [context?.label, context?.id, context?.title].some((v) => v && v.toLowerCase().includes(r.edx_code.toLowerCase())));
  const endpoint = claims[AGS_CLAIM];
  const lineitem = httpUrl(endpoint?.lineitem);
  const ags = requirement && lineitem && endpoint ? { requirementId: requirement.id, lineitem, scopes: endpoint.scope } : null;
  return { target, notice, ags };
}
