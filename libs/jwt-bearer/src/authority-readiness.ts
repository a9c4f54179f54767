import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { JwksClient } from 'jwks-rsa';
import { AuthorityMetadata } from './authority-metadata';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';

/**
 * Whether the resource server can validate tokens: the authority's metadata and its signing keys
 * have been obtained at least once. From then on it stays ready, because cached keys keep
 * validating while the authority is down: an identity outage must not take every API out of its
 * load balancer. Provide it in the app (next to JwtBearerModule) and call `check()` from a
 * readiness probe; until the first success, each call tries again (metadata failures are retried
 * at most every `metadataRetrySeconds`, as for token validation).
 */
@Injectable()
export class AuthorityReadiness {
  private obtained = false;
  private inFlight?: Promise<void>;

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Resolves when ready; rejects with the reason otherwise. */
  async check(): Promise<void> {
    if (this.obtained) return;
    this.inFlight ??= this.obtain().finally(() => (this.inFlight = undefined));
    await this.inFlight;
  }

  private async obtain(): Promise<void> {
    // JwtBearerModule keeps these to itself: ask the very instances the guard uses.
    const metadata = this.moduleRef.get(AuthorityMetadata, { strict: false });
    const options = this.moduleRef.get<symbol, ResolvedJwtBearerOptions>(
      RESOLVED_JWT_BEARER_OPTIONS,
      { strict: false },
    );
    const { jwksUri } = await metadata.get();
    const jwks = new JwksClient({ jwksUri, timeout: options.backchannelTimeoutSeconds * 1000 });
    // Rejects when the set holds no usable signing key.
    await jwks.getSigningKeys();
    this.obtained = true;
  }
}
