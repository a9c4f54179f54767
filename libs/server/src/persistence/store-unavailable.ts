import { QueryFailedError } from 'typeorm';
import { TemporarilyUnavailable } from '@nest-identity/shared';

/** Long enough for a database restart or fail-over to finish, short enough not to idle clients. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * The database cannot be reached (down, restarting, connection cut, locked): the request may
 * succeed unchanged a moment later. An OAuthError, so the token endpoint answers `503
 * temporarily_unavailable` with `Retry-After`; the admin API renders it as a problem document.
 * Never `invalid_client`: an outage must not tell a real client its credentials are wrong.
 */
export class StoreUnavailable extends TemporarilyUnavailable {
  constructor(cause: unknown) {
    super(
      'the authority cannot reach its store; try again shortly',
      503,
      STORE_RETRY_AFTER_SECONDS,
      {
        cause,
      },
    );
  }
}

/** Socket-level failures: the database is down, unreachable, or the connection was cut. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01-57P03
 * (shut down, crash recovery, cannot connect now), 53300 (too many connections).
 */
function isPostgresUnavailable(code: string): boolean {
  return /^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '53300';
}

/** SQLite: the file is locked past the busy timeout, unreadable, or the disk failed. */
function isSqliteUnavailable(code: string): boolean {
  return /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY)/.test(code);
}

/** node-postgres reports a lost or timed-out connection by message only, without a code. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
];

/**
 * Whether `error` says the store could not be reached, as opposed to a bug or a constraint
 * (which stay 500 or their own answer). Looks through TypeORM's QueryFailedError and `cause`.
 */
export function isStoreUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof StoreUnavailable) return true;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || isPostgresUnavailable(code) || isSqliteUnavailable(code))
        return true;
    }
    if (typeof message === 'string' && PG_CONNECTION_MESSAGES.some((m) => message.includes(m)))
      return true;
    current =
      current instanceof QueryFailedError
        ? (current.driverError as unknown)
        : (current as { cause?: unknown }).cause;
  }
  return false;
}

/** What to rethrow: a StoreUnavailable when the store could not be reached, else `error` itself. */
export function asStoreUnavailable(error: unknown): Error {
  if (error instanceof StoreUnavailable) return error;
  if (isStoreUnreachable(error)) return new StoreUnavailable(error);
  return error instanceof Error ? error : new Error(String(error));
}
