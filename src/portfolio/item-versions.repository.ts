import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/**
 * The exact versions a snapshot copies, fetched by version id in one query per item kind
 * (a constant number of queries for any portfolio).
 */
async function studyGuideVersions(db: Db, ids: number[]) {
  if (!ids.length) return [];
  return db.selectFrom('study_guide_version').select(['id', 'version_no', 'body_md', 'attachment_id', 'created_at']).where('id', '=', anyOf(ids)).execute();
}

async function teamArtifactVersions(db: Db, ids: number[]) {
  if (!ids.length) return [];
  return db
    .selectFrom('team_artifact_version as v')
    .innerJoin('team as t', 't.id', 'v.team_id')
    .innerJoin('app_user as u', 'u.id', 'v.uploaded_by')
    .select(['v.id', 'v.version_no', 'v.body_md', 'v.attachment_id', 'v.created_at', 't.name as team_name', 'u.name as uploaded_by'])
    .where('v.id', '=', anyOf(ids))
    .execute();
}

async function peerAssessments(db: Db, ids: number[]) {
  if (!ids.length) return [];
  return db
    .selectFrom('peer_assessment')
    .select(['id', 'version_no', 'collegial_interactions', 'work_products', 'strength', 'suggestion', 'comments', 'created_at'])
    .where('id', '=', anyOf(ids))
    .execute();
}

async function reflectionVersions(db: Db, ids: number[]) {
  if (!ids.length) return [];
  return db.selectFrom('portfolio_reflection_version').select(['id', 'version_no', 'body_md', 'created_at']).where('id', '=', anyOf(ids)).execute();
}

export const itemVersionsRepository = Object.freeze({ studyGuideVersions, teamArtifactVersions, peerAssessments, reflectionVersions });
