import { ReplayCache } from './replay-cache';

/** Past this many live keys the expired ones are swept; a flood cannot grow the map forever. */
const SWEEP_THRESHOLD = 100_000;

/** One process's memory: for a single identity process (the embedded default). */
export class MemoryReplayCache extends ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  firstUse(key: string, expiresAt: number): Promise<boolean> {
    const now = this.now();
    const known = this.seen.get(key);
    if (known !== undefined && known > now) return Promise.resolve(false);
    if (this.seen.size >= SWEEP_THRESHOLD) this.sweep(now);
    this.seen.set(key, expiresAt);
    return Promise.resolve(true);
  }

  private sweep(now: number): void {
    for (const [key, expiresAt] of this.seen) if (expiresAt <= now) this.seen.delete(key);
  }
}
