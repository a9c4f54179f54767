import { Module } from '@nestjs/common';
import { IdentityServerModule } from '@nest-identity/server';
import { PartnerKeyGrant } from './partner-key.grant.js';

/** The user's own authority: the package's module with an extension grant of the user's. */
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
    }),
  ],
})
export class AuthorityModule {}
