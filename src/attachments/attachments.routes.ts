import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { workAccess } from './access';

/** Always a download (never rendered inline), with the type sniffed at upload and a safe name. */
const download = (ctx: AppContext) => async (req: Request, res: Response) => {
  const file = await workAccess.readableAttachment(ctx.db, currentUser(req), idParam(req.params.attachmentId));
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
  {
    method: 'get',
    path: '/attachments/:attachmentId',
    access: 'authenticated',
    handler: download,
    summary: 'Download a file (owner, teammates, peer assessor, instructor)',
  },
];
