import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigurationError } from '@nest-identity/shared';
import { identitySettings, type IdentitySettings } from '../../config/identity-settings';
import type { Client } from '../client';
import { ClientStore } from '../client-store';
import { clientsAlsoInDatabase } from '../config-file';
import { ConfigFileClientStore } from './config-file.stores';
import { DatabaseClientStore } from './database.client-store';

/**
 * The clients of the configuration file (read-only) and of the database (managed), as one
 * store. A client id may live in only one of them: both is a start-up error, never a silent
 * choice of one over the other.
 */
@Injectable()
export class CompositeClientStore extends ClientStore implements OnApplicationBootstrap {
  constructor(
    private readonly configured: ConfigFileClientStore,
    private readonly database: DatabaseClientStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const problems = clientsAlsoInDatabase(
      this.configured.definitions(),
      await this.database.clientIds(),
    );
    if (problems.length > 0) throw new ConfigurationError(this.settings.configFile, problems);
  }

  async findClientById(clientId: string): Promise<Client | undefined> {
    return (
      (await this.configured.findClientById(clientId)) ?? this.database.findClientById(clientId)
    );
  }
}
