import type { Response } from 'express';

/**
 * Renders a view inside views/layout.ejs. Views get view models (formatted strings, flags),
 * never raw rows. `status` defaults to 200; forms re-rendered after bad input pass 422.
 */
export function render(res: Response, view: string, model: Record<string, unknown> = {}, status = 200): void {
  res.render(view, model, (err, body) => {
    if (err) {
      res.req.next?.(err);
      return;
    }
    res.render('layout', { ...model, body }, (layoutErr, html) => {
      if (layoutErr) {
        res.req.next?.(layoutErr);
        return;
      }
      res.status(status).type('html').send(html);
    });
  });
}

/** Puts a one-time message in the session, shown on the next page. */
export function flash(res: Response, message: string, kind: 'success' | 'info' | 'error' = 'success'): void {
  const session = res.req.session as unknown as { flash?: { kind: string; message: string }[] };
  session.flash = [...(session.flash ?? []), { kind, message }];
}
