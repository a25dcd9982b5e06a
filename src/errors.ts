/**
 * Operational errors a service may throw; the error middleware maps each to a page and status.
 * Anything else is a programmer error: logged with a request id, shown as a plain 500 page.
 */
export class AppError extends Error {
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

/** Bad input a form should show next to its fields: `fields` maps a field name to its message. */
export class Invalid extends AppError {
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message, 422);
  }
}
