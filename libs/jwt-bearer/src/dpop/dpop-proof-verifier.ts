import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  InvalidDPoPProofAtResource,
  InvalidToken,
  InvalidTokenDPoPChallenge,
  PrivateJwkMembers,
  TemporarilyUnavailable,
  decodeBase64UrlJsonObject,
  hasDuplicateMemberNames,
  jwkThumbprint,
  keyFitsAlgorithm,
  verifiesJwsSignature,
} from '@app/shared';
import type { PresentedToken } from '../bearer-token';
import { RESOLVED_JWT_BEARER_OPTIONS } from '../jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from '../jwt-bearer.options';
import { DPoPReplayCache } from './dpop-replay-cache';
import { markDPoPAuthenticated } from './dpop-request';
import { normalizedHtu, requestUrl, type UrlOfRequest } from './request-url';

/** RFC 9449 §4.2: the proof's `typ`. */
const DPOP_PROOF_TYPE = 'dpop+jwt';
const KEY_TYPES = ['RSA', 'EC', 'OKP'];
const MAX_JTI_LENGTH = 256;
const MIN_RSA_BITS = 2048;

/** A request as the verifier reads it. */
export type ProofRequest = UrlOfRequest & { headers?: Record<string, unknown> };

/**
 * The resource server's side of DPoP (RFC 9449 §7): a token is used with the scheme its binding
 * calls for, and a DPoP-scheme request carries a fresh proof of the bound key. Every request:
 * a verdict cached on the token (VerifiedTokenCache, introspection) never stands for a proof.
 */
