import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Client } from '../client';
import { ClientStore } from '../client-store';
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
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const inConfiguration = new Set(this.configured.clientIds());
    const inBoth = (await this.database.clientIds()).filter((id) => inConfiguration.has(id));
    if (inBoth.length > 0) {
      throw new Error(
        `the client id ${inBoth.join(', ')} is defined both in the configuration file and in the database; remove it from one (npm run identity -- clients delete <id>)`,
      );
    }
  }

  async findClientById(clientId: string): Promise<Client | undefined> {
    return (
      (await this.configured.findClientById(clientId)) ?? this.database.findClientById(clientId)
    );
  }
}
