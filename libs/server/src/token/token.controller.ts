import { Controller, HttpCode, Post, Req, Res, UseGuards, UseFilters } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
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
  InvalidRequest,
  OAuthPaths,
  UnauthorizedClient,
  UnsupportedGrantType,
  OAuthErrorFilter,
  noStore,
  type HeaderWriter,
  type RawHeadersOfRequest,
  SpanAttributes,
  activeSpan,
  recordRefusal,
} from '@nest-identity/shared';
import { ApiOAuthErrors } from '@nest-identity/shared/hosting';
import { TokenIssued } from '../audit/audit-events';
import { AuditTrail } from '../audit/audit-trail';
import type { Client } from '../clients/client';
import { ClientAuthenticator } from '../client-authentication/client-authenticator';
import { DPoPProofChecker } from '../dpop/dpop-proof.checker';
import { IdentitySecurity } from '../openapi/identity.openapi';
import { TokenEndpointErrors, TokenRequestForm, TokenResponseSchema } from './token.schemas';
import { TokenThrottlerGuard } from '../throttling/token-throttler.guard';
import type { GrantHandler, TokenResponse } from './grant-handler';
import { GrantHandlerRegistry } from './grant-handler.registry';
import { OAuthForm, type OAuthHttpRequest } from '../http/oauth-form';

/**
 * RFC 6749 §3.2 token endpoint. The checks run in a fixed order, each a named step:
 * well-formed request → client authentication → grant type → grant allowed → the DPoP proof, if
 * any (RFC 9449 §5) → the grant's own checks (resources, scopes...). Any failure is an OAuthError, rendered by OAuthErrorFilter. Before all of
 * them, the throttles per source address and per presented client id.
 */
@Controller()
// Its errors in OAuth's format wherever the authority is mounted, whatever filter the host has.
@UseFilters(OAuthErrorFilter)
@ApiTags('OAuth 2.0')
export class TokenController {
  constructor(
    private readonly clientAuthenticator: ClientAuthenticator,
    private readonly grants: GrantHandlerRegistry,
    private readonly dpopProofs: DPoPProofChecker,
    private readonly audit: AuditTrail,
  ) {}

  @Post(OAuthPaths.Token)
  @HttpCode(200)
  @UseGuards(TokenThrottlerGuard)
  @ApiOperation({
    summary: 'Client credentials (RFC 6749 §4.4)',
    description:
      'Authenticate with Basic (client_secret_basic) or with client_id and client_secret in the body (client_secret_post), never both.',
  })
  @ApiConsumes(FormUrlEncoded)
  @ApiBody({ type: TokenRequestForm })
  // Bottom-up: Basic first, then no scheme at all (client_secret_post).
  @ApiSecurity({})
  @ApiBasicAuth(IdentitySecurity.ClientSecretBasic)
  @ApiOkResponse({
    type: TokenResponseSchema,
    description: 'The token; `Cache-Control: no-store`, `Pragma: no-cache`.',
  })
  @ApiOAuthErrors(...TokenEndpointErrors)
  async token(
    @Req() httpRequest: OAuthHttpRequest & RawHeadersOfRequest,
    @Res({ passthrough: true }) reply: HeaderWriter,
  ): Promise<TokenResponse> {
    // The request's server span, when tracing is on (docs/operations.md, "Tracing").
    const span = activeSpan();
    if (span === undefined) return this.issue(httpRequest, reply);
    try {
      const response = await this.issue(httpRequest, reply, span);
      span.setAttribute(SpanAttributes.Outcome, 'issued');
      return response;
    } catch (error) {
      recordRefusal(span, error);
      throw error;
    }
  }

  private async issue(
    httpRequest: OAuthHttpRequest & RawHeadersOfRequest,
    reply: HeaderWriter,
    span?: Span,
  ): Promise<TokenResponse> {
    const request = OAuthForm.from(httpRequest);
    const client = await this.clientAuthenticator.authenticate(request);
    span?.setAttribute(SpanAttributes.ClientId, client.clientId);
    const { grantType, handler } = this.supportedGrant(request);
    span?.setAttribute(SpanAttributes.GrantType, grantType);
    this.assertGrantAllowed(client, grantType);
    const dpop = await this.dpopProofs.check(httpRequest, client);
    const response = await handler.handle(request, client, dpop?.binding);
    this.audit.record(
      new TokenIssued(
        client.clientId,
        grantType,
        response.scope,
        response.expires_in,
        request.address,
      ),
    );
    // RFC 6749 §5.1: token responses must not be cached.
    noStore(reply);
    // RFC 9449 §8.2: a fresh nonce with the answer spares the client's next request a round trip.
    if (dpop?.nextNonce !== undefined) reply.header('dpop-nonce', dpop.nextNonce);
    return response;
  }

  private supportedGrant(request: OAuthForm): { grantType: string; handler: GrantHandler } {
    const grantType = request.param('grant_type');
    if (grantType === undefined) throw new InvalidRequest('grant_type is required');
    const handler = this.grants.get(grantType);
    if (!handler) throw new UnsupportedGrantType('the grant_type is not supported');
    return { grantType, handler };
  }

  private assertGrantAllowed(client: Client, grantType: string): void {
    if (!client.allowedGrantTypes.includes(grantType)) {
      throw new UnauthorizedClient(`the client is not allowed the grant type ${grantType}`);
    }
  }
}
