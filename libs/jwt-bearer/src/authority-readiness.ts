import { Injectable } from '@nestjs/common';
import { SigningKeyResolver } from './signing-key-resolver';

/**
 * Whether the resource server can validate tokens: the authority's metadata and its signing keys
 * have been obtained at least once. From then on it stays ready, because cached keys keep
 * validating while the authority is down: an identity outage must not take every API out of its
 * load balancer. JwtBearerModule provides it; call `check()` from a readiness probe. Until the
 * first success each call asks again (no more often than `metadataRetrySeconds`), and the keys it
 * obtains are the very ones the guard then uses.
 */
@Injectable()
export class AuthorityReadiness {
  constructor(private readonly keys: SigningKeyResolver) {}

  /** Resolves when ready; rejects with the reason otherwise. */
  check(): Promise<void> {
    return this.keys.ensureFetched();
  }
}
