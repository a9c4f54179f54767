import { createHash } from 'node:crypto';

/**
 * What a shared store keeps of a caller's key (`client-assertion:<client>:<jti>`): its SHA-256,
 * fixed-length whatever the client sent, and no client-chosen text in the store.
 */
export function replayKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
