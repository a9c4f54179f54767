import type { Client } from './client';

/**
 * Where clients come from. Abstract class, so it is also the DI token: a database store replaces
 * the configuration-file one through `ClientsModule.forRoot({ clientStore })`.
 */
export abstract class ClientStore {
  abstract findClientById(clientId: string): Promise<Client | undefined>;
}
