import { Controller, Get, Header, Inject, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ClientAuthMethods,
  ClientSecretJwtAlgorithms,
  OAuthPaths,
  PrivateKeyJwtAlgorithms,
  OAuthErrorFilter,
} from '@nest-identity/shared';
import { ResourceStore } from '../clients/resource-store';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { DPoPSigningAlgorithms } from '../dpop/dpop-algorithms';
import { SigningKeyStore } from '../keys/signing-key-store';
import { MetadataSchema } from '../openapi/metadata.schemas';
import { GrantHandlerRegistry } from '../token/grant-handler.registry';

/**
 * RFC 8414 authorization server metadata, derived from the settings, the registered grants and
 * the defined scopes; never written by hand. Served at IdentityServer's OpenID path as well.
 */
@Controller()
// Its errors in OAuth's format wherever the authority is mounted, whatever filter the host has.
@UseFilters(OAuthErrorFilter)
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
    const authMethods = Object.values(ClientAuthMethods);
    const assertionAlgs = [...PrivateKeyJwtAlgorithms, ...ClientSecretJwtAlgorithms];
    const signingAlgs = [...new Set(published.map((key) => key.alg))];
    return {
      issuer,
      token_endpoint: `${issuer}${OAuthPaths.Token}`,
      jwks_uri: `${issuer}${OAuthPaths.Jwks}`,
      grant_types_supported: this.grants.grantTypes(),
      token_endpoint_auth_methods_supported: authMethods,
      // The algorithms a private_key_jwt or client_secret_jwt assertion may use (never none).
      token_endpoint_auth_signing_alg_values_supported: assertionAlgs,
      // RFC 7662 / RFC 7009: both authenticate clients as the token endpoint does (API resources
      // use client_secret_basic or client_secret_post with their apiSecrets, also listed).
      introspection_endpoint: `${issuer}${OAuthPaths.Introspection}`,
      introspection_endpoint_auth_methods_supported: authMethods,
      introspection_endpoint_auth_signing_alg_values_supported: assertionAlgs,
      // RFC 9701 §6: signed responses use the active signing key.
      introspection_signing_alg_values_supported: signingAlgs,
      revocation_endpoint: `${issuer}${OAuthPaths.Revocation}`,
      revocation_endpoint_auth_methods_supported: authMethods,
      revocation_endpoint_auth_signing_alg_values_supported: assertionAlgs,
      scopes_supported: (await this.resources.getAllApiScopes()).map((scope) => scope.name),
      // REQUIRED by RFC 8414 §2; empty because there is no authorization endpoint.
      response_types_supported: [],
      // Not IANA-registered: RFC 8414 has no name for the algorithms of JWT access tokens (only
      // id_token_signing_alg_values_supported, for OpenID Connect ID tokens). Published so a
      // resource server can pin its algorithm allow-list to what this authority signs with; it
      // lists the algorithms of the published keys, including an announced successor's.
      access_token_signing_alg_values_supported: signingAlgs,
      // RFC 9449 §5.1: the algorithms a DPoP proof at the token endpoint may use.
      dpop_signing_alg_values_supported: DPoPSigningAlgorithms,
    };
  }
}
