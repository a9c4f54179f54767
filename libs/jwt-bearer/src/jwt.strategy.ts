import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { AccessTokenJwtType, InvalidToken } from '@app/shared';
import type { AccessTokenClaims } from './access-token-claims';
import { AuthorityMetadata } from './authority-metadata';
import { bearerTokenFrom } from './bearer-token';
import type { JoseHeader } from './jose-header';
import { JWT_BEARER_STRATEGY } from './jwt-bearer.constants';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';
import { SigningKeyResolver } from './signing-key-resolver';

/** What jsonwebtoken hands over with `complete: true`, once the signature, aud and exp/nbf hold. */
interface VerifiedJwt {
  header: JoseHeader;
  payload: Record<string, unknown>;
}

/** RFC 9068 §2.1: `at+jwt`, with the optional `application/` prefix, case-insensitive. */
const ACCESS_TOKEN_TYPES = [AccessTokenJwtType, `application/${AccessTokenJwtType}`];

/**
 * Validates JWT access tokens (RFC 9068 §4): signature by a key from the authority's JWKS, `alg`
 * in the allow-list, `aud`, `exp`/`nbf` with the clock skew (jsonwebtoken), then `typ` and `iss`
 * against the discovered issuer (here). The claims become `request.user`.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_BEARER_STRATEGY) {
  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) options: ResolvedJwtBearerOptions,
    keys: SigningKeyResolver,
    private readonly metadata: AuthorityMetadata,
  ) {
    super({
      jwtFromRequest: bearerTokenFrom,
      secretOrKeyProvider: keys.secretOrKeyProvider,
      audience: options.audience,
      algorithms: [...options.algorithms],
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: options.clockSkewSeconds, complete: true },
    });
  }

  async validate({ header, payload }: VerifiedJwt): Promise<AccessTokenClaims> {
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
    if (!typ || !ACCESS_TOKEN_TYPES.includes(typ))
      throw new InvalidToken(`the token's typ must be ${AccessTokenJwtType}`);
    // The issuer is discovered, so it cannot be handed to jsonwebtoken up front.
    const { issuer } = await this.metadata.get();
    if (payload.iss !== issuer) throw new InvalidToken("the token's issuer is not trusted");
    if (typeof payload.exp !== 'number') throw new InvalidToken('the token has no exp');
    return payload as AccessTokenClaims;
  }
}
