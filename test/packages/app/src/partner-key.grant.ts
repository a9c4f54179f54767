import { Injectable } from '@nestjs/common';
import {
  AccessTokenIssuer,
  GrantType,
  type Client,
  type GrantHandler,
  type OAuthForm,
  type TokenResponse,
} from '@nest-identity/server';
import { InvalidGrant } from '@nest-identity/shared';

export const PartnerKeyGrantType = 'urn:example:grant-type:partner-key';

/** An extension grant: a client that also presents the partner key gets a token for `orders`. */
@Injectable()
@GrantType(PartnerKeyGrantType)
export class PartnerKeyGrant implements GrantHandler {
  constructor(private readonly issuer: AccessTokenIssuer) {}

  async handle(request: OAuthForm, client: Client): Promise<TokenResponse> {
    if (request.param('partner_key') !== process.env.PARTNER_KEY) {
      throw new InvalidGrant('the partner key is wrong');
    }
    const issued = await this.issuer.issue({
      client,
      request,
      scopes: [...client.allowedScopes],
      audiences: ['orders'],
    });
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      scope: issued.scope,
    };
  }
}
