import { Injectable } from '@nestjs/common';
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

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const token = await this.tokens.getToken();
    const response = await fetch(url, withBearer(init, token));
    if (!rejectsToken(response) || !isReplayable(init.body)) return response;
    this.tokens.invalidate(token);
    // The first answer is dropped: free its connection before the retry.
    await response.body?.cancel();
    return fetch(url, withBearer(init, await this.tokens.getToken()));
  }
}

function withBearer(init: RequestInit, token: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
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
