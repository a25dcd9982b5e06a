import type { Db } from '../db/database';
import { instant, read } from '../db/reads';
import { formatDateTime, formatDeadline, formatLocalDate } from '../time';

/**
 * A student's extension requests as their portfolio page shows them. The rows live in the
 * portfolio's tables (they move its deadline, see deadlines.ts); extensions/ asks for and decides
 * them and uses these columns and this view too.
 */
export const extensionRequestColumns = [
  'x.id',
  'x.user_id',
  'x.portfolio_requirement_id',
  'x.reason',
  'x.proposed_due_on',
  'x.requested_at',
  'x.made_before_due',
  'x.status',
  'x.decided_at',
  'x.decision_message',
  'x.granted_due_on',
  'x.granted_due_at',
  'x.initiated_by',
] as const;

/** A student's own requests for one portfolio, newest first. */
function listForStudent(db: Db, userId: number, requirementId: number) {
  const query = db
    .selectFrom('extension_request as x')
    .leftJoin('app_user as d', 'd.id', 'x.decided_by')
    .select([...extensionRequestColumns, 'd.name as decided_by_name'])
    .where('x.user_id', '=', userId)
    .where('x.portfolio_requirement_id', '=', requirementId)
    .orderBy('x.requested_at', 'desc')
    .orderBy('x.id', 'desc');
  return read(query, (rows) =>
    rows.map((r) => ({ ...r, requested_at: instant(r.requested_at), decided_at: instant(r.decided_at), granted_due_at: instant(r.granted_due_at) })),
  );
}

export const extensionRequestsRead = Object.freeze({ listForStudent });

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
