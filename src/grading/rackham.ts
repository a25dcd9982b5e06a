import type { SU } from './grading.tables';

/**
 * What S and U mean, quoted from the syllabus (section 6, citing the Rackham Graduate School
 * student handbook). Shown to students with their grade and to the instructor when grading.
 */
export const RACKHAM_QUOTE: readonly string[] = Object.freeze([
  'A grade of “S” indicates that the instructor considers the student to have performed satisfactorily at the graduate level, and is counted toward the credit hour requirements of the graduate program. A grade of “S” is considered to be a grade of “B” or better.',
  'A grade of “U” is assigned when a graduate student’s level of performance is not acceptable, and is not counted toward a student’s required credit hours.',
  'Grades of “S” and “U” are not converted into numbers, and are not factored into the Grade Point Average or Michigan Honors Points.',
]);

export const RACKHAM_SOURCE = 'Rackham Graduate School student handbook, as quoted in the EDUC 551/639 syllabus, section 6';

export const GRADE_NAMES: Readonly<Record<SU, string>> = Object.freeze({ S: 'Satisfactory', U: 'Unsatisfactory' });

/** One line per grade, for the grading form and the student's feedback page. */
export const GRADE_MEANINGS: Readonly<Record<SU, string>> = Object.freeze({
  S: 'Satisfactory: performed satisfactorily at the graduate level; counts as a B or better and toward the credit hours of the graduate program. Not factored into the GPA or Michigan Honors Points.',
  U: 'Unsatisfactory: performance not acceptable at the graduate level; does not count toward required credit hours. Not factored into the GPA or Michigan Honors Points.',
});
