import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import { InvalidToken, readCompactJws } from '@nest-identity/shared';
import { AccessTokenPipeline, type TokenRequest } from './access-token-pipeline';
import { bearerTokenFrom, presentedToken } from './bearer-token';
import { JWT_BEARER_STRATEGY } from './jwt-bearer.constants';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';
import { SigningKeyResolver } from './signing-key-resolver';

/**
 * The module's passport strategy (`AuthGuard('jwt-bearer')`), passport-jwt's Strategy with the
 * authority's JWKS (jwks-rsa, through SigningKeyResolver) supplying the keys. passport's entry,
 * `authenticate`, runs AccessTokenPipeline, the very steps JwtAuthGuard runs: a route guarded by
 * `AuthGuard('jwt-bearer')` answers exactly as one JwtAuthGuard guards. passport-jwt's own
 * verification (jsonwebtoken) is never reached, and nothing of passport-jwt is patched.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_BEARER_STRATEGY) {
  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) options: ResolvedJwtBearerOptions,
    keys: SigningKeyResolver,
    private readonly pipeline: AccessTokenPipeline,
  ) {
    super({
      jwtFromRequest: options.dpop.enabled
        ? (request: unknown) => presentedToken(request, true)?.token ?? null
        : bearerTokenFrom,
      secretOrKeyProvider: keyProvider(keys, options.maxTokenLength),
      passReqToCallback: true,
    });
  }

  /** passport's entry: the pipeline decides; its OAuthError is what the guard throws. */
  override authenticate(request: TokenRequest): void {
    let claims;
    try {
      claims = this.pipeline.authenticate(request);
    } catch (error) {
      return this.error(error as Error);
    }
    if (claims instanceof Promise)
      claims.then(
        (verified) => this.success(verified),
        (error: unknown) => this.error(error as Error),
      );
    else this.success(claims);
  }

  /** passport-jwt's verify callback, which `authenticate` above never reaches. */
  validate(): never {
    throw new InvalidToken('the token is not valid');
  }
}

/** The key a token's header names in the authority's JWKS, as passport-jwt asks for one. */
function keyProvider(keys: SigningKeyResolver, maxTokenLength: number): SecretOrKeyProvider {
  return (_request, rawToken: string, done) => {
    let header;
    try {
      ({ header } = readCompactJws(rawToken, maxTokenLength));
    } catch (error) {
      return done(error);
    }
    // @types/passport-jwt says string or Buffer; passport-jwt hands the key over untouched.
    keys.resolve(header).then(
      ({ key }) => done(null, key as unknown as string),
      (error: unknown) => done(error),
    );
  };
}
