import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A database client's secret may also be kept encrypted (AES-256-GCM under
 * IDENTITY_KEY_ENCRYPTION_KEY), so the server can check a client_secret_jwt HMAC with it. Null
 * for every other secret: those are kept only as their SHA-256.
 */
export class ClientSecretJwt1764510000000 implements MigrationInterface {
  name = 'ClientSecretJwt1764510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'identity_client_secrets',
      new TableColumn({ name: 'jwt_secret', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('identity_client_secrets', 'jwt_secret');
  }
}
