/**
 * Errors that mean "the database connection went away", not "this statement was wrong": a
 * PostgreSQL restart, a failover, an idle reaper or pg_terminate_backend. The request that met one
 * gets a 503 (try again shortly), the worker's job is retried on its next tick, and the pool opens
 * a fresh connection for whatever comes next.
 */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03']); // admin_shutdown, crash_shutdown, cannot_connect_now
const SOCKET_GONE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const DRIVER_MESSAGES = [
  /^Connection terminated/, // pg: the socket closed under a query
  /is not queryable/, // pg: a client that already saw its connection die
  /^timeout exceeded when trying to connect/, // pg-pool: no connection could be opened in time
];

export function isConnectionError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; severity?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (SERVER_GONE.has(e.code) || e.code.startsWith('08') || SOCKET_GONE.has(e.code))) return true;
  // A FATAL from the server always ends the session (e.g. "database is not currently accepting connections").
  if (e.severity === 'FATAL') return true;
  if (typeof e.message === 'string' && DRIVER_MESSAGES.some((re) => re.test(e.message as string))) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isConnectionError(inner, depth + 1))) return true;
  return isConnectionError(e.cause, depth + 1);
}

/** One line for a log: what happened, without a stack (these are operational, not bugs). */
export function describeConnectionError(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { message?: string }[] };
  const message = e?.message || e?.errors?.[0]?.message || String(err);
  return e?.code ? `${message} (${e.code})` : message;
}

/** A database URL fit for a log line: the password left out. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return '(an unparseable URL)';
  }
}

/** Start-up could not reach the database: one line, naming DATABASE_URL (without its password) and what failed. */
export class DatabaseUnreachable extends Error {
  constructor(url: string, cause: unknown) {
    super(`Cannot reach the database at DATABASE_URL=${withoutPassword(url)}: ${describeConnectionError(cause)}`, { cause });
    this.name = 'DatabaseUnreachable';
  }
}

/**
 * Runs an idempotent statement again (on a fresh pooled connection) when its connection was lost,
 * a few times with a growing pause. For what must not be lost once done elsewhere: recording that
 * SMTP accepted an email. Other errors, and the last connection error, are thrown.
 */
export async function retryOnConnectionLoss<T>(statement: () => Promise<T>, tries = 5, pauseMs = 200): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (err) {
      if (attempt >= tries || !isConnectionError(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, pauseMs * 2 ** (attempt - 1)));
    }
  }
}
