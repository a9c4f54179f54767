import { AuditEvent } from '../audit/audit-events';

/** What a reload of the configuration file changed: names, never a secret or its hash. */
export interface ConfigFileChanges {
  readonly clients: NameChanges;
  readonly apiScopes: NameChanges;
  readonly apiResources: NameChanges;
}

export interface NameChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** IDENTITY_CONFIG was re-read (SIGHUP) and its clients, scopes and resources now apply. */
export class ConfigurationReloaded extends AuditEvent {
  readonly name = 'audit.configuration.reloaded';
  constructor(
    readonly file: string,
    readonly changes: ConfigFileChanges,
  ) {
    super();
  }
}

/** IDENTITY_CONFIG was re-read but refused; the configuration in use stays. */
export class ConfigurationReloadRefused extends AuditEvent {
  readonly name = 'audit.configuration.reload_refused';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super();
  }
}
