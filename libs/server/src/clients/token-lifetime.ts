import {
  AccessTokenTypes,
  type AccessTokenType,
  type IdentityConfigFile,
} from '@nest-identity/shared';

/**
 * A JWT access token validates only while its signing key is published, and a key stays
 * published IDENTITY_KEY_RETENTION_TIME after it stops signing (docs/keys.md). A token signed
 * just before a rotation therefore lives at most that long: a client whose `accessTokenLifetime`
 * is longer would get tokens that die before their `exp`. Reference tokens are looked up, not
 * verified with a key, and may live longer.
 *
 * Why `lifetimeSeconds` is refused for this client, or undefined when it fits.
 */
export function tokenLifetimeProblem(
  clientId: string,
  lifetimeSeconds: number,
  tokenType: AccessTokenType,
  keyRetentionMs: number,
): string | undefined {
  if (tokenType !== AccessTokenTypes.Jwt || lifetimeSeconds * 1000 <= keyRetentionMs)
    return undefined;
  const retention = Math.floor(keyRetentionMs / 1000);
  return `${lifetimeSeconds} s is longer than IDENTITY_KEY_RETENTION_TIME (${retention} s), how long a signing key stays published after it stops signing: tokens of the client "${clientId}" would stop validating before they expire (fix: set accessTokenLifetime to at most ${retention}, or raise IDENTITY_KEY_RETENTION_TIME)`;
}

/** One problem per configuration-file client whose tokens would outlive their signing key. */
export function tokenLifetimeProblems(
  config: IdentityConfigFile,
  keyRetentionMs: number,
): string[] {
  return config.clients.flatMap((client, i) => {
    const problem = tokenLifetimeProblem(
      client.clientId,
      client.accessTokenLifetime,
      client.accessTokenType,
      keyRetentionMs,
    );
    return problem ? [`clients[${i}].accessTokenLifetime: ${problem}`] : [];
  });
}
