import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { JwtVerifyOptions } from '@nestjs/jwt';
import { Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import { AccessTokenJwtType, InvalidToken } from '@app/shared';
import type { AccessTokenClaims } from './access-token-claims';
import { AuthorityMetadata } from './authority-metadata';
import { bearerTokenFrom, presentedToken } from './bearer-token';
import { DPoPProofVerifier, type ProofRequest } from './dpop/dpop-proof-verifier';
import { boundKeyOf } from './dpop/token-binding';
import { EDDSA_ON_NODE_CRYPTO, useNodeCryptoForEdDsa } from './eddsa-verifier';
import type { JoseHeader } from './jose-header';
import { JWT_BEARER_STRATEGY } from './jwt-bearer.constants';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';
import { claimsProblem, type ClaimRules } from './claim-rules';
import { SigningKeyResolver, type KeyObjectProvider } from './signing-key-resolver';
import { assertWellFormedJws } from './token-structure';
import { TokenRevocation } from './token-revocation';
import { VerifiedTokenCache } from './verified-token-cache';
import { deepFreeze } from './deep-freeze';

/** What jsonwebtoken hands over with `complete: true`, once the signature, aud and exp/nbf hold. */
interface VerifiedJwt {
  header: JoseHeader;
  payload: Record<string, unknown>;
}

/** RFC 9068 §2.1: `at+jwt`, with the optional `application/` prefix, case-insensitive. */
const ACCESS_TOKEN_TYPES = [AccessTokenJwtType, `application/${AccessTokenJwtType}`];

useNodeCryptoForEdDsa();

/**
 * Validates JWT access tokens (RFC 9068 §4): a well-formed JWS without `crit` or repeated JSON
 * members (token-structure.ts), signature by a key from the authority's JWKS, `alg` in the
 * allow-list and fitting the key, `aud`, `exp`/`nbf` with the clock skew (jsonwebtoken; EdDSA on
 * node:crypto), then `typ`, `iss` against the discovered issuer, the claim rules (claim-rules.ts:
 * the claims RFC 9068 requires, their types, `iat`, the longest lifetime) and revocation (here). The claims become `request.user`, and the verdict goes to
 * VerifiedTokenCache, so the next request with the same token need not come here.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_BEARER_STRATEGY) {
  private readonly claimRules: ClaimRules;
  private readonly dpopEnabled: boolean;

  /** The key each request's token is being verified with, for its verdict (see rememberingKeys). */
  private readonly verifyingKeys: WeakMap<object, KeyObject>;

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) options: ResolvedJwtBearerOptions,
    keys: SigningKeyResolver,
    private readonly metadata: AuthorityMetadata,
    private readonly verified: VerifiedTokenCache,
    private readonly revocation: TokenRevocation,
    private readonly dpop: DPoPProofVerifier,
  ) {
    const verifyingKeys = new WeakMap<object, KeyObject>();
    super({
      jwtFromRequest: options.dpop.enabled
        ? (request: unknown) => presentedToken(request, true)?.token ?? null
        : bearerTokenFrom,
      // @types/passport-jwt says string or Buffer; passport-jwt hands the key to jsonwebtoken
      // untouched, and jsonwebtoken 9 takes a KeyObject (and parses anything else every time).
      secretOrKeyProvider: checkedBeforeKeyLookup(
        rememberingKeys(keys.secretOrKeyProvider, verifyingKeys),
      ) as SecretOrKeyProvider,
      audience: options.audience,
      // jsonwebtoken's Algorithm has no EdDSA: eddsa-verifier.ts verifies it.
      algorithms: [...options.algorithms] as JwtVerifyOptions['algorithms'],
      ignoreExpiration: false,
      passReqToCallback: true,
      jsonWebTokenOptions: {
        clockTolerance: options.clockSkewSeconds,
        complete: true,
        ...{ [EDDSA_ON_NODE_CRYPTO]: true },
      },
    });
    this.claimRules = {
      clockSkewSeconds: options.clockSkewSeconds,
      requiredClaims: options.requiredClaims,
      maxTokenLifetimeSeconds: options.maxTokenLifetimeSeconds,
    };
    this.dpopEnabled = options.dpop.enabled;
    this.verifyingKeys = verifyingKeys;
  }

  async validate(request: unknown, { header, payload }: VerifiedJwt): Promise<AccessTokenClaims> {
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
    if (!typ || !ACCESS_TOKEN_TYPES.includes(typ))
      throw new InvalidToken(`the token's typ must be ${AccessTokenJwtType}`);
    // The issuer is discovered, so it cannot be handed to jsonwebtoken up front.
    const { issuer } = await this.metadata.get();
    if (payload.iss !== issuer) throw new InvalidToken("the token's issuer is not trusted");
    const problem = claimsProblem(payload, this.claimRules, Math.floor(Date.now() / 1000));
    if (problem !== undefined) throw new InvalidToken(problem);

    const jkt = boundKeyOf(payload);
    const claims = deepFreeze(payload) as AccessTokenClaims;
    // passport-jwt took the token from this very header.
    const presented = presentedToken(request, this.dpopEnabled);
    if (presented === null) throw new InvalidToken('the token is malformed');
    const { token } = presented;
    if (await this.revocation.isRevoked(claims, token))
      throw new InvalidToken('the token was revoked');
    const key = this.verifyingKeys.get(request as object);
    if (key !== undefined)
      this.verified.set(token, {
        claims,
        kid: typeof header.kid === 'string' ? header.kid : undefined,
        key,
        exp: payload.exp as number,
        nbf: typeof payload.nbf === 'number' ? payload.nbf : undefined,
        jkt,
      });
    // The token is good; whether this request may use it is checked on every request.
    this.dpop.checkPresentation(request as ProofRequest, presented, jkt);
    return claims;
  }
}

/**
 * Remembers, per request, the key handed to the verifier, so the verdict names the very key that
 * verified it (not just a kid another key may take over) and dies with it.
 */
function rememberingKeys(
  provider: KeyObjectProvider,
  keys: WeakMap<object, KeyObject>,
): KeyObjectProvider {
  return (request, rawToken, done) =>
    provider(request, rawToken, (error, key) => {
      if (key !== undefined && typeof request === 'object' && request !== null)
        keys.set(request, key);
      done(error, key);
    });
}

/** The token's structure is checked first: a malformed one costs no key lookup. */
function checkedBeforeKeyLookup(provider: KeyObjectProvider): KeyObjectProvider {
  return (request, rawToken, done) => {
    try {
      assertWellFormedJws(rawToken);
    } catch (error) {
      return done(error);
    }
    provider(request, rawToken, done);
  };
}
