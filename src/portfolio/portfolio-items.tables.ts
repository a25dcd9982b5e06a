import type { Generated } from 'kysely';

export interface PortfolioReflectionTable {
  id: Generated<number>;
  user_id: number;
  portfolio_requirement_id: number;
  created_at: Date;
}

export interface PortfolioReflectionVersionTable {
  id: Generated<number>;
  reflection_id: number;
  version_no: number;
  body_md: string;
  created_at: Date;
}

export interface PeerAssessmentTable {
  id: Generated<number>;
  peer_assignment_id: number;
  portfolio_requirement_id: number;
  assessor_id: number;
  assessee_id: number;
  version_no: number;
  collegial_interactions: string;
  work_products: string;
  strength: string;
  suggestion: string;
  comments: Generated<string>;
  status: 'draft' | 'submitted';
  created_at: Date;
}

export interface PortfolioItemTables {
  portfolio_reflection: PortfolioReflectionTable;
  portfolio_reflection_version: PortfolioReflectionVersionTable;
  peer_assessment: PeerAssessmentTable;
}
