import { getDataSourceToken } from '@nestjs/typeorm';

/**
 * The name of the identity's TypeORM data source. Named, not TypeORM's default, so that a host
 * app mounting the authority keeps its own default data source (docs/extending.md).
 */
export const IDENTITY_DATA_SOURCE = 'identity';

/** The DI token of the identity's DataSource, for factory providers' `inject`. */
export const IdentityDataSourceToken = getDataSourceToken(IDENTITY_DATA_SOURCE);
