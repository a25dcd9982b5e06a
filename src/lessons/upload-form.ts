import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import type { Handler } from '../http/routing';
import { submittedValues } from '../http/forms';
import { UploadTooLarge } from '../http/uploads';
import { renderLessonPage } from './lesson-page';
import { idParam } from '../http/params';

/**
 * For the lesson page's upload forms (study guide, team artifact): when the file is over
 * UPLOAD_MAX_BYTES, show the lesson page again with the message by the file field and the text
 * the student typed (the fields before the file input arrive first), status 413. Nothing is saved.
 */
export function keepFormWhenTooLarge(ctx: AppContext, fileField: string): Handler {
  const onError = async (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof UploadTooLarge)) return next(err);
    await renderLessonPage(ctx, req, res, idParam(req.params.unitId), { errors: { [fileField]: err.message }, values: submittedValues(req.body) }, 413);
  };
  // Express tells error handlers by their four parameters; the route table's Handler type has three.
  return onError as unknown as Handler;
}
