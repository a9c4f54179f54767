import { DiscoveryService } from '@nestjs/core';
import type { Client } from '../clients/client';
import type { DPoPBinding } from '../dpop/dpop-binding';
import type { OAuthForm } from '../http/oauth-form';

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  /** `DPoP` when the token is bound to a DPoP proof's key (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
}

/** Issues tokens for one grant type, for a client already authenticated and allowed the grant. */
export interface GrantHandler {
  handle(request: OAuthForm, client: Client, dpop?: DPoPBinding): Promise<TokenResponse>;
}

/**
 * Marks a provider as the handler of a grant type. GrantHandlerRegistry finds every marked
 * provider in the application, so a new grant is one provider in any imported module.
 */
export const GrantType = DiscoveryService.createDecorator<string>();
