import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The counters of the throttles and the client lock-out, when replicas share them through
 * PostgreSQL. Created on SQLite too (one set of migrations), where nothing uses it.
 */
export class RateCounters1764200000000 implements MigrationInterface {
  name = 'RateCounters1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'identity_rate_counters',
        columns: [
          { name: 'counter_key', type: 'varchar', length: '255', isPrimary: true },
          { name: 'hits', type: 'integer' },
          { name: 'window_ends_at', type: 'bigint' },
          { name: 'blocked_until', type: 'bigint' },
          { name: 'strikes', type: 'integer' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [{ name: 'identity_rate_counters_expires_at', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_rate_counters');
  }
}
