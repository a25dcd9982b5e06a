import type { Request, Response } from 'express';
import { sql } from 'kysely';
import type { AppContext } from '../context';
import { migrationsCurrent } from '../db/migrate';
import type { RouteDef } from './routing';

const healthz = () => (_req: Request, res: Response) => {
  res.json({ status: 'ok' });
};

const readyz = (ctx: AppContext) => async (_req: Request, res: Response) => {
  try {
    await sql`select 1`.execute(ctx.db);
    const current = await migrationsCurrent(ctx.db);
    res.status(current ? 200 : 503).json({ status: current ? 'ready' : 'migrations pending', database: ctx.dbKind });
  } catch {
    res.status(503).json({ status: 'database unreachable', database: ctx.dbKind });
  }
};

export const healthRoutes: RouteDef[] = [
  { method: 'get', path: '/healthz', access: 'public', handler: healthz, sessionless: true, summary: 'Process is up' },
  { method: 'get', path: '/readyz', access: 'public', handler: readyz, sessionless: true, summary: 'Database reachable and migrations current' },
];
