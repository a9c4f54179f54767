import { Module } from '@nestjs/common';
import { IdentityServerModule } from '@nest-identity/server';
import { PartnerKeyGrant } from './partner-key.grant.js';
import { TenantClaims } from './tenant-claims.js';

/** The user's own authority: the package's module with a grant type and a claims service of its own. */
@Module({
  imports: [
    IdentityServerModule.forRoot({
      environment: {
        ISSUER: process.env.AUTHORITY_URL,
        IDENTITY_CONFIG: process.env.IDENTITY_CONFIG,
        IDENTITY_DATA_DIR: process.env.IDENTITY_DATA_DIR,
        RATE_LIMIT: 'off',
      },
      providers: [PartnerKeyGrant],
      claimsServices: [TenantClaims],
    }),
  ],
})
export class AuthorityModule {}
