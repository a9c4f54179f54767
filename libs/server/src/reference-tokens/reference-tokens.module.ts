import { Module } from '@nestjs/common';
import { ExpiredTokenPurge } from './expired-token-purge';
import { ReferenceTokenStore } from './reference-token.store';
import { RevokedTokenStore } from './revoked-token.store';

/**
 * What the authority remembers about tokens it issued: reference tokens and the deny-list of
 * revoked JWTs, with their background purge. Needs the global PersistenceModule.
 */
@Module({
  providers: [ReferenceTokenStore, RevokedTokenStore, ExpiredTokenPurge],
  exports: [ReferenceTokenStore, RevokedTokenStore],
})
export class ReferenceTokensModule {}
