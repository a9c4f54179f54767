import { Injectable } from '@nestjs/common';
import type { AccessTokenClaims } from './access-token-claims';

/**
 * Says whether a token that verifies has been revoked since it was issued (e.g. RFC 7009 at the
 * authority, relayed as a list of revoked `jti`s, or RFC 7662 introspection). JwtAuthGuard asks
 * it on every request: after a full verification and whenever an earlier verdict is reused from
 * VerifiedTokenCache, so a revocation takes effect on the next request, cached or not.
 *
 * The default revokes nothing. Plug in another with
 * `JwtBearerModule.forRoot({ ..., tokenRevocation: MyRevocation })` (an @Injectable class that
 * extends this one; its dependencies come from `imports` of forRootAsync or global modules), or
 * in a test with `.overrideProvider(TokenRevocation)`. Keep it cheap on the hot path: answer
 * synchronously from memory when you can; a Promise is awaited.
 */
export abstract class TokenRevocation {
  abstract isRevoked(claims: AccessTokenClaims, token: string): boolean | Promise<boolean>;
}

/** No revocation mechanism: a token is good until its `exp`. */
@Injectable()
export class NoTokenRevocation extends TokenRevocation {
  isRevoked(): boolean {
    return false;
  }
}
