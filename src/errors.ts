/**
 * Operational errors a service may throw; the error middleware maps each to a page and status.
 * Anything else is a programmer error: logged with a request id, shown as a plain 500 page.
 */
export class AppError extends Error {
  /** What the reader can check or do about it, shown under the message (e.g. an LTI launch refused: what the course team should check). Errors with advice are logged. */
  readonly advice?: string;
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends AppError {
  constructor(message = 'We could not find that page.') {
    super(message, 404);
  }
}

export class Forbidden extends AppError {
  constructor(message = 'You do not have permission to see or change this.') {
    super(message, 403);
  }
}

export class Conflict extends AppError {
  constructor(message: string) {
    super(message, 409);
  }
}

/**
 * Bad input a form should show next to its fields: `fields` maps a field name, in the service's own
 * vocabulary (`proposedDueOn`), to its message. Services throw it; they never return `{ ok: false }`.
 * The route names the page that shows the form again and maps field names to its HTML names
 * (src/http/form-page.ts); the error middleware re-renders that page with `errors` and the submitted values.
 */
export class Invalid extends AppError {
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
    status = 422,
  ) {
    super(message, status);
  }
}

/** Input that is well formed but the record it names cannot take it now (a full team): shown on the form like Invalid, status 409. */
export class Refused extends Invalid {
  constructor(message: string, fields: Record<string, string> = {}) {
    super(message, fields, 409);
  }
}

/** A link (a password or email-change token) that has expired or was already used: shown on its form, status 410. */
export class Expired extends Invalid {
  constructor(message: string) {
    super(message, {}, 410);
  }
}

/** One saved version of a text, as a conflict page shows it: its version token, who saved it and when. */
export interface Edition {
  token: string;
  text: string;
  by: string | null;
  at: Date | null;
}

/** A form text field the person may edit again on the conflict page. */
export interface EditableField {
  name: string;
  label: string;
}

/**
 * A save from a page opened on an older version (another person, or the same person in another
 * tab, saved since). Nothing was saved: the conflict page shows theirs (the current version) and
 * yours (what was just submitted), and offers to save a merged text or yours, based on `theirs.token`.
 */
export class StaleEdit extends Conflict {
  constructor(
    readonly what: string,
    readonly theirs: Edition,
    readonly yours: string,
    readonly fields: EditableField[],
  ) {
    super(
      `A newer version of this ${what} was saved after you opened the page (by someone else, or by you in another tab). Yours is not saved yet: compare them below, then save.`,
    );
  }
}
