import type { Db } from '../db/database';
import { anyOf } from '../db/any';
import { answered, read, type Read } from '../db/reads';

/** Every component completion, as a subquery another feature joins to its own (progress's class summary). */
function completions(db: Db) {
  return db.selectFrom('component_completion').select(['user_id', 'unit_id', 'component_id', 'completed_at']);
}

/** Components done per student per unit: Map<userId, Map<unitId, count>>. One read. */
function countsRead(db: Db, userIds: number[], unitIds: number[]): Read<Map<number, Map<number, number>>> {
  const empty = () => new Map<number, Map<number, number>>(userIds.map((id) => [id, new Map()]));
  if (userIds.length === 0 || unitIds.length === 0) return answered(empty());
  const query = db
    .selectFrom('component_completion')
    .select(['user_id', 'unit_id', (eb) => eb.fn.countAll<number>().as('done')])
    .where('user_id', '=', anyOf(userIds))
    .where('unit_id', '=', anyOf(unitIds))
    .groupBy(['user_id', 'unit_id']);
  return read(query, (rows) => {
    const result = empty();
    for (const r of rows) result.get(r.user_id)?.set(r.unit_id, Number(r.done));
    return result;
  });
}

/** Which components each student marked done per unit: Map<userId, Map<unitId, Set<componentId>>>. One read. */
function componentsDoneRead(db: Db, userIds: number[], unitIds: number[]): Read<Map<number, Map<number, Set<number>>>> {
  const empty = () => new Map<number, Map<number, Set<number>>>(userIds.map((id) => [id, new Map()]));
  if (userIds.length === 0 || unitIds.length === 0) return answered(empty());
  const query = db
    .selectFrom('component_completion')
    .select(['user_id', 'unit_id', 'component_id'])
    .where('user_id', '=', anyOf(userIds))
    .where('unit_id', '=', anyOf(unitIds));
  return read(query, (rows) => {
    const result = empty();
    for (const r of rows) {
      const units = result.get(r.user_id);
      if (!units) continue;
      let done = units.get(r.unit_id);
      if (!done) units.set(r.unit_id, (done = new Set()));
      done.add(r.component_id);
    }
    return result;
  });
}

/** The components students marked done in their lessons, as the progress pages and the class overview read them. */
export const completionsRepository = Object.freeze({ completions, countsRead, componentsDoneRead });
