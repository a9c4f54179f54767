import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  NoStoreHeaders,
  OAuthError,
  challengeRecordOf,
  setHeaders,
  wwwAuthenticate,
  type ChallengeRecord,
} from '@nest-identity/shared';
import {
  ClientManagementError,
  InvalidClientInput,
  type ClientManagementErrorCode,
} from '../clients/management/client-management.errors';
import { UnknownSigningKey } from '../keys/rotation/unknown-signing-key';
import { StoreUnavailable, asStoreUnavailable } from '../persistence/store-unavailable';
import { AdminRequestProblem, PROBLEM_JSON, problemType, type ProblemDocument } from './problem';

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

const MANAGEMENT_PROBLEMS: Record<
  ClientManagementErrorCode,
  { status: number; type: string; title: string }
> = {
  client_not_found: { status: 404, type: 'client-not-found', title: 'The client does not exist' },
  secret_not_found: { status: 404, type: 'secret-not-found', title: 'The secret does not exist' },
  client_exists: { status: 409, type: 'client-exists', title: 'The client already exists' },
  client_read_only: {
    status: 409,
    type: 'client-read-only',
    title: 'The client comes from the configuration file',
  },
  invalid_input: { status: 400, type: 'invalid-input', title: 'The request is invalid' },
};

/**
 * Renders every error of the admin controllers as an RFC 9457 problem document
 * (`application/problem+json`, never cached): client-management refusals by their code, bearer
 * token failures with their `WWW-Authenticate` challenge, the database out of reach as a 503 with
 * `Retry-After`, and anything unexpected as a bare 500 whose cause goes only to the log. It
 * writes through the host's HTTP adapter (Express or Fastify).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Admin');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<unknown>();
    const adapter = this.adapterHost.httpAdapter;
    const error = asStoreUnavailable(exception);
    const { problem, challenge } = this.toProblem(
      error,
      challengeRecordOf(http.getRequest<object>()),
    );
    setHeaders(adapter, response, NoStoreHeaders);
    if (challenge) adapter.setHeader(response, 'www-authenticate', challenge);
    if (error instanceof StoreUnavailable)
      adapter.setHeader(response, 'retry-after', String(error.retryAfterSeconds()));
    adapter.setHeader(response, 'content-type', PROBLEM_JSON);
    adapter.reply(response, JSON.stringify(problem), problem.status);
  }

  private toProblem(
    exception: unknown,
    record: ChallengeRecord | undefined,
  ): { problem: ProblemDocument; challenge?: string } {
    if (exception instanceof ClientManagementError) {
      const { status, type, title } = MANAGEMENT_PROBLEMS[exception.code];
      const problem: ProblemDocument = {
        type: problemType(type),
        title,
        status,
        detail: exception.message,
      };
      if (exception instanceof InvalidClientInput) problem.errors = [...exception.issues];
      return { problem };
    }
    if (exception instanceof AdminRequestProblem) return { problem: exception.problem };
    if (exception instanceof UnknownSigningKey) {
      return {
        problem: {
          type: problemType('key-not-found'),
          title: 'The signing key does not exist',
          status: 404,
          detail: `there is no signing key "${exception.kid}" (GET /admin/keys lists them)`,
        },
      };
    }
    if (exception instanceof StoreUnavailable) {
      this.logger.warn(
        `admin request failed, the store is unavailable: ${String(exception.cause)}`,
      );
      return {
        problem: {
          type: problemType('store-unavailable'),
          title: 'The store is unavailable',
          status: 503,
          detail: exception.description,
        },
      };
    }
    if (exception instanceof OAuthError) {
      // The bearer-token failures of AdminTokenGuard: 401 invalid_token or 403 insufficient_scope.
      if (typeof exception.cause === 'string')
        this.logger.warn(`admin token refused: ${exception.cause}`);
      return {
        problem: {
          type: 'about:blank',
          title: STATUS_TITLES[exception.status] ?? 'Error',
          status: exception.status,
          detail: exception.description,
        },
        challenge: wwwAuthenticate(exception, record),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status < 500) {
        return {
          problem: {
            type: 'about:blank',
            title: STATUS_TITLES[status] ?? 'Error',
            status,
            detail: exception.message,
          },
        };
      }
    }
    this.logger.error(
      `admin request failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );
    return { problem: { type: 'about:blank', title: STATUS_TITLES[500], status: 500 } };
  }
}
