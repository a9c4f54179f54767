import { ClientAuthMethods, InvalidRequest, type ClientAuthMethod } from '@app/shared';
import {
  assertBoundedValue,
  assertNoControlCharacter,
  TokenRequestLimits,
} from '../token/token-parameter-limits';
import type { TokenRequest } from '../token/token-request';

/** What the client presented to authenticate, before anything is checked against a store. */
export interface PresentedCredentials {
  readonly method: ClientAuthMethod;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
}

/**
 * Reads client credentials from the `Authorization: Basic` header (client_secret_basic) or from
 * the form body (client_secret_post), refusing a request that uses both (RFC 6749 §2.3).
 * Returns undefined when the request carries no client authentication at all.
 */
export function readPresentedCredentials(request: TokenRequest): PresentedCredentials | undefined {
  const basic = readBasicCredentials(request.authorization);
  const postedId = request.param('client_id');
  const postedSecret = request.param('client_secret');
  if (basic) {
    if (postedSecret !== undefined)
      throw new InvalidRequest('client authentication must use only one method');
    if (postedId !== undefined && postedId !== basic.clientId)
      throw new InvalidRequest('client_id does not match the Authorization header');
    return { method: ClientAuthMethods.ClientSecretBasic, ...basic };
  }
  if (postedId === undefined) {
    if (postedSecret !== undefined) throw new InvalidRequest('client_secret without client_id');
    return undefined;
  }
  return {
    method: ClientAuthMethods.ClientSecretPost,
    clientId: postedId,
    clientSecret: postedSecret,
  };
}

/**
 * RFC 6749 §2.3.1 + RFC 7617: base64(urlencode(id) ":" urlencode(secret)). Another scheme in
 * the header is not client authentication; a malformed Basic value is a malformed request, and
 * so is one beyond the limits the form parameters client_id and client_secret have.
 */
function readBasicCredentials(
  authorization: string | undefined,
): { clientId: string; clientSecret: string } | undefined {
  if (!authorization) return undefined;
  const match = /^basic(?: +(\S*))?\s*$/i.exec(authorization);
  if (!match) return undefined;
  const encoded = match[1] ?? '';
  assertBoundedValue(
    'the Basic credentials value',
    encoded,
    TokenRequestLimits.maxBasicCredentialsLength,
  );
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new InvalidRequest('the Basic credentials are not valid base64');
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidRequest('the Basic credentials lack a ":" separator');
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (clientId === '') throw new InvalidRequest('the Basic credentials have an empty client id');
  assertBoundedPart('client id', clientId, TokenRequestLimits.maxLengths.client_id);
  assertBoundedPart('client secret', clientSecret, TokenRequestLimits.maxLengths.client_secret);
  return { clientId, clientSecret };
}

function assertBoundedPart(part: string, value: string, maxLength: number): void {
  const what = `the ${part} in the Basic credentials`;
  assertBoundedValue(what, value, maxLength);
  assertNoControlCharacter(what, value);
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new InvalidRequest('the Basic credentials are not form-urlencoded');
  }
}
