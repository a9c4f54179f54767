import { Injectable } from '@nestjs/common';
import { inClientSpan, traceHeaders } from '@nest-identity/shared';
import { AccessTokenProvider } from './access-token-provider';

/**
 * `fetch` with the service's access token: adds `Authorization: Bearer …` to the request. When
 * the resource server answers 401 `Bearer error="invalid_token"` (the token was revoked, or keys
 * rotated early), the token is forgotten and the request is made once more with a new one. A
 * request whose body is a stream is not repeated: the stream was consumed by the first attempt.
 */
@Injectable()
export class AuthorizedFetch {
  constructor(private readonly tokens: AccessTokenProvider) {}

  /**
   * One client span for the call, a retry included (docs/operations.md, "Tracing"); each request
   * carries its W3C `traceparent`, so the resource server's span is a child of it.
   */
  fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    return inClientSpan('authorized fetch', init.method ?? 'GET', url, async (answered) => {
      const token = await this.tokens.getToken();
      const response = await fetch(url, withBearer(init, token));
      if (!rejectsToken(response) || !isReplayable(init.body)) {
        answered(response.status);
        return response;
      }
      this.tokens.invalidate(token);
      // The first answer is dropped: free its connection before the retry.
      await response.body?.cancel();
      const retried = await fetch(url, withBearer(init, await this.tokens.getToken()));
      answered(retried.status);
      return retried;
    });
  }
}

function withBearer(init: RequestInit, token: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers: traceHeaders(headers) };
}

/** RFC 6750 §3.1: the resource server says this token is expired, revoked or otherwise invalid. */
function rejectsToken(response: Response): boolean {
  if (response.status !== 401) return false;
  const challenge = response.headers.get('www-authenticate') ?? '';
  return /^\s*Bearer\b/i.test(challenge) && /\berror\s*=\s*"?invalid_token"?/i.test(challenge);
}

function isReplayable(body: RequestInit['body']): boolean {
  return !(body instanceof ReadableStream);
}
