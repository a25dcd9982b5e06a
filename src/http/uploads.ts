import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { AppError, Invalid } from '../errors';
import { isMultipart, verifyCsrfAfterUpload } from './csrf';

/** An upload over the limit: shown by the form's file field (`file`) when the route declares its form page, status 413. */
export class UploadTooLarge extends Invalid {
  constructor(maxBytes: number) {
    const message = `That file is too large: the limit is ${(maxBytes / 1024 / 1024).toFixed(maxBytes < 1024 * 1024 ? 2 : 0)} MB.`;
    super(message, { file: message }, 413);
  }
}

export class NotAnUploadForm extends AppError {
  constructor() {
    super('This form does not take files. Go back, reload the page and try again.', 415);
  }
}

/**
 * Mounted on every POST route without `multipart: true` in the route table: only upload routes
 * read multipart bodies (and check their CSRF token after parsing), so anything else refuses one.
 */
export function refuseMultipart(req: Request, _res: Response, next: NextFunction): void {
  next(isMultipart(req) ? new NotAnUploadForm() : undefined);
}

/**
 * Parses a multipart form with at most one file (kept in memory, never on disk under the web
 * root), then checks the CSRF token. Multer's errors become clear 4xx answers.
 */
export function singleUpload(field: string, maxBytes: number) {
  const parser = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 50, fieldSize: 1024 * 1024, parts: 60 },
  }).single(field);
  return [
    (req: Request, res: Response, next: NextFunction) => {
      parser(req, res, (err: unknown) => {
        if (!err) return next();
        if (err instanceof multer.MulterError) {
          if (err.code === 'LIMIT_FILE_SIZE') return next(new UploadTooLarge(maxBytes));
          return next(new AppError(`The upload was refused: ${err.message}.`, 400));
        }
        next(new AppError('The form could not be read. Please try again.', 400));
      });
    },
    verifyCsrfAfterUpload,
  ];
}
