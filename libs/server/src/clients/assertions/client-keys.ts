import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { jwkFitsAlgorithm, jwksUriProblem, MaxJwkSetKeys } from '@nest-identity/shared';
import type { JsonWebKeyMembers } from '@nest-identity/shared';
import type { Client } from '../client';

/** A registered public key, parsed once. */
export interface ClientKey {
  readonly jwk: JsonWebKeyMembers;
  readonly key: KeyObject;
}

/** The client's `jwks_uri` could not be read (down, slow, not a JWK Set): not the caller's fault alone. */
export class ClientKeysUnavailable extends Error {}

/** How the identity treats the JWK Sets clients publish at a `jwksUri`. */
export interface JwksUriPolicy {
  /** A fetched set is used this long, then fetched again when an assertion needs it. */
  readonly maxAgeMs: number;
  /** After a fetch, an unknown `kid` does not fetch again for this long: a flood of made-up kids
   * costs the client's server one request per cooldown, not one per assertion. */
  readonly refetchCooldownMs: number;
  readonly timeoutMs: number;
  /** The largest JWK Set body read. */
  readonly maxBytes: number;
  readonly maxRedirects: number;
  /** Sets remembered at once (one per jwksUri); the oldest is dropped past it. */
  readonly maxEntries: number;
}

export const DefaultJwksUriPolicy: JwksUriPolicy = {
  maxAgeMs: 5 * 60_000,
  refetchCooldownMs: 10_000,
  timeoutMs: 3000,
  maxBytes: 64 * 1024,
  maxRedirects: 3,
  maxEntries: 1000,
};

interface CachedSet {
  keys: readonly ClientKey[];
  fetchedAt: number;
  /** A fetch under way: concurrent assertions wait for the same one. */
  pending?: Promise<readonly ClientKey[]>;
}

/**
 * A client's registered public keys for private_key_jwt: its inline `jwks`, or the set at its
 * `jwksUri`, fetched with a timeout, cached, fetched again when it is old or (at most once per
 * cooldown) when an assertion names a `kid` it does not hold. While the URI cannot be read, the
 * last set read keeps working.
 */
export class ClientKeys {
  private readonly logger = new Logger('ClientKeys');
  private readonly inline = new WeakMap<object, readonly ClientKey[]>();
  private readonly fetched = new Map<string, CachedSet>();

  constructor(
    /** In production a jwksUri (and every redirect) must be https. */
    private readonly production: boolean,
    private readonly policy: JwksUriPolicy = DefaultJwksUriPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** The client's keys that may verify `alg` (and carry `kid`, when the assertion names one). */
  async candidates(client: Client, alg: string, kid: string | undefined): Promise<ClientKey[]> {
    const pick = (keys: readonly ClientKey[]) =>
      keys.filter(({ jwk }) => (kid === undefined || jwk.kid === kid) && fitsAlgorithm(jwk, alg));
    if (client.jwks) return pick(this.parseInline(client.jwks));
    if (!client.jwksUri) return [];
    const uri = client.jwksUri;
    const found = pick(await this.fetchedKeys(uri, false));
    if (found.length > 0 || kid === undefined) return found;
    // An unknown kid: the client may have rotated since the last fetch.
    return pick(await this.fetchedKeys(uri, true));
  }

  private parseInline(jwks: NonNullable<Client['jwks']>): readonly ClientKey[] {
    let keys = this.inline.get(jwks);
    if (!keys) {
      keys = parseKeys(jwks.keys);
      this.inline.set(jwks, keys);
    }
    return keys;
  }

  private async fetchedKeys(uri: string, unknownKid: boolean): Promise<readonly ClientKey[]> {
    const now = this.now();
    const cached = this.fetched.get(uri);
    if (cached) {
      if (cached.pending) return cached.pending;
      const age = now - cached.fetchedAt;
      const fresh = unknownKid ? age < this.policy.refetchCooldownMs : age < this.policy.maxAgeMs;
      if (fresh) return cached.keys;
    }
    const entry: CachedSet = cached ?? { keys: [], fetchedAt: 0 };
    entry.pending = this.fetchSet(uri)
      .then((keys) => {
        entry.keys = keys;
        return keys;
      })
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.warn(`the JWK Set at ${uri} cannot be read: ${reason}`);
        // The last set read keeps working; with none, the assertion cannot be checked.
        if (entry.keys.length > 0) return entry.keys;
        throw new ClientKeysUnavailable(reason);
      })
      .finally(() => {
        // Failures count too: a down server is not asked again before the cooldown.
        entry.fetchedAt = this.now();
        entry.pending = undefined;
      });
    this.remember(uri, entry);
    return entry.pending;
  }

  private remember(uri: string, entry: CachedSet): void {
    this.fetched.delete(uri);
    this.fetched.set(uri, entry);
    if (this.fetched.size > this.policy.maxEntries) {
      const oldest = this.fetched.keys().next().value;
      if (oldest !== undefined) this.fetched.delete(oldest);
    }
  }

  private async fetchSet(uri: string): Promise<readonly ClientKey[]> {
    const signal = AbortSignal.timeout(this.policy.timeoutMs);
    let url = uri;
    for (let hop = 0; ; hop++) {
      const problem = jwksUriProblem(url, this.production);
      if (problem) throw new Error(`the URL ${url} ${problem}`);
      const response = await fetch(url, {
        redirect: 'manual',
        signal,
        headers: { accept: 'application/jwk-set+json, application/json' },
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (hop >= this.policy.maxRedirects) throw new Error('too many redirects');
        url = new URL(location, url).toString();
        continue;
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      const text = await readLimited(response, this.policy.maxBytes);
      return parseFetchedSet(text);
    }
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`the body is larger than ${maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) throw new Error(`the body is larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Keys for other uses (encryption) or of other types are skipped; a private key is refused. */
function parseFetchedSet(text: string): readonly ClientKey[] {
  let set: unknown;
  try {
    set = JSON.parse(text);
  } catch {
    throw new Error('the body is not JSON');
  }
  const keys = (set as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('the body is not a JWK Set');
  if (keys.length > MaxJwkSetKeys) throw new Error(`the set has more than ${MaxJwkSetKeys} keys`);
  const objects = keys.filter(
    (key): key is JsonWebKeyMembers => typeof key === 'object' && key !== null,
  );
  if (objects.some((key) => ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'].some((m) => m in key)))
    throw new Error('the set holds a private or secret key');
  return parseKeys(objects);
}

/** The keys node:crypto can import; the registration checks have refused the others already. */
function parseKeys(jwks: readonly JsonWebKeyMembers[]): readonly ClientKey[] {
  const keys: ClientKey[] = [];
  for (const jwk of jwks) {
    try {
      keys.push({ jwk, key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }) });
    } catch {
      // Not a key we can use (another kty, a malformed member): never a candidate.
    }
  }
  return keys;
}

/** The key's type and curve fit `alg`, and its own `alg`, `use` and `key_ops` allow it. */
function fitsAlgorithm(jwk: JsonWebKeyMembers, alg: string): boolean {
  if (!jwkFitsAlgorithm(jwk, alg)) return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify')))
    return false;
  return true;
}
