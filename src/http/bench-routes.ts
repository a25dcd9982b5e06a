import type { Express, Request, Response } from 'express';
import { queryCount } from '../db/query-counter';
import { render } from './render';

/**
 * Only with BENCH_ROUTES=on (npm run bench): the ceiling — a page of similar size rendered by
 * express + ejs through the same layout with no database work — and the process's counters.
 * Mounted outside the route table on purpose: it never exists in a normal deployment.
 */
const rows = Array.from({ length: 12 }, (_, i) => ({ label: `Component ${i + 1}`, detail: 'A short line of text like the ones on a lesson page.' }));

export function mountBenchRoutes(app: Express): void {
  app.get('/__bench/ceiling', (_req: Request, res: Response) => {
    render(res, 'bench/ceiling', { title: 'Ceiling', rows });
  });
  app.get('/__bench/stats', (_req: Request, res: Response) => {
    res.json({ queries: queryCount(), rss: process.memoryUsage().rss });
  });
}
