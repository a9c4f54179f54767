import { QueryFailedError } from 'typeorm';
import { StoreUnavailable, asStoreUnavailable, isStoreUnreachable } from './store-unavailable';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function queryFailed(driverError: Error): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], driverError);
}

describe('isStoreUnreachable', () => {
  it.each([
    [
      'PostgreSQL refusing connections',
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    ],
    ['a connection reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a lost connection (node-postgres)', new Error('Connection terminated unexpectedly')],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['SQLSTATE 08006 in a failed query', queryFailed(withCode('connection failure', '08006'))],
    ['PostgreSQL shutting down (57P01)', queryFailed(withCode('terminating connection', '57P01'))],
    ['too many connections (53300)', withCode('sorry, too many clients already', '53300')],
    [
      'SQLite locked past its busy timeout',
      queryFailed(withCode('database is locked', 'SQLITE_BUSY')),
    ],
    ['SQLite I/O errors', withCode('disk I/O error', 'SQLITE_IOERR_READ')],
    ['a cause further down', new Error('wrapped', { cause: withCode('refused', 'ECONNREFUSED') })],
  ])('is true for %s', (_case, error) => {
    expect(isStoreUnreachable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', queryFailed(withCode('duplicate key', '23505'))],
    ['a syntax error (a bug)', queryFailed(withCode('syntax error', '42601'))],
    ['a SQLite constraint', withCode('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE')],
    ['a plain error', new TypeError('x is undefined')],
    ['not an error at all', 'oops'],
  ])('is false for %s', (_case, error) => {
    expect(isStoreUnreachable(error)).toBe(false);
  });
});

describe('asStoreUnavailable', () => {
  it('turns an unreachable store into a 503 temporarily_unavailable with Retry-After', () => {
    const cause = withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED');
    const error = asStoreUnavailable(cause);
    expect(error).toBeInstanceOf(StoreUnavailable);
    const unavailable = error as StoreUnavailable;
    expect(unavailable.status).toBe(503);
    expect(unavailable.retryAfterSeconds()).toBe(5);
    expect(unavailable.cause).toBe(cause);
    // The driver's message stays in the log (cause), out of the response.
    expect(unavailable.body()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the authority cannot reach its store; try again shortly',
    });
  });

  it('leaves any other error as it is', () => {
    const bug = new TypeError('x is undefined');
    expect(asStoreUnavailable(bug)).toBe(bug);
  });
});