@Injectable()
export class DPoPProofVerifier {
  /** The `algs` of every DPoP challenge. */
  readonly algs: string;
  private readonly algorithms: readonly string[];
  private readonly clockSkewSeconds: number;
  private readonly lifetimeSeconds: number;
  private readonly publicUrl: string | undefined;
  private readonly maxProofLength: number;

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) options: ResolvedJwtBearerOptions,
    private readonly replay: DPoPReplayCache,
  ) {
    this.algorithms = options.dpop.algorithms;
    this.algs = options.dpop.algorithms.join(' ');
    this.clockSkewSeconds = options.clockSkewSeconds;
    this.lifetimeSeconds = options.dpop.proofLifetimeSeconds;
    this.publicUrl = options.dpop.publicUrl;
    this.maxProofLength = options.maxTokenLength;
  }

  /**
   * Whether a validated token may be used as presented: a DPoP-bound token (`jkt`) only with the
   * DPoP scheme and a valid proof of its key (§7.1), never as a bearer token (§7.2); the DPoP
   * scheme only with a DPoP-bound token. Throws the OAuthError to answer.
   */
  checkPresentation(
    request: ProofRequest,
    presented: PresentedToken,
    jkt: string | undefined,
    now: number = Date.now(),
  ): void {
    if (presented.scheme === 'Bearer') {
      if (jkt !== undefined)
        throw new InvalidToken('the token is DPoP-bound: send it with the DPoP scheme and a proof');
      return;
    }
    if (jkt === undefined)
      throw new InvalidTokenDPoPChallenge('the token is not DPoP-bound', this.algs);
    this.verifyProof(request, presented.token, jkt, now);
    markDPoPAuthenticated(request, this.algs);
  }

  /** RFC 9449 §4.3, and §7.1's `ath` and key binding. */
  private verifyProof(request: ProofRequest, token: string, jkt: string, now: number): void {
    const proof = this.proofOf(request);
    const parts = proof.split('.');
    if (parts.length !== 3) throw this.invalid('the DPoP proof is not a compact JWS');
    const header = jsonObject(parts[0]);
    if (header === undefined) throw this.invalid('the DPoP proof is malformed');
    if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== DPOP_PROOF_TYPE)
      throw this.invalid(`the DPoP proof's typ must be ${DPOP_PROOF_TYPE}`);
    if (typeof header.alg !== 'string' || !this.algorithms.includes(header.alg))
      throw this.invalid("the DPoP proof's alg is not allowed");
    if (Object.hasOwn(header, 'crit'))
      throw this.invalid('the DPoP proof requires JWS extensions (crit) this API does not support');
    const key = this.publicKeyOf(header.jwk, header.alg);
    const signature = Buffer.from(parts[2], 'base64url');
    if (!verifiesJwsSignature(header.alg, key, `${parts[0]}.${parts[1]}`, signature))
      throw this.invalid("the DPoP proof's signature does not verify");

    const claims = jsonObject(parts[1]);
    if (claims === undefined) throw this.invalid('the DPoP proof is malformed');
    const { jti, htm, htu, iat, ath } = claims;
    if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH)
      throw this.invalid('the DPoP proof has no valid jti');
    if (htm !== request.method)
      throw this.invalid("the DPoP proof's htm is not this request's method");
    const expected = requestUrl(request, this.publicUrl);
    const actual = typeof htu === 'string' ? normalizedHtu(htu) : undefined;
    if (actual === undefined || expected === undefined || actual !== normalizedHtu(expected))
      throw this.invalid("the DPoP proof's htu is not this request's URL");
    const nowSeconds = Math.floor(now / 1000);
    if (typeof iat !== 'number' || !Number.isFinite(iat))
      throw this.invalid('the DPoP proof has no valid iat');
    if (iat > nowSeconds + this.clockSkewSeconds)
      throw this.invalid('the DPoP proof was issued in the future');
    if (iat < nowSeconds - this.lifetimeSeconds - this.clockSkewSeconds)
      throw this.invalid('the DPoP proof is too old');
    if (ath !== createHash('sha256').update(token).digest('base64url'))
      throw this.invalid("the DPoP proof's ath is not the hash of this token");

    const thumbprint = jwkThumbprint(key);
    // RFC 9449 §7.1's own wording for this case: a binding failure is about the token.
    if (thumbprint !== jkt)
      throw new InvalidTokenDPoPChallenge(
        'the token is not bound to the DPoP proof key',
        this.algs,
      );
    // Last, so only proofs good in every other respect take room in the replay cache.
    const expiresAt = (iat + this.lifetimeSeconds + this.clockSkewSeconds) * 1000;
    const first = this.replay.firstUse(`${thumbprint}:${jti}`, expiresAt, now);
    if (first === undefined)
      throw new TemporarilyUnavailable('too many DPoP proofs to check for replay', 503, 1);
    if (!first) throw this.invalid('the DPoP proof was used before');
  }

  /** Exactly one `DPoP` header (Node joins repeated ones with a comma, never part of a JWS). */
  private proofOf(request: ProofRequest): string {
    const proof = request.headers?.dpop;
    if (proof === undefined || proof === '') throw this.invalid('the request has no DPoP proof');
    if (typeof proof !== 'string' || proof.includes(','))
      throw this.invalid('the request has more than one DPoP proof');
    if (proof.length > this.maxProofLength) throw this.invalid('the DPoP proof is too large');
    return proof;
  }

  /** §4.3 items 5-6: a public JWK that fits the algorithm. */
  private publicKeyOf(jwk: unknown, alg: string): KeyObject {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
      throw this.invalid('the DPoP proof has no jwk');
    const members = jwk as Record<string, unknown>;
    if (PrivateJwkMembers.some((member) => Object.hasOwn(members, member)))
      throw this.invalid("the DPoP proof's jwk must be a public key");
    if (typeof members.kty !== 'string' || !KEY_TYPES.includes(members.kty))
      throw this.invalid("the DPoP proof's jwk is not an asymmetric key");
    let key: KeyObject;
    try {
      key = createPublicKey({ key: members as import('node:crypto').JsonWebKey, format: 'jwk' });
    } catch {
      throw this.invalid("the DPoP proof's jwk is not a valid key");
    }
    const jwkAlg = typeof members.alg === 'string' ? members.alg : undefined;
    if (members.alg !== undefined && jwkAlg === undefined)
      throw this.invalid("the DPoP proof's jwk is not a valid key");
    if (!keyFitsAlgorithm(key, alg, jwkAlg))
      throw this.invalid("the DPoP proof's alg does not fit its jwk");
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (bits !== undefined && bits < MIN_RSA_BITS)
      throw this.invalid("the DPoP proof's RSA key is too short");
    return key;
  }

  private invalid(description: string): InvalidDPoPProofAtResource {
    return new InvalidDPoPProofAtResource(description, this.algs);
  }
}

/** A JWS part as a JSON object, refusing a repeated member name (it must mean one thing). */
function jsonObject(part: string): Record<string, unknown> | undefined {
  const value = decodeBase64UrlJsonObject(part);
  if (value === undefined) return undefined;
  return hasDuplicateMemberNames(Buffer.from(part, 'base64url').toString('utf8'))
    ? undefined
    : value;
}
