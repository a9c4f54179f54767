import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigurationError, type IdentityConfigFile, SerialQueue } from '@nest-identity/shared';
import { AuditTrail } from '../audit/audit-trail';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { clientsAlsoInDatabase, loadIdentityConfigFile } from './config-file';
import {
  ConfigurationReloadRefused,
  ConfigurationReloaded,
  type ConfigFileChanges,
} from './config-file.events';
import {
  ConfigFileClientStore,
  ConfigFileResourceStore,
  IDENTITY_CONFIG_FILE,
} from './stores/config-file.stores';
import { DatabaseClientStore } from './stores/database.client-store';

export type ReloadOutcome =
  | { readonly reloaded: true; readonly changes: ConfigFileChanges }
  | { readonly reloaded: false; readonly reason: string };

/**
 * Applies a changed IDENTITY_CONFIG without a restart (on SIGHUP: `reloadOn`). The file is read
 * and validated as at start-up, and checked against the database's client ids; then the
 * configuration-file clients, API scopes and API resources are swapped in one synchronous step,
 * so requests never wait and a lookup never sees half a file. A request already past its client
 * lookup finishes with that client. An invalid file changes nothing: the error is logged (file,
 * path, fix) and the identity keeps serving what it had.
 */
@Injectable()
export class ConfigFileReloader implements OnApplicationShutdown {
  private readonly logger = new Logger('Configuration');
  private current: IdentityConfigFile;
  /** Reloads run one after another: a signal during a reload reads the file again after it. */
  private readonly reloads = new SerialQueue();
  private stopped = false;

  constructor(
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    @Inject(IDENTITY_CONFIG_FILE) loaded: IdentityConfigFile,
    private readonly clients: ConfigFileClientStore,
    private readonly resources: ConfigFileResourceStore,
    private readonly database: DatabaseClientStore,
    @Optional() private readonly audit?: AuditTrail,
  ) {
    this.current = loaded;
  }

  /**
   * Reloads whenever the process receives `signal`. The listener stays until the process exits,
   * so a late signal during shutdown is ignored rather than killing the process mid-drain.
   */
  reloadOn(signal: NodeJS.Signals): void {
    process.on(signal, () => {
      if (!this.stopped) void this.reload();
    });
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  reload(): Promise<ReloadOutcome> {
    return this.reloads.run(() => this.reloadNow());
  }

  private async reloadNow(): Promise<ReloadOutcome> {
    const path = this.settings.configFile;
    let next: IdentityConfigFile;
    try {
      next = await loadIdentityConfigFile(path, this.settings.keys.retentionTimeMs);
      await this.refuseClientsInBoth(path, next);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error(`reload refused, the configuration in use stays: ${reason}`);
      this.audit?.record(new ConfigurationReloadRefused(path, reason));
      return { reloaded: false, reason };
    }
    const changes = compareConfigFiles(this.current, next);
    // Both in the same tick: no request can see the new clients with the old scopes.
    this.clients.replace(next);
    this.resources.replace(next);
    this.current = next;
    this.logger.log(`reloaded ${path}: ${describeChanges(changes)}`);
    this.audit?.record(new ConfigurationReloaded(path, changes));
    return { reloaded: true, changes };
  }

  private async refuseClientsInBoth(path: string, config: IdentityConfigFile): Promise<void> {
    let databaseIds: string[];
    try {
      databaseIds = await this.database.clientIds();
    } catch (error) {
      throw new ConfigurationError(path, [
        `cannot be checked against the database's clients (${(error as Error).message}) (fix: send SIGHUP again once the database answers)`,
      ]);
    }
    const problems = clientsAlsoInDatabase(config.clients, databaseIds);
    if (problems.length > 0) throw new ConfigurationError(path, problems);
  }
}

/** What a reload changes, by client id, scope name and resource name. */
export function compareConfigFiles(
  before: IdentityConfigFile,
  after: IdentityConfigFile,
): ConfigFileChanges {
  return {
    clients: compareBy(before.clients, after.clients, (client) => client.clientId),
    apiScopes: compareBy(before.apiScopes, after.apiScopes, (scope) => scope.name),
    apiResources: compareBy(before.apiResources, after.apiResources, (resource) => resource.name),
  };
}

function compareBy<T>(before: readonly T[], after: readonly T[], key: (entry: T) => string) {
  const old = new Map(before.map((entry) => [key(entry), canonical(entry)]));
  const now = new Map(after.map((entry) => [key(entry), canonical(entry)]));
  return {
    added: [...now.keys()].filter((name) => !old.has(name)),
    removed: [...old.keys()].filter((name) => !now.has(name)),
    changed: [...now]
      .filter(([name, text]) => old.has(name) && old.get(name) !== text)
      .map(([name]) => name),
  };
}

/** JSON with sorted keys: reordering a client's properties in the file changes nothing. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, entry: unknown) =>
    entry && typeof entry === 'object' && !Array.isArray(entry)
      ? Object.fromEntries(Object.entries(entry).sort(([a], [b]) => (a < b ? -1 : 1)))
      : entry,
  );
}

function describeChanges(changes: ConfigFileChanges): string {
  return (['clients', 'apiScopes', 'apiResources'] as const)
    .map((what) => {
      const { added, removed, changed } = changes[what];
      return `${what} ${added.length} added, ${removed.length} removed, ${changed.length} changed`;
    })
    .join('; ');
}
