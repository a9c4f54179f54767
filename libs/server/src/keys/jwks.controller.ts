import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OAuthPaths, OAuthErrorFilter } from '@nest-identity/shared';
import { JwksSchema } from '../openapi/metadata.schemas';
import { SigningKeyStore } from './signing-key-store';

/**
 * RFC 7517 JWK Set of the published signing keys (the active one first, then announced and
 * retired ones), each with `kid`, `use: sig` and its own `alg`. Private members never leave the
 * store. Cacheable briefly only: after a forced rotation, a resource server that meets an unknown
 * kid refetches, and an HTTP cache must not hand it a stale set for long.
 */
@Controller()
// Its errors in OAuth's format wherever the authority is mounted, whatever filter the host has.
@UseFilters(OAuthErrorFilter)
@ApiTags('Discovery')
export class JwksController {
  constructor(private readonly keys: SigningKeyStore) {}

  @Get(OAuthPaths.Jwks)
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({ summary: 'The public signing keys (RFC 7517)' })
  @ApiOkResponse({ type: JwksSchema })
  async jwks(): Promise<{ keys: object[] }> {
    const keys = await this.keys.getPublishedKeys();
    return { keys: keys.map((key) => key.publicJwk) };
  }
}
