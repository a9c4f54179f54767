import { KeyObject, verify } from 'node:crypto';
import { JsonWebTokenError, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import { Strategy } from 'passport-jwt';
import { decodeBase64UrlJsonObject } from '@app/shared';

/** The options JwtStrategy hands its verifier (jsonwebtoken's, as passport-jwt merges them). */
interface VerifierOptions {
  algorithms?: string[];
  audience?: string | string[];
  clockTolerance?: number;
  ignoreExpiration?: boolean;
  complete?: boolean;
  [option: string]: unknown;
}

/** jsonwebtoken options the EdDSA path does not implement: refused rather than ignored. */
const UNSUPPORTED_OPTIONS = ['issuer', 'subject', 'jwtid', 'nonce', 'maxAge', 'clockTimestamp'];

/** passport-jwt's `JwtStrategy.JwtVerifier`: jsonwebtoken.verify's shape. */
type JwtVerifier = (
  token: string,
  key: unknown,
  options: VerifierOptions,
  callback: (error: Error | null, verified?: unknown) => void,
) => void;

/**
 * Set in a strategy's `jsonWebTokenOptions`: that strategy's EdDSA tokens are verified here.
 * Any other passport-jwt strategy in the process keeps jsonwebtoken for everything.
 */
export const EDDSA_ON_NODE_CRYPTO = 'jwtBearerEdDsaOnNodeCrypto';

/**
 * EdDSA (RFC 8037) for passport-jwt. jsonwebtoken has no EdDSA, so passport-jwt's verifier hook
 * (`JwtStrategy.JwtVerifier`, one per process) is wrapped once: for a strategy that opted in,
 * a token whose key SigningKeyResolver resolved to an Ed25519/Ed448 key (it only does so when the
 * token says EdDSA and the JWK allows it) is verified with node:crypto, then its claims are checked
 * as jsonwebtoken 9 checks them; everything else still goes to jsonwebtoken.
 */
export function useNodeCryptoForEdDsa(): void {
  const holder = Strategy as unknown as { JwtVerifier: JwtVerifier & { eddsa?: true } };
  if (holder.JwtVerifier.eddsa) return;
  const jsonwebtoken = holder.JwtVerifier;
  holder.JwtVerifier = Object.assign<JwtVerifier, { eddsa: true }>(
    (token, key, options, callback) => {
      if (options[EDDSA_ON_NODE_CRYPTO] !== true || !isEdwardsKey(key))
        return jsonwebtoken(token, key, options, callback);
      const [error, verified] = verifyEdDsa(token, key, options);
      callback(error, verified);
    },
    { eddsa: true },
  );
}

function isEdwardsKey(key: unknown): key is KeyObject {
  return (
    key instanceof KeyObject &&
    key.type === 'public' &&
    (key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448')
  );
}

/** jsonwebtoken.verify for EdDSA, with the options JwtStrategy uses. */
export function verifyEdDsa(
  token: string,
  key: KeyObject,
  options: VerifierOptions,
): [Error] | [null, unknown] {
  const parts = token.split('.');
  if (parts.length !== 3) return [new JsonWebTokenError('jwt malformed')];
  const [encodedHeader, encodedPayload, signature] = parts as [string, string, string];
  const header = decodeBase64UrlJsonObject(encodedHeader);
  const payload = decodeBase64UrlJsonObject(encodedPayload);
  if (!header || !payload) return [new JsonWebTokenError('invalid token')];
  if (header.alg !== 'EdDSA' || !options.algorithms?.includes('EdDSA'))
    return [new JsonWebTokenError('invalid algorithm')];
  if (!isEdwardsKey(key))
    return [new JsonWebTokenError('secretOrPublicKey is not valid key material')];
  const unsupported = UNSUPPORTED_OPTIONS.find((option) => options[option] !== undefined);
  if (unsupported) return [new JsonWebTokenError(`${unsupported} is not supported with EdDSA`)];
  let valid: boolean;
  try {
    valid = verify(
      null,
      Buffer.from(`${encodedHeader}.${encodedPayload}`),
      key,
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    valid = false;
  }
  if (!valid) return [new JsonWebTokenError('invalid signature')];

  // As jsonwebtoken 9's verify, in its order.
  const now = Math.floor(Date.now() / 1000);
  const tolerance = options.clockTolerance ?? 0;
  const { nbf, exp, aud } = payload;
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') return [new JsonWebTokenError('invalid nbf value')];
    if (nbf > now + tolerance) return [new NotBeforeError('jwt not active', new Date(nbf * 1000))];
  }
  if (exp !== undefined && !options.ignoreExpiration) {
    if (typeof exp !== 'number') return [new JsonWebTokenError('invalid exp value')];
    if (now >= exp + tolerance) return [new TokenExpiredError('jwt expired', new Date(exp * 1000))];
  }
  if (options.audience !== undefined) {
    const expected = Array.isArray(options.audience) ? options.audience : [options.audience];
    const given: unknown[] = Array.isArray(aud) ? aud : [aud];
    if (!given.some((audience) => typeof audience === 'string' && expected.includes(audience)))
      return [new JsonWebTokenError(`jwt audience invalid. expected: ${expected.join(' or ')}`)];
  }
  return [null, options.complete ? { header, payload, signature } : payload];
}
