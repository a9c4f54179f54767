import { createHash } from 'node:crypto';

/** Longer trackers are hashed, so a key always fits the stores' 255-character column. */
const MAX_TRACKER_LENGTH = 128;

/**
 * The key layout, the same in every store (Redis adds its key prefix in front):
 * `throttle:<throttler>:<tracker>` (throttler `address` or `client`), `lockout:<address> <client
 * id>` (an address never holds a space, so the pair reads one way only), `lockout-id: <client id>`.
 * A tracker longer than 128 characters becomes `sha256:<base64url digest>`.
 */
export const counterKeys = {
  throttle: (throttler: string, tracker: string): string =>
    `throttle:${throttler}:${bounded(tracker)}`,
  lockout: (clientId: string, address: string): string =>
    `lockout:${bounded(`${address} ${clientId}`)}`,
  // The leading space keeps a short id spelled `sha256:…` apart from a long id's digest.
  lockoutId: (clientId: string): string => `lockout-id:${bounded(` ${clientId}`)}`,
};

function bounded(tracker: string): string {
  if (tracker.length <= MAX_TRACKER_LENGTH) return tracker;
  return `sha256:${createHash('sha256').update(tracker).digest('base64url')}`;
}
