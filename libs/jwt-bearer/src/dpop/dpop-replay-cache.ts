import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_JWT_BEARER_OPTIONS } from '../jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from '../jwt-bearer.options';

/**
 * The proof `jti`s seen (RFC 9449 §11.1), each until the proof could no longer be accepted
 * anyway. In memory, per process: behind several replicas a proof could be replayed once at each
 * of the others within its lifetime (a shared store would close that; the proof is still bound
 * to the token, the method and the URL). Bounded: when full, expired entries are swept; if it is
 * still full, `firstUse` answers undefined and the caller refuses rather than forgets a `jti`.
 */
@Injectable()
export class DPoPReplayCache {
  /** Key → expiry (epoch ms). */
  private readonly seen = new Map<string, number>();
  private readonly maxEntries: number;

  constructor(@Inject(RESOLVED_JWT_BEARER_OPTIONS) options: ResolvedJwtBearerOptions) {
    this.maxEntries = options.dpop.replayCacheSize;
  }

  get size(): number {
    return this.seen.size;
  }

  /** True the first time `key` is seen, false on a replay, undefined when there is no room. */
  firstUse(key: string, expiresAt: number, now: number = Date.now()): boolean | undefined {
    const expiry = this.seen.get(key);
    if (expiry !== undefined && expiry > now) return false;
    if (expiry === undefined && this.seen.size >= this.maxEntries) {
      this.sweep(now);
      if (this.seen.size >= this.maxEntries) return undefined;
    }
    this.seen.set(key, expiresAt);
    return true;
  }

  private sweep(now: number): void {
    for (const [key, expiry] of this.seen) if (expiry <= now) this.seen.delete(key);
  }
}
