import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { ClientAuthenticator } from './client-authenticator';
import { ClientStore } from './client-store';
import { loadIdentityConfigFile } from './config-file';
import { ResourceStore } from './resource-store';
import {
  ConfigFileClientStore,
  ConfigFileResourceStore,
  IDENTITY_CONFIG_FILE,
} from './stores/config-file.stores';

export interface ClientsModuleOptions {
  /** Binds the abstract ClientStore; defaults to the configuration file's clients. */
  clientStore?: Type<ClientStore>;
  /** Binds the abstract ResourceStore; defaults to the configuration file's scopes and resources. */
  resourceStore?: Type<ResourceStore>;
}

/** Registered clients, API scopes and API resources, and client authentication. */
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
          useFactory: (settings: IdentitySettings) => loadIdentityConfigFile(settings.configFile),
        },
        { provide: ClientStore, useClass: options.clientStore ?? ConfigFileClientStore },
        { provide: ResourceStore, useClass: options.resourceStore ?? ConfigFileResourceStore },
        ClientAuthenticator,
      ],
      exports: [ClientStore, ResourceStore, ClientAuthenticator],
    };
  }
}
