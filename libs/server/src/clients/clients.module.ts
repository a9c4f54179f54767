import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { ClientStore } from './client-store';
import { loadIdentityConfigFile } from './config-file';
import { ConfigFileReloader } from './config-file-reloader';
import { ResourceStore } from './resource-store';
import { CompositeClientStore } from './stores/composite.client-store';
import {
  ConfigFileClientStore,
  ConfigFileResourceStore,
  IDENTITY_CONFIG_FILE,
} from './stores/config-file.stores';
import { DatabaseClientStore } from './stores/database.client-store';

export interface ClientsModuleOptions {
  /** Binds the abstract ClientStore; defaults to the configuration file's and the database's. */
  clientStore?: Type<ClientStore>;
  /** Binds the abstract ResourceStore; defaults to the configuration file's scopes and resources. */
  resourceStore?: Type<ResourceStore>;
}

/**
 * Registered clients, API scopes and API resources. Client authentication is not here but in
 * ClientAuthenticationModule, which only the OAuth endpoints import: the CLI loads this module.
 */
@Module({})
export class ClientsModule {
  static forRoot(options: ClientsModuleOptions = {}): DynamicModule {
    return {
      module: ClientsModule,
      global: true,
      providers: [
        {
          provide: IDENTITY_CONFIG_FILE,
          inject: [identitySettings.KEY],
          useFactory: (settings: IdentitySettings) =>
            loadIdentityConfigFile(settings.configFile, settings.keys.retentionTimeMs),
        },
        ConfigFileClientStore,
        ConfigFileResourceStore,
        DatabaseClientStore,
        { provide: ClientStore, useClass: options.clientStore ?? CompositeClientStore },
        options.resourceStore
          ? { provide: ResourceStore, useClass: options.resourceStore }
          : { provide: ResourceStore, useExisting: ConfigFileResourceStore },
        ConfigFileReloader,
      ],
      exports: [
        ClientStore,
        ResourceStore,
        DatabaseClientStore,
        // Client management shows the file's clients and refuses to change them.
        ConfigFileClientStore,
        ConfigFileReloader,
      ],
    };
  }
}
