import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { dataSourceOptions } from './data-source-options';
import { IDENTITY_DATA_SOURCE } from './identity-data-source';
import { runMigrations } from './migrate';
import { StoreChanges } from './store-changes';
import { StoreWriter } from './store-writer';

/**
 * The identity's database: SQLite in IDENTITY_DATA_DIR, or PostgreSQL when DATABASE_URL is set.
 * Migrations run before anything reads it.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      name: IDENTITY_DATA_SOURCE,
      inject: [identitySettings.KEY],
      // The name again in the options: @nestjs/typeorm finds the data source by it at shutdown.
      useFactory: (settings: IdentitySettings) => ({
        ...dataSourceOptions(settings),
        name: IDENTITY_DATA_SOURCE,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        await runMigrations(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [StoreChanges, StoreWriter],
  exports: [StoreChanges, StoreWriter],
})
export class PersistenceModule {}
