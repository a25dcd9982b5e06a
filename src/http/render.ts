import type { Response } from 'express';

/**
 * The instructor's table pages: the layout gives them the window's width (compact rows, sticky
 * header: views/kit/table-open with `wide`). Every other page keeps the reading width.
 */
const wideViews = new Set(['grading/gradebook', 'class-overview/index', 'attendance/sheet', 'reminders/index']);

/**
 * Renders a view inside views/layout.ejs. Views get view models (formatted strings, flags),
 * never raw rows. `status` defaults to 200; forms re-rendered after bad input pass 422.
 */
export function render(res: Response, view: string, model: Record<string, unknown> = {}, status = 200, onError?: (err: Error) => void): void {
  const fail = onError ?? ((err: Error) => res.req.next?.(err));
  res.render(view, model, (err, body) => {
    if (err) return fail(err);
    res.render('layout', { ...model, body, wide: wideViews.has(view) }, (layoutErr, html) => {
      if (layoutErr) return fail(layoutErr);
      res.status(status).type('html').send(html);
    });
  });
}

/** Puts a one-time message in the session, shown on the next page. */
export function flash(res: Response, message: string, kind: 'success' | 'info' | 'error' = 'success'): void {
  const session = res.req.session as unknown as { flash?: { kind: string; message: string }[] };
  session.flash = [...(session.flash ?? []), { kind, message }];
}
