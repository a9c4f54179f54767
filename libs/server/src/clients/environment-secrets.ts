import type { ClientSecretDefinition, IdentityConfigFile } from '@nest-identity/shared';
import type { ClientSecret } from './client';
import { sha256 } from './secret-hash';

/**
 * Secrets the configuration file names by environment variable (`environmentVariable`) rather
 * than by hash (`value`): the server reads the secret itself, which client_secret_jwt needs to
 * check an HMAC. At least 32 bytes, so the secret is a key fit for HS256 (RFC 7518 §3.2).
 */
export const MIN_ENVIRONMENT_SECRET_BYTES = 32;

/** One problem per secret whose variable is unset or too short, with its path. */
export function environmentSecretProblems(
  config: IdentityConfigFile,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const problems: string[] = [];
  const check = (path: string, secret: ClientSecretDefinition) => {
    const name = secret.environmentVariable;
    if (name === undefined) return;
    const value = env[name];
    if (value === undefined || value === '')
      problems.push(
        `${path}.environmentVariable: ${name} is not set (fix: set ${name} in the identity's environment to the client's secret)`,
      );
    else if (Buffer.byteLength(value, 'utf8') < MIN_ENVIRONMENT_SECRET_BYTES)
      problems.push(
        `${path}.environmentVariable: ${name} holds fewer than ${MIN_ENVIRONMENT_SECRET_BYTES} bytes (fix: use a random secret of at least ${MIN_ENVIRONMENT_SECRET_BYTES} bytes, e.g. openssl rand -base64 48)`,
      );
  };
  config.clients.forEach((client, i) =>
    client.clientSecrets.forEach((secret, j) => check(`clients[${i}].clientSecrets[${j}]`, secret)),
  );
  config.apiResources.forEach((resource, i) =>
    resource.apiSecrets.forEach((secret, j) =>
      check(`apiResources[${i}].apiSecrets[${j}]`, secret),
    ),
  );
  return problems;
}

/** A validated secret definition as the stores hold it. */
export function secretOf(
  secret: ClientSecretDefinition,
  env: NodeJS.ProcessEnv = process.env,
): ClientSecret {
  const expiresAt = secret.expiration ? new Date(secret.expiration) : undefined;
  if (secret.environmentVariable !== undefined) {
    // environmentSecretProblems has checked the variable at load time.
    const value = Buffer.from(env[secret.environmentVariable] ?? '', 'utf8');
    return { sha256: sha256(value.toString('utf8')), hmacKey: value, expiresAt };
  }
  return { sha256: Buffer.from(secret.value ?? '', 'base64'), expiresAt };
}
