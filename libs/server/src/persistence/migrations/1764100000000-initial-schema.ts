import { Table, TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Clients, their secrets, signing keys and the change counter. Written with TypeORM's Table API,
 * so one migration serves SQLite and PostgreSQL.
 */
export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'identity_clients',
        columns: [
          { name: 'client_id', type: 'varchar', length: '200', isPrimary: true },
          { name: 'client_name', type: 'varchar', length: '200', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'enabled', type: 'boolean' },
          { name: 'allowed_grant_types', type: 'text' },
          { name: 'allowed_scopes', type: 'text' },
          { name: 'access_token_lifetime', type: 'integer' },
          { name: 'claims', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_client_secrets',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '200' },
          { name: 'sha256', type: 'varchar', length: '44' },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'expires_at', type: 'bigint', isNullable: true },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [{ name: 'identity_client_secrets_client_id', columnNames: ['client_id'] }],
      }),
    );
    await queryRunner.createForeignKey(
      'identity_client_secrets',
      new TableForeignKey({
        name: 'identity_client_secrets_client_fk',
        columnNames: ['client_id'],
        referencedTableName: 'identity_clients',
        referencedColumnNames: ['client_id'],
        onDelete: 'CASCADE',
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_signing_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'generation', type: 'integer', isUnique: true },
          { name: 'alg', type: 'varchar', length: '10' },
          { name: 'private_key', type: 'text' },
          { name: 'public_jwk', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'activates_at', type: 'bigint' },
          { name: 'retires_at', type: 'bigint' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_store_version',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'version', type: 'bigint' },
        ],
      }),
    );
    await queryRunner.query('INSERT INTO identity_store_version (id, version) VALUES (1, 0)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_store_version');
    await queryRunner.dropTable('identity_signing_keys');
    await queryRunner.dropTable('identity_client_secrets');
    await queryRunner.dropTable('identity_clients');
  }
}
