import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { NoStoreHeaders, setHeaders } from './response-headers';
import { challengeRecordOf, wwwAuthenticate } from './challenge';
import { InvalidRequest, OAuthError } from './oauth-error';

/**
 * Renders every OAuthError: status, `WWW-Authenticate` (from the error and how the request's
 * client presented itself, recordChallenge), `Cache-Control: no-store` (RFC 6749 §5.1)
 * and exactly `{error, error_description?}`. Body-parser failures that Fastify raises before a
 * route runs (too large, unreadable) become `invalid_request` too; anything else is left to Nest.
 * It writes through the host's HTTP adapter, so it renders the same on Express and on Fastify.
 */
@Catch()
export class OAuthErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('OAuth');

  override catch(exception: unknown, host: ArgumentsHost): void {
    const error = toOAuthError(exception);
    if (!error) {
      super.catch(exception, host);
      return;
    }
    // The internal reason (which part of client authentication failed...) is for operators only.
    if (error.cause !== undefined) this.logger.warn(`${error.error}: ${describe(error.cause)}`);
    const http = host.switchToHttp();
    const response = http.getResponse<unknown>();
    // Set by Nest when it builds the filter (BaseExceptionFilter's HttpAdapterHost).
    const adapter = (this.applicationRef ?? this.httpAdapterHost?.httpAdapter)!;
    setHeaders(adapter, response, NoStoreHeaders);
    const challenge = wwwAuthenticate(error, challengeRecordOf(http.getRequest<object>()));
    if (challenge) adapter.setHeader(response, 'www-authenticate', challenge);
    const headers = error.headers();
    if (headers) setHeaders(adapter, response, headers);
    const retryAfter = error.retryAfterSeconds();
    if (retryAfter !== undefined) adapter.setHeader(response, 'retry-after', String(retryAfter));
    const body = error.body();
    if (body) adapter.setHeader(response, 'content-type', 'application/json');
    adapter.reply(response, body, error.status);
  }
}

function toOAuthError(exception: unknown): OAuthError | undefined {
  if (exception instanceof OAuthError) return exception;
  if (exception instanceof HttpException) {
    const status: number = exception.getStatus();
    if (status === Number(HttpStatus.PAYLOAD_TOO_LARGE))
      return new InvalidRequest('the request body is too large', 413);
    if (status === Number(HttpStatus.UNSUPPORTED_MEDIA_TYPE))
      return new InvalidRequest('the request body must be application/x-www-form-urlencoded');
  }
  return undefined;
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : 'unknown';
}
