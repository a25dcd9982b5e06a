import { studyGuidesRepository } from '../study-guides/study-guides.repository';
import { teamsRepository } from '../teams/teams.repository';
import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/**
 * The exact versions a snapshot copies, fetched by version id in one query per item kind
 * (a constant number of queries for any portfolio). Study guides and team artifacts are asked of
 * their owners.
 */
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

export const itemVersionsRepository = Object.freeze({
  studyGuideVersions: studyGuidesRepository.versionsByIds,
  teamArtifactVersions: teamsRepository.artifactVersionsByIds,
  peerAssessments,
  reflectionVersions,
});
