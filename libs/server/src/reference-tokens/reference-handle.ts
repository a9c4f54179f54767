import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes: 256 bits, as base64url, 43 characters. */
const HANDLE_BYTES = 32;
const HANDLE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new reference-token handle: unguessable, opaque, URL- and header-safe. */
export function newReferenceHandle(): string {
  return randomBytes(HANDLE_BYTES).toString('base64url');
}

/** Whether `token` has the shape of one of our handles (a JWT has dots, and is longer). */
export function looksLikeReferenceHandle(token: string): boolean {
  return HANDLE_PATTERN.test(token);
}

/**
 * What the database keys a handle by: base64url(SHA-256(handle)). A plain hash suffices: the
 * handle is 256 random bits, so there is nothing to brute-force, and the lookup stays one index
 * probe.
 */
export function referenceHandleHash(handle: string): string {
  return createHash('sha256').update(handle, 'utf8').digest('base64url');
}
