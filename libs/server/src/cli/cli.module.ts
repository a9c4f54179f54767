import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ClientManagementModule } from '../clients/management/client-management.module';
import { ClientsModule } from '../clients/clients.module';
import { DatabaseClientStore } from '../clients/stores/database.client-store';
import { IdentitySettingsModule } from '../config/identity-settings.module';
import { KeysModule } from '../keys/keys.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { CliAuditLog } from './cli-audit-log';
import { CliOutput, ProcessOutput } from './cli-output';
import { CLI_COMMANDS } from './cli-commands';
import { CommanderTree } from './commander-tree';

export interface CliModuleOptions {
  output?: CliOutput;
}

/**
 * The identity's command line: the same settings (IDENTITY_CONFIG, IDENTITY_DATA_DIR,
 * DATABASE_URL) and database as the server, without the HTTP server or token endpoint; keys only
 * through their manager (list, forced rotation, revocation, encryption), never the signing store
 * or its timer. Audit events (actor `cli`) go to stderr as JSON lines (CliAuditLog).
 * Its client store is the database's alone, not the server's composite: a client id that the
 * configuration file and the database both define stops the server, and the CLI must still start
 * to delete it.
 */
@Module({})
export class CliModule {
  static forRoot(options: CliModuleOptions = {}): DynamicModule {
    return {
      module: CliModule,
      imports: [
        IdentitySettingsModule.fromProcessEnvironment(),
        AuditModule.forRoot({ log: false }),
        PersistenceModule,
        ClientsModule.forRoot({ clientStore: DatabaseClientStore }),
        ClientManagementModule.forRoot(),
        KeysModule.forManagement(),
      ],
      providers: [
        { provide: CliOutput, useValue: options.output ?? new ProcessOutput() },
        CliAuditLog,
        CommanderTree,
        ...CLI_COMMANDS,
      ],
    };
  }
}
