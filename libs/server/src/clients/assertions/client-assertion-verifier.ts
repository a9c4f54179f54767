import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ClientAuthMethods,
  OAuthPaths,
  TemporarilyUnavailable,
  firstClaimProblem,
  hmacKeyLongEnough,
  verifiesHmacJwsSignature,
  verifiesJwsSignature,
  type CompactJws,
} from '@nest-identity/shared';
import { ClientAuthenticationFailures as Failures } from '../../audit/audit-events';
import { identitySettings, type IdentitySettings } from '../../config/identity-settings';
import { ReplayCache } from '../../replay/replay-cache';
import type { Client } from '../client';
import { ClientAuthenticationRejected as Rejected } from '../client-authentication-rejected';
import {
  AssertionClaimRules,
  assertionClaimChecks,
  type AcceptedAssertionClaims,
} from './assertion-claims';
import { isClientSecretJwtAlgorithm, isPrivateKeyJwtAlgorithm } from './assertion-jws';
import { ClientKeys, ClientKeysUnavailable } from './client-keys';

/** How long a replay store outage asks clients to wait. */
const REPLAY_STORE_RETRY_AFTER_SECONDS = 5;

/**
 * Checks a JWT client assertion (RFC 7523 §3, OIDC Core §9) for a known, enabled client, in this
 * order: the algorithm fits the method, the signature (the client's registered public keys for
 * private_key_jwt, a server-readable secret for client_secret_jwt), the claims, and last the
 * `jti`, remembered until `exp` in the shared ReplayCache, so only a verified assertion uses one
 * up. A replay store that cannot answer refuses the request (503), never lets it through. A
 * refused assertion throws ClientAuthenticationRejected.
 */
@Injectable()
export class ClientAssertionVerifier {
  private readonly logger = new Logger('ClientAssertions');
  private readonly audiences: readonly string[];

  constructor(
    private readonly keys: ClientKeys,
    private readonly replays: ReplayCache,
    @Inject(identitySettings.KEY) settings: IdentitySettings,
  ) {
    this.audiences = [`${settings.issuer}${OAuthPaths.Token}`, settings.issuer];
  }

  async verify(
    client: Client,
    method: typeof ClientAuthMethods.PrivateKeyJwt | typeof ClientAuthMethods.ClientSecretJwt,
    jws: CompactJws,
    now: number = Date.now(),
  ): Promise<void> {
    if (method === ClientAuthMethods.PrivateKeyJwt) await this.verifyKeySignature(client, jws);
    else this.verifySecretSignature(client, jws, now);
    const checks = assertionClaimChecks({ clientId: client.clientId, audiences: this.audiences });
    const problem = firstClaimProblem(jws, checks, Math.floor(now / 1000));
    if (problem !== undefined) throw new Rejected(Failures.AssertionClaimsInvalid, problem);
    const accepted = jws.payload as unknown as AcceptedAssertionClaims;
    const key = `client-assertion:${client.clientId}:${accepted.jti}`;
    const rememberUntil = (accepted.exp + AssertionClaimRules.clockSkewSeconds) * 1000;
    let first: boolean;
    try {
      first = await this.replays.firstUse(key, rememberUntil);
    } catch (error) {
      this.logger.error(`the replay store cannot answer: ${String(error)}`);
      throw new TemporarilyUnavailable(
        'the authority cannot check the assertion now; try again shortly',
        503,
        REPLAY_STORE_RETRY_AFTER_SECONDS,
        { cause: error },
      );
    }
    if (!first) throw new Rejected(Failures.AssertionReplayed);
  }

  private async verifyKeySignature(client: Client, jws: CompactJws): Promise<void> {
    const { alg, kid } = jws.header;
    if (!isPrivateKeyJwtAlgorithm(alg))
      throw new Rejected(Failures.AssertionAlgorithmRefused, `alg ${String(alg)}`);
    if (kid !== undefined && typeof kid !== 'string')
      throw new Rejected(Failures.AssertionMalformed, 'kid is not a string');
    if (!client.jwks && !client.jwksUri) throw new Rejected(Failures.NoAssertionKeys);
    let candidates;
    try {
      candidates = await this.keys.candidates(client, alg, kid);
    } catch (error) {
      if (error instanceof ClientKeysUnavailable)
        throw new Rejected(Failures.AssertionKeysUnavailable, error.message);
      throw error;
    }
    if (candidates.length === 0)
      throw new Rejected(Failures.AssertionKeyUnknown, `kid ${String(kid)}, alg ${alg}`);
    if (
      !candidates.some(({ key }) => verifiesJwsSignature(alg, key, jws.signingInput, jws.signature))
    )
      throw new Rejected(Failures.AssertionSignatureInvalid);
  }

  private verifySecretSignature(client: Client, jws: CompactJws, now: number): void {
    const { alg } = jws.header;
    if (!isClientSecretJwtAlgorithm(alg))
      throw new Rejected(Failures.AssertionAlgorithmRefused, `alg ${String(alg)}`);
    const keys = client.secrets.filter(
      (secret) =>
        secret.hmacKey !== undefined &&
        (!secret.expiresAt || secret.expiresAt.getTime() > now) &&
        hmacKeyLongEnough(alg, secret.hmacKey),
    );
    if (keys.length === 0)
      throw new Rejected(
        Failures.NoAssertionKeys,
        `no unexpired secret readable by the server long enough for ${alg}`,
      );
    // Every candidate is checked: the time taken does not say which one matched.
    let verified = false;
    for (const { hmacKey } of keys)
      if (verifiesHmacJwsSignature(alg, hmacKey!, jws.signingInput, jws.signature)) verified = true;
    if (!verified) throw new Rejected(Failures.AssertionSignatureInvalid);
  }
}
