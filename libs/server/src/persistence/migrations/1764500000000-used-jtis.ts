import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * One-time values already presented (client assertion and DPoP proof `jti`s), so every replica
 * and worker refuses a replay: the ReplayCache when REDIS_URL is not set. The key is a SHA-256
 * (hex) of the caller's namespaced key; a row may be replaced once it has expired.
 */
export class UsedJtis1764500000000 implements MigrationInterface {
  name = 'UsedJtis1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'identity_used_jtis',
        columns: [
          { name: 'key_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [{ name: 'identity_used_jtis_expires_at', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_used_jtis');
  }
}
