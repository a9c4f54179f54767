import { OAuthError } from '@nest-identity/shared';
import { ClientAuthenticationRejected } from '../clients/client-authentication-rejected';
import { readPresentedCredentials } from '../client-authentication/client-credentials';
import { OAuthForm, type OAuthHttpRequest } from '../http/oauth-form';

const seen = new WeakMap<OAuthHttpRequest, string | undefined>();

/**
 * The client id a token request presents (Basic header or `client_id`), read as the token
 * endpoint reads it; undefined when it has none or the request is malformed (the endpoint then
 * refuses it itself). Remembered per request: the throttler asks twice, and a malformed request
 * is not parsed again for the second throttle.
 */
export function presentedClientId(request: OAuthHttpRequest): string | undefined {
  if (seen.has(request)) return seen.get(request);
  let clientId: string | undefined;
  try {
    clientId = readPresentedCredentials(OAuthForm.from(request))?.clientId;
  } catch (error) {
    // An unreadable assertion without client_id names no client: the authenticator refuses it.
    if (!(error instanceof OAuthError || error instanceof ClientAuthenticationRejected))
      throw error;
  }
  seen.set(request, clientId);
  return clientId;
}
