import { formatDateTime, formatDeadline, formatLocalDate } from '../time';

/** How an extension request reads on a page, in the reader's zone. */
export interface RequestRow {
  id: number;
  reason: string;
  proposed_due_on: string;
  requested_at: Date;
  made_before_due: boolean;
  status: string;
  decided_at: Date | null;
  decision_message: string | null;
  granted_due_on: string | null;
  granted_due_at: Date | null;
  decided_by_name?: string | null;
  initiated_by?: 'student' | 'instructor';
}

export function statusLabel(r: Pick<RequestRow, 'status' | 'decided_at'>): string {
  switch (r.status) {
    case 'pending':
      return 'Waiting for the instructor';
    case 'approved':
      return 'Approved';
    case 'declined':
      return 'Declined';
    default:
      return r.decided_at ? 'Approved, then replaced by a later extension' : 'Replaced by a later request';
  }
}

export function requestView(r: RequestRow, zone: string) {
  return {
    id: r.id,
    reason: r.reason,
    proposedOn: formatLocalDate(r.proposed_due_on),
    requestedAt: formatDateTime(r.requested_at, zone),
    madeBeforeDue: r.made_before_due,
    byInstructor: r.initiated_by === 'instructor',
    timing:
      r.initiated_by === 'instructor'
        ? 'Granted by the instructor, without a request'
        : r.made_before_due
          ? 'Made before the due date'
          : 'Made after the due date',
    status: r.status,
    statusLabel: r.initiated_by === 'instructor' && r.status === 'approved' ? 'Granted by the instructor' : statusLabel(r),
    decidedAt: r.decided_at ? formatDateTime(r.decided_at, zone) : null,
    decidedBy: r.decided_by_name ?? null,
    message: r.decision_message,
    grantedOn: r.granted_due_on ? formatLocalDate(r.granted_due_on) : null,
    grantedWhen: r.granted_due_at ? formatDeadline(r.granted_due_at, zone) : null,
  };
}

export type RequestView = ReturnType<typeof requestView>;
