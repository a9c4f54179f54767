import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  DPoPProofRejected,
  InvalidDPoPProof,
  InvalidRequest,
  OAuthPaths,
  TemporarilyUnavailable,
  UseDPoPNonce,
  dpopProofReplayKey,
  headerValues,
  readDPoPProof,
  requestUrl,
  type DPoPProof,
  type DPoPProofRequest,
  type RawHeadersOfRequest,
  type UrlOfRequest,
} from '@nest-identity/shared';
import type { Client } from '../clients/client';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { KEYS_CLOCK, systemClock, type Clock } from '../keys/clock';
import { ReplayCache } from '../replay/replay-cache';
import type { DPoPBinding } from './dpop-binding';
import { IdentityDPoPProofRules } from './dpop-algorithms';
import { DPoPNonces } from './dpop-nonces';

/** What the checker reads of an HTTP request, Express's or Fastify's. */
export type DPoPHttpRequest = RawHeadersOfRequest & UrlOfRequest & { readonly method: string };

export interface DPoPOutcome {
  readonly binding: DPoPBinding;
  /** A fresh nonce for the success response's `DPoP-Nonce` header, when nonces are required. */
  readonly nextNonce?: string;
}

/**
 * RFC 9449 §5 at the token endpoint: the request's `DPoP` header, if any, checked in full. No
 * header: nothing to bind, unless the client must use DPoP. A valid proof gives the key the token
 * is bound to; a missing or stale nonce asks for the current one (`use_dpop_nonce`), and a `jti`
 * seen before within the proof's acceptance window is refused.
 */
@Injectable()
export class DPoPProofChecker {
  constructor(
    private readonly nonces: DPoPNonces,
    private readonly replays: ReplayCache,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    @Optional() @Inject(KEYS_CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async check(request: RawHeadersOfRequest, client: Client): Promise<DPoPOutcome | undefined> {
    const proofs = dpopHeaders(request);
    if (proofs.length === 0) {
      // RFC 9449 §5.2 names no code for a missing proof; it is a missing required parameter
      // (RFC 6749 §5.2); invalid_dpop_proof is for a proof that was sent and is invalid (§5).
      if (client.requireDPoP) throw new InvalidRequest('the client must send a DPoP proof');
      return undefined;
    }
    if (proofs.length > 1) throw new InvalidDPoPProof('exactly one DPoP header is allowed');
    const proof = readProof(proofs[0], {
      method: 'POST',
      url: `${this.settings.issuer}${OAuthPaths.Token}`,
      now: Math.floor(this.clock() / 1000),
    });
    const { requireNonce } = this.settings.dpop;
    if (requireNonce && (proof.nonce === undefined || !(await this.nonces.accepts(proof.nonce)))) {
      throw new UseDPoPNonce(await this.nonces.current());
    }
    await this.assertFirstUse(proof);
    return {
      binding: { jkt: proof.jkt },
      nextNonce: requireNonce ? await this.nonces.current() : undefined,
    };
  }

  /**
   * RFC 9449 §7.1 at the identity's own protected routes (the admin API): the request's one proof
   * must be for this method and URL, carry the token's hash (`ath`), be signed by the key the token
   * is bound to (`jkt`) and be used once. Throws InvalidDPoPProof naming the broken rule.
   */
  async checkPresented(request: DPoPHttpRequest, accessToken: string, jkt: string): Promise<void> {
    const proofs = dpopHeaders(request);
    if (proofs.length !== 1) {
      throw new InvalidDPoPProof(
        proofs.length === 0
          ? 'the request has no DPoP proof'
          : 'exactly one DPoP header is allowed',
      );
    }
    const proof = readProof(proofs[0], {
      method: request.method,
      // The issuer is the identity's public URL, whatever Host the request came with.
      url: requestUrl(request, this.settings.issuer)!,
      now: Math.floor(this.clock() / 1000),
      accessToken,
    });
    if (proof.jkt !== jkt)
      throw new InvalidDPoPProof('the token is not bound to the DPoP proof key');
    await this.assertFirstUse(proof);
  }

  /** §11.1: a `jti` is remembered for as long as its proof could be accepted. */
  private async assertFirstUse(proof: DPoPProof): Promise<void> {
    let first: boolean;
    try {
      first = await this.replays.firstUse(dpopProofReplayKey(proof), proof.acceptedUntil);
    } catch (error) {
      // A replay check never fails open.
      throw new TemporarilyUnavailable('the replay store is unavailable, try again later', 503, 5, {
        cause: error,
      });
    }
    if (!first) throw new InvalidDPoPProof('the DPoP proof has been used before');
  }
}

/** The one proof reader (RFC 9449 §4.3) with the identity's rules; its refusal is invalid_dpop_proof. */
function readProof(proof: string, request: DPoPProofRequest): DPoPProof {
  try {
    return readDPoPProof(proof, request, IdentityDPoPProofRules);
  } catch (error) {
    if (error instanceof DPoPProofRejected) throw new InvalidDPoPProof(error.description);
    throw error;
  }
}

/** Every `DPoP` header of the request, a second proof included (headerValues). */
function dpopHeaders(request: RawHeadersOfRequest): string[] {
  return headerValues(request, 'dpop');
}
