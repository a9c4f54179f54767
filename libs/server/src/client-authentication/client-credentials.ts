import {
  ClientAuthMethods,
  InvalidRequest,
  JwtBearerClientAssertionType,
  type ClientAuthMethod,
  type CompactJws,
} from '@nest-identity/shared';
import {
  ClientAuthenticationFailures as Failures,
  type ClientAuthenticationFailure,
} from '../audit/audit-events';
import {
  isClientSecretJwtAlgorithm,
  readClientAssertion,
} from '../clients/assertions/assertion-jws';
import { ClientAuthenticationRejected } from '../clients/client-authentication-rejected';
import {
  assertBoundedValue,
  assertNoControlCharacter,
  OAuthFormLimits,
} from '../http/oauth-form-limits';
import type { OAuthForm } from '../http/oauth-form';

/** What the client presented to authenticate, before anything is checked against a store. */
export interface PresentedCredentials {
  readonly method: ClientAuthMethod;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  /**
   * A JWT client assertion (private_key_jwt, client_secret_jwt), read but not verified; or why
   * it could not be read, refused once the lock-out has admitted the attempt of the client id
   * the client_id parameter names. Without a client_id, there is nothing to count a failure
   * against: the reader throws the rejection at once.
   */
  readonly assertion?: CompactJws | ClientAuthenticationRejected;
}

/**
 * Reads client credentials from the `Authorization: Basic` header (client_secret_basic) or from
 * the form body (client_secret_post), refusing a request that uses both (RFC 6749 §2.3).
 * Returns undefined when the request carries no client authentication at all.
 */
export function readPresentedCredentials(request: OAuthForm): PresentedCredentials | undefined {
  const basic = readBasicCredentials(request.authorization);
  const postedId = request.param('client_id');
  const postedSecret = request.param('client_secret');
  const assertionType = request.param('client_assertion_type');
  const assertion = request.param('client_assertion');
  if (assertionType !== undefined || assertion !== undefined) {
    if (basic || postedSecret !== undefined)
      throw new InvalidRequest('client authentication must use only one method');
    return readAssertion(assertionType, assertion, postedId);
  }
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
 * RFC 7521 §4.2 + RFC 7523 §2.2: the client id is the assertion's `sub` (and `client_id`, when
 * sent, must be the same). Nothing is verified here: the id only chooses the client, its
 * lock-out and its keys. Whether the header asks for an HMAC chooses client_secret_jwt.
 */
function readAssertion(
  type: string | undefined,
  assertion: string | undefined,
  postedId: string | undefined,
): PresentedCredentials {
  if (type === undefined)
    throw new InvalidRequest('client_assertion without client_assertion_type');
  if (assertion === undefined)
    throw new InvalidRequest('client_assertion_type without client_assertion');
  // Refused as invalid_client, like every assertion failure; with client_id, counted against it.
  const unreadable = (rejection: ClientAuthenticationRejected): PresentedCredentials => {
    if (postedId === undefined) throw rejection;
    const method = ClientAuthMethods.PrivateKeyJwt;
    return { method, clientId: postedId, clientSecret: undefined, assertion: rejection };
  };
  const refused = (reason: ClientAuthenticationFailure, detail: string) =>
    unreadable(new ClientAuthenticationRejected(reason, detail));
  if (type !== JwtBearerClientAssertionType)
    return refused(Failures.AssertionTypeUnsupported, 'client_assertion_type');
  let jws: CompactJws;
  try {
    jws = readClientAssertion(assertion);
  } catch (error) {
    if (error instanceof ClientAuthenticationRejected) return unreadable(error);
    throw error;
  }
  const sub = jws.payload.sub;
  if (typeof sub !== 'string' || sub === '' || sub.length > OAuthFormLimits.maxLengths.client_id)
    return refused(Failures.AssertionMalformed, 'the assertion has no sub fit to be a client id');
  if (postedId !== undefined && postedId !== sub)
    return refused(Failures.AssertionClaimsInvalid, 'client_id is not the assertion sub');
  return {
    method: isClientSecretJwtAlgorithm(jws.header.alg)
      ? ClientAuthMethods.ClientSecretJwt
      : ClientAuthMethods.PrivateKeyJwt,
    clientId: sub,
    clientSecret: undefined,
    assertion: jws,
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
    OAuthFormLimits.maxBasicCredentialsLength,
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
  assertBoundedPart('client id', clientId, OAuthFormLimits.maxLengths.client_id);
  assertBoundedPart('client secret', clientSecret, OAuthFormLimits.maxLengths.client_secret);
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
