import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 7: reference tokens (stored by the hash of their handle, with their claims) and the
 * deny-list of revoked JWTs (by `jti`). Both carry their expiry, which the purge deletes by.
 */
export class ReferenceTokens1764400000000 implements MigrationInterface {
  name = 'ReferenceTokens1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'identity_reference_tokens',
        columns: [
          { name: 'handle_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '200' },
          { name: 'claims', type: 'text' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [{ name: 'identity_reference_tokens_expires_at', columnNames: ['expires_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_revoked_tokens',
        columns: [
          { name: 'jti', type: 'varchar', length: '255', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '200' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [{ name: 'identity_revoked_tokens_expires_at', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_revoked_tokens');
    await queryRunner.dropTable('identity_reference_tokens');
  }
}
