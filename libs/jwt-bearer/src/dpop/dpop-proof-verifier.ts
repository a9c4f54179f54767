import { Inject, Injectable } from '@nestjs/common';
import {
  DPoPProofRejected,
  InvalidDPoPProof,
  InvalidToken,
  TemporarilyUnavailable,
  dpopProofReplayKey,
  presentationProblem,
  readDPoPProof,
  requestUrl,
  type DPoPProofRules,
  type UrlOfRequest,
} from '@nest-identity/shared';
import type { PresentedToken } from '../bearer-token';
import { RESOLVED_JWT_BEARER_OPTIONS } from '../jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from '../jwt-bearer.options';
import { DPoPReplayCache } from './dpop-replay-cache';

/** A request as the verifier reads it. */
export type ProofRequest = UrlOfRequest & { headers?: Record<string, unknown> };

/**
 * The resource server's side of DPoP (RFC 9449 §7): a token is used with the scheme its binding
 * calls for, and a DPoP-scheme request carries a fresh proof of the bound key. Every request:
 * a verdict cached on the token (VerifiedTokenCache, introspection) never stands for a proof.
 * The proof itself is read by the one DPoP proof reader of @nest-identity/shared (readDPoPProof); what is
 * the API's own is its state: the request's URL, the token's binding and the replay cache.
 */
@Injectable()
export class DPoPProofVerifier {
  /** The `algs` of every DPoP challenge. */
  readonly algs: string;
  private readonly rules: DPoPProofRules;
  private readonly publicUrl: string | undefined;

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) options: ResolvedJwtBearerOptions,
    private readonly replay: DPoPReplayCache,
  ) {
    this.algs = options.dpop.algorithms.join(' ');
    this.publicUrl = options.dpop.publicUrl;
    this.rules = {
      algorithms: options.dpop.algorithms,
      maxLength: options.maxTokenLength,
      // A proof is accepted for its lifetime, and either way by the clock skew.
      maxAgeSeconds: options.dpop.proofLifetimeSeconds + options.clockSkewSeconds,
      maxFutureSeconds: options.clockSkewSeconds,
    };
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
    const problem = presentationProblem(presented.scheme, jkt);
    if (problem !== undefined) throw new InvalidToken(problem);
    if (presented.scheme === 'DPoP') this.verifyProof(request, presented.token, jkt!, now);
  }

  /** RFC 9449 §4.3 (readDPoPProof, `ath` included), then §7.1's key binding and §11.1's replay. */
  private verifyProof(request: ProofRequest, token: string, jkt: string, now: number): void {
    let proof;
    try {
      proof = readDPoPProof(
        this.proofOf(request),
        {
          method: request.method ?? '',
          url: requestUrl(request, this.publicUrl) ?? '',
          now: Math.floor(now / 1000),
          accessToken: token,
        },
        this.rules,
      );
    } catch (error) {
      if (error instanceof DPoPProofRejected) throw this.invalid(error.description);
      throw error;
    }
    // RFC 9449 §7.1's own wording for this case: a binding failure is about the token.
    if (proof.jkt !== jkt) throw new InvalidToken('the token is not bound to the DPoP proof key');
    // Last, so only proofs good in every other respect take room in the replay cache.
    const first = this.replay.firstUse(dpopProofReplayKey(proof), proof.acceptedUntil, now);
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
    return proof;
  }

  /** §7.1: at a resource, a proof refused is a 401 (its DPoP challenge: AccessTokenPipeline). */
  private invalid(description: string): InvalidDPoPProof {
    return new InvalidDPoPProof(description, 401);
  }
}
