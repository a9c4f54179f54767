import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ClientAuthMethods,
  ClientSecretJwtAlgorithms,
  OAuthPaths,
  PrivateKeyJwtAlgorithms,
} from '@app/shared';
import { ResourceStore } from '../clients/resource-store';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { SigningKeyStore } from '../keys/signing-key-store';
import { MetadataSchema } from '../openapi/metadata.schemas';
import { GrantHandlerRegistry } from '../token/grant-handler.registry';

/**
 * RFC 8414 authorization server metadata, derived from the settings, the registered grants and
 * the defined scopes; never written by hand. Served at IdentityServer's OpenID path as well.
 */
@Controller()
@ApiTags('Discovery')
export class MetadataController {
  constructor(
    private readonly grants: GrantHandlerRegistry,
    private readonly resources: ResourceStore,
    private readonly keys: SigningKeyStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {}

  @Get([OAuthPaths.OpenIdConfiguration, OAuthPaths.AuthorizationServerMetadata])
  @Header('cache-control', 'public, max-age=3600')
  @ApiOperation({ summary: 'Authorization server metadata (RFC 8414)' })
  @ApiOkResponse({ type: MetadataSchema })
  async metadata(): Promise<Record<string, unknown>> {
    const { issuer } = this.settings;
    const published = await this.keys.getPublishedKeys();
    return {
      issuer,
      token_endpoint: `${issuer}${OAuthPaths.Token}`,
      jwks_uri: `${issuer}${OAuthPaths.Jwks}`,
      grant_types_supported: this.grants.grantTypes(),
      token_endpoint_auth_methods_supported: Object.values(ClientAuthMethods),
      // The algorithms a private_key_jwt or client_secret_jwt assertion may use (never none).
      token_endpoint_auth_signing_alg_values_supported: [
        ...PrivateKeyJwtAlgorithms,
        ...ClientSecretJwtAlgorithms,
      ],
      scopes_supported: (await this.resources.getAllApiScopes()).map((scope) => scope.name),
      // REQUIRED by RFC 8414 §2; empty because there is no authorization endpoint.
      response_types_supported: [],
      // Not IANA-registered: RFC 8414 has no name for the algorithms of JWT access tokens (only
      // id_token_signing_alg_values_supported, for OpenID Connect ID tokens). Published so a
      // resource server can pin its algorithm allow-list to what this authority signs with; it
      // lists the algorithms of the published keys, including an announced successor's.
      access_token_signing_alg_values_supported: [...new Set(published.map((key) => key.alg))],
    };
  }
}
