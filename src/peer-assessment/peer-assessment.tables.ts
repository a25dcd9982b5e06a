import type { Generated } from 'kysely';

/** Who assesses whom for a portfolio requirement; a reassignment replaces the row. Owned by src/peer-assessment/ (the assessments themselves belong to the portfolio). */
export interface PeerAssignmentTable {
  id: Generated<number>;
  portfolio_requirement_id: number;
  assessor_id: number;
  assessee_id: number;
  assigned_by: number;
  assigned_at: Date;
  seed: string | null;
  replaced_at: Date | null;
}

export interface PeerAssessmentTables {
  peer_assignment: PeerAssignmentTable;
}
