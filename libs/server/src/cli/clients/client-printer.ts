import type { AddedSecret, ClientView, SecretView } from '../../clients/management/client-views';

/** Human-readable views of clients and secrets (`--json` prints the objects themselves). */

const NONE = '-';

export function clientTable(clients: readonly ClientView[]): string[] {
  if (clients.length === 0) return ['no clients'];
  const rows = [
    ['CLIENT ID', 'SOURCE', 'ENABLED', 'GRANT TYPES', 'SCOPES', 'SECRETS'],
    ...clients.map((client) => [
      client.clientId,
      client.source,
      yesNo(client.enabled),
      list(client.allowedGrantTypes),
      list(client.allowedScopes),
      String(client.secrets.length),
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  '),
  );
}

export function clientDetails(client: ClientView, now = new Date()): string[] {
  const fields: [string, string][] = [
    ['client id', client.clientId],
    ['source', client.source === 'configuration' ? 'configuration file (read-only)' : 'database'],
    ['enabled', yesNo(client.enabled)],
    ['name', client.clientName ?? NONE],
    ['description', client.description ?? NONE],
    ['grant types', list(client.allowedGrantTypes)],
    ['scopes', list(client.allowedScopes)],
    ['token lifetime', `${client.accessTokenLifetime} s`],
    ['claims', list(client.claims.map(({ type, value }) => `${type}=${value}`))],
  ];
  if (client.createdAt) fields.push(['created', client.createdAt]);
  if (client.updatedAt) fields.push(['updated', client.updatedAt]);
  const width = Math.max(...fields.map(([name]) => name.length)) + 1;
  return [
    ...fields.map(([name, value]) => `${`${name}:`.padEnd(width)} ${value}`),
    `secrets:${client.secrets.length === 0 ? ' none (the client cannot authenticate)' : ''}`,
    ...client.secrets.map((secret) => `  ${secretLine(secret, now)}`),
  ];
}

export function secretLine(secret: SecretView, now = new Date()): string {
  const expiry =
    secret.expiration === null
      ? 'never expires'
      : `${new Date(secret.expiration) <= now ? 'expired' : 'expires'} ${secret.expiration}`;
  return [
    secret.id ?? '(configuration)',
    expiry,
    ...(secret.createdAt ? [`created ${secret.createdAt}`] : []),
    ...(secret.description ? [JSON.stringify(secret.description)] : []),
  ].join('  ');
}

/** The one-time secret: stdout gets the secret, stderr the warning, so `> file` keeps only it. */
export const SECRET_WARNING =
  'Store this secret now: it is shown only this once, and the identity keeps only its hash.';

export function addedSecretLines(added: AddedSecret): string[] {
  return [`secret id: ${added.id}`, ...(added.secret ? [`secret:    ${added.secret}`] : [])];
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function list(values: readonly string[]): string {
  return values.length === 0 ? NONE : values.join(' ');
}
