import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { NotFound } from '../errors';
import { currentUser } from '../http/auth';
import type { RouteDef } from '../http/routing';
import { workAccess } from './access';

const idParam = z.coerce.number().int().positive().max(2_147_483_647);

/** Always a download (never rendered inline), with the type sniffed at upload and a safe name. */
const download = (ctx: AppContext) => async (req: Request, res: Response) => {
  const id = idParam.safeParse(req.params.attachmentId);
  if (!id.success) throw new NotFound();
  const file = await workAccess.readableAttachment(ctx.db, currentUser(req), id.data);
  res.attachment(file.original_name); // sets Content-Disposition (and a type from the name, replaced below)
  res.set({
    'Content-Type': file.content_type,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  });
  res.send(file.content);
};

export const attachmentsRoutes: RouteDef[] = [
  { method: 'get', path: '/attachments/:attachmentId', access: 'authenticated', handler: download, summary: 'Download a file (owner, teammates, peer assessor, instructor)' },
];
