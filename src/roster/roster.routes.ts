import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { singleUpload } from '../http/uploads';
import { courseRepository } from '../course/course.repository';
import { formatDate } from '../time';
import { rosterRepository } from './roster.repository';
import { rosterService } from './roster.service';

const importSchema = z.object({ csv: z.string().max(20_000_000).optional() });

async function rosterModel(ctx: AppContext, offeringId: number) {
  const [rows, offering] = await Promise.all([rosterRepository.listStudents(ctx.db, offeringId), courseRepository.offering(ctx.db, offeringId)]);
  const students = rows.map((s) => ({ ...s, droppedOn: s.deactivated_at ? formatDate(s.deactivated_at, offering.time_zone) : null }));
  return { title: 'Roster', students };
}

const rosterPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  render(res, 'roster/index', { ...(await rosterModel(ctx, me.offeringId)), csv: '', result: null });
};

const importRoster = (ctx: AppContext) => [
  ...singleUpload('file', 5 * 1024 * 1024),
  async (req: Request, res: Response) => {
    const me = currentUser(req);
    const body = importSchema.safeParse(req.body);
    const pasted = body.success ? (body.data.csv ?? '') : '';
    const csv = req.file ? req.file.buffer.toString('utf8') : pasted;
    if (!csv.trim()) {
      return render(
        res,
        'roster/index',
        { ...(await rosterModel(ctx, me.offeringId)), csv: pasted, result: { errors: [{ line: 1, message: 'Choose a CSV file or paste the roster.' }] } },
        422,
      );
    }
    const offering = await courseRepository.offering(ctx.db, me.offeringId);
    const result = await ctx.db
      .transaction()
      .execute((trx) => rosterService.importRoster(trx, me.offeringId, csv, { baseUrl: ctx.config.baseUrl, now: ctx.clock.now(), defaultZone: offering.time_zone }));
    if (result.errors.length) {
      return render(res, 'roster/index', { ...(await rosterModel(ctx, me.offeringId)), csv: req.file ? '' : pasted, result }, 422);
    }
    flash(
      res,
      `Imported ${result.created} new student${result.created === 1 ? '' : 's'} and sent their invitations.` +
        (result.alreadyEnrolled.length ? ` ${result.alreadyEnrolled.length} already on the roster were left unchanged.` : ''),
    );
    res.redirect(303, '/instructor/roster');
  },
];

export const rosterRoutes: RouteDef[] = [
  { method: 'get', path: '/instructor/roster', access: ['instructor'], handler: rosterPage, summary: 'Roster and import form' },
  { method: 'post', path: '/instructor/roster/import', access: ['instructor'], multipart: true, handler: importRoster, summary: 'Import a roster CSV' },
];
