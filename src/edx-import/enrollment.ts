/**
 * The grade report's "Enrollment Status" column (edX writes "enrolled" or "unenrolled"; some
 * exports carry an "Is Enrolled" yes/no column instead, read into the same field at import).
 * A learner the report lists as unenrolled has left the edX course: shown as such wherever edX
 * progress is shown, and never counted as having passed it.
 */
export function isUnenrolled(status: string | null | undefined): boolean {
  return /^(unenrolled|not enrolled|inactive)$/i.test((status ?? '').trim());
}

export const UNENROLLED_LABEL = 'Unenrolled on edX';
