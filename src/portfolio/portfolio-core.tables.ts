import type { Generated } from 'kysely';

export type ExtensionStatus = 'pending' | 'approved' | 'declined' | 'withdrawn';

export interface ExtensionRequestTable {
  id: Generated<number>;
  user_id: number;
  portfolio_requirement_id: number;
  reason: string;
  proposed_due_on: string;
  requested_at: Date;
  made_before_due: boolean;
  status: Generated<ExtensionStatus>;
  decided_by: number | null;
  decided_at: Date | null;
  decision_message: string | null;
  granted_due_on: string | null;
  granted_due_at: Date | null;
  /** 'instructor' when the instructor granted it without a request (then it is approved at once). */
  initiated_by: Generated<'student' | 'instructor'>;
}

export interface PortfolioSubmissionTable {
  id: Generated<number>;
  user_id: number;
  portfolio_requirement_id: number;
  submitted_at: Date;
  due_at: Date;
  is_late: boolean;
  late_by_seconds: Generated<number>;
  is_complete: boolean;
  missing: Generated<unknown>;
  snapshot: unknown;
}

export interface PortfolioCoreTables {
  extension_request: ExtensionRequestTable;
  portfolio_submission: PortfolioSubmissionTable;
}
