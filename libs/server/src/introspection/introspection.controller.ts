import { Controller, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
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
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { SigningKeyStore } from '../keys/signing-key-store';
import { IdentitySecurity } from '../openapi/identity.openapi';
import { OAuthForm, type OAuthHttpRequest } from '../http/oauth-form';
import { IntrospectionCallerAuthenticator } from './introspection-caller';
import {
  INACTIVE,
  IntrospectionJwtMediaType,
  introspectionResponse,
  mayIntrospect,
  signIntrospectionResponse,
  wantsJwtResponse,
  type IntrospectionResponse,
} from './introspection-response';
import {
  IntrospectionResponseSchema,
  TokenParameterEndpointErrors,
  TokenParameterForm,
} from './introspection.schemas';
import { TokenInspector } from './token-inspector';
import { requiredToken } from './required-token';

/**
 * RFC 7662 token introspection, for API resources (their apiSecrets) and clients: well-formed
 * form → caller authentication → `token` → inspection → what this caller may see. A signed
 * answer (RFC 9701) when the caller accepts `application/token-introspection+jwt`.
 */
@Controller()
// Its errors in OAuth's format wherever the authority is mounted, whatever filter the host has.
@UseFilters(OAuthErrorFilter)
@ApiTags('OAuth 2.0')
export class IntrospectionController {
  constructor(
    private readonly callers: IntrospectionCallerAuthenticator,
    private readonly inspector: TokenInspector,
    private readonly keys: SigningKeyStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {}

  @Post(OAuthPaths.Introspection)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Token introspection (RFC 7662, RFC 9701)',
    description:
      'An API resource (name and one of its apiSecrets) or a client authenticates; the answer is `{active:false}` for anything unknown, expired, revoked, or not for the caller.',
  })
  @ApiConsumes(FormUrlEncoded)
  @ApiBody({ type: TokenParameterForm })
  @ApiSecurity({})
  @ApiBasicAuth(IdentitySecurity.ClientSecretBasic)
  @ApiProduces('application/json', IntrospectionJwtMediaType)
  @ApiOkResponse({ type: IntrospectionResponseSchema, description: '`Cache-Control: no-store`.' })
  @ApiOAuthErrors(...TokenParameterEndpointErrors)
  async introspect(
    @Req() httpRequest: OAuthHttpRequest,
    @Res({ passthrough: true }) reply: HeaderWriter,
  ): Promise<IntrospectionResponse | string> {
    const request = OAuthForm.from(httpRequest);
    const caller = await this.callers.authenticate(request);
    const inspected = await this.inspector.inspect(requiredToken(request));
    const response =
      inspected && mayIntrospect(caller, inspected) ? introspectionResponse(inspected) : INACTIVE;
    // RFC 7662 §4 and RFC 9701 §5: the answer describes a live token; nothing may cache it.
    noStore(reply);
    if (!wantsJwtResponse(httpRequest.headers.accept)) return response;
    reply.header('content-type', IntrospectionJwtMediaType);
    return signIntrospectionResponse(response, {
      key: await this.keys.getActiveKey(),
      issuer: this.settings.issuer,
      audience: caller.id,
    });
  }
}
