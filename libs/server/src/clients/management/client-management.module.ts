import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { ClientManagementService } from './client-management.service';
import { GrantTypeCatalog, KnownGrantTypes } from './grant-type-catalog';

export interface ClientManagementModuleOptions {
  /** Modules that provide `grantTypes`. */
  imports?: ModuleMetadata['imports'];
  /**
   * What lists the grant types a client may be allowed (anything with `grantTypes()`, such as
   * the token endpoint's GrantHandlerRegistry); defaults to the grant types this project ships.
   */
  grantTypes?: Type<{ grantTypes(): readonly string[] }>;
}

/**
 * Managing database clients, for the admin API and the CLI. Needs the PersistenceModule and
 * ClientsModule (both global) of the application it is imported into.
 */
@Module({})
export class ClientManagementModule {
  static forRoot(options: ClientManagementModuleOptions = {}): DynamicModule {
    return {
      module: ClientManagementModule,
      imports: options.imports ?? [],
      providers: [
        ClientManagementService,
        options.grantTypes
          ? { provide: GrantTypeCatalog, useExisting: options.grantTypes }
          : { provide: GrantTypeCatalog, useClass: KnownGrantTypes },
      ],
      exports: [ClientManagementService],
    };
  }
}
