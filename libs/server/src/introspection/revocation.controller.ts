import { Controller, HttpCode, Logger, Post, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import {
  FormUrlEncoded,
  OAuthPaths,
  OAuthErrorFilter,
  noStore,
  type HeaderWriter,
} from '@nest-identity/shared';
import { ApiOAuthErrors } from '@nest-identity/shared/hosting';
import { ClientAuthenticator } from '../client-authentication/client-authenticator';
import { IdentitySecurity } from '../openapi/identity.openapi';
import { OAuthForm, type OAuthHttpRequest } from '../http/oauth-form';
import { TokenParameterEndpointErrors, TokenParameterForm } from './introspection.schemas';
import { requiredToken } from './required-token';
import { TokenRevoker } from './token-revoker';

/**
 * RFC 7009 token revocation: well-formed form → client authentication → `token` → revoke it if
 * it is this client's. 200 with no body whatever the token was (§2.2): the answer never tells a
 * client whether a token exists.
 */
@Controller()
// Its errors in OAuth's format wherever the authority is mounted, whatever filter the host has.
@UseFilters(OAuthErrorFilter)
@ApiTags('OAuth 2.0')
export class RevocationController {
  private readonly logger = new Logger(RevocationController.name);

  constructor(
    private readonly clients: ClientAuthenticator,
    private readonly revoker: TokenRevoker,
  ) {}

  @Post(OAuthPaths.Revocation)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Token revocation (RFC 7009)',
    description:
      "A client revokes one of its own access tokens (reference or JWT). 200 for any token, even unknown or another client's.",
  })
  @ApiConsumes(FormUrlEncoded)
  @ApiBody({ type: TokenParameterForm })
  @ApiSecurity({})
  @ApiBasicAuth(IdentitySecurity.ClientSecretBasic)
  @ApiOkResponse({ description: 'No body; `Cache-Control: no-store`.' })
  @ApiOAuthErrors(...TokenParameterEndpointErrors)
  async revoke(
    @Req() httpRequest: OAuthHttpRequest,
    @Res({ passthrough: true }) reply: HeaderWriter,
  ): Promise<void> {
    const request = OAuthForm.from(httpRequest);
    const client = await this.clients.authenticate(request);
    const revoked = await this.revoker.revoke(requiredToken(request), client.clientId);
    // Never the token itself: only whose it was and whether anything happened.
    if (revoked) this.logger.log(`client "${client.clientId}" revoked one of its tokens`);
    noStore(reply);
  }
}
