import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientSecret } from './client';

/** SHA-256 of a secret: the form the configuration file holds (base64) and every store keeps. */
export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** base64(SHA-256(secret)), as IdentityServer's `"secret".Sha256()` and `npm run hash-secret`. */
export function hashSecret(secret: string): string {
  return sha256(secret).toString('base64');
}

/**
 * Whether a presented secret matches one of the client's unexpired secrets. Hashing first gives
 * equal-length inputs to timingSafeEqual, so the comparison takes the same time wherever the
 * bytes differ.
 */
export function matchesAnySecret(
  presented: string,
  secrets: readonly ClientSecret[],
  now: Date,
): boolean {
  const digest = sha256(presented);
  let matched = false;
  for (const secret of secrets) {
    if (secret.expiresAt && secret.expiresAt <= now) continue;
    // No early exit: every unexpired secret is compared.
    if (timingSafeEqual(digest, secret.sha256)) matched = true;
  }
  return matched;
}
