import type { ValidationIssue } from '@nest-identity/shared';

/**
 * Why a client-management operation was refused, as a stable code. The admin API renders each
 * code as a problem document (RFC 9457) and the CLI as one line; neither parses messages.
 */
export type ClientManagementErrorCode =
  'client_not_found' | 'secret_not_found' | 'client_exists' | 'client_read_only' | 'invalid_input';

/** A refused operation: what the caller asked for is wrong, never a fault of the server. */
export abstract class ClientManagementError extends Error {
  abstract readonly code: ClientManagementErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ClientNotFound extends ClientManagementError {
  readonly code = 'client_not_found';

  constructor(readonly clientId: string) {
    super(`there is no client "${clientId}"`);
  }
}

export class SecretNotFound extends ClientManagementError {
  readonly code = 'secret_not_found';

  constructor(
    readonly clientId: string,
    readonly secretId: string,
  ) {
    super(`the client "${clientId}" has no secret "${secretId}"`);
  }
}

export class ClientExists extends ClientManagementError {
  readonly code = 'client_exists';

  constructor(
    readonly clientId: string,
    where: 'configuration' | 'database',
  ) {
    super(
      where === 'configuration'
        ? `the client "${clientId}" already exists in the configuration file`
        : `the client "${clientId}" already exists`,
    );
  }
}

/** Configuration-file clients change only by editing the file and restarting. */
export class ClientReadOnly extends ClientManagementError {
  readonly code = 'client_read_only';

  constructor(readonly clientId: string) {
    super(
      `the client "${clientId}" comes from the configuration file and is read-only: edit the file instead`,
    );
  }
}

/** The input broke one or more rules; each issue names its path (`claims[1].type`). */
export class InvalidClientInput extends ClientManagementError {
  readonly code = 'invalid_input';

  constructor(readonly issues: readonly ValidationIssue[]) {
    super(
      `invalid input: ${issues.map(({ path, message }) => (path ? `${path}: ${message}` : message)).join('; ')}`,
    );
  }
}
