/**
 * The functions that register and manage OAuth clients: their owners' (with a session) and RFC 7592's
 * (with the registration access token). Part of infra/routes.ts's one list of functions, kept here so
 * that list stays readable; routes.ts spreads them in.
 */
import type { FunctionDefinition } from './function-definition.ts';

export const CLIENT_FUNCTIONS = {
  clientCreate: {
    entry: 'functions/handlers/clients/create.ts',
    description: 'POST /client: register an OAuth client for the logged-in user (RFC 7591 metadata)',
    tables: {
      sessions: { actions: ['GetItem'] },
      // The count on the owner's user item and the client, in one transaction; an owner registered
      // before clients were counted is counted once from the byOwner index.
      users: { actions: ['UpdateItem'] },
      clients: { actions: ['Query', 'PutItem'], indexes: ['byOwner'] },
      registrationLimits: { actions: ['UpdateItem'] },
    },
    keys: 'publish',
  },
  clientList: {
    entry: 'functions/handlers/clients/list.ts',
    description: 'GET /client: the logged-in user’s OAuth clients, without secrets',
    tables: {
      sessions: { actions: ['GetItem'] },
      clients: { actions: ['Query'], indexes: ['byOwner'] },
    },
    keys: 'publish',
  },
  clientDelete: {
    entry: 'functions/handlers/clients/delete.ts',
    description:
      'DELETE /client/{client_id}: delete a client (its owner’s session or its RFC 7592 registration access token) and every grant issued to it',
    tables: {
      sessions: { actions: ['GetItem'] },
      // GetItem: the client whose registration access token is presented. Query (bySub): its owner's
      // user item, whose count the deletion decrements.
      clients: { actions: ['GetItem', 'DeleteItem'] },
      users: { actions: ['Query', 'UpdateItem'], indexes: ['bySub'] },
      grants: { actions: ['Query', 'DeleteItem'], indexes: ['byClient'] },
    },
    keys: 'publish',
  },
  clientConfiguration: {
    entry: 'functions/handlers/clients/configuration.ts',
    description:
      'GET and PUT /client/{client_id}: RFC 7592 read and update with the registration access token',
    tables: {
      // The client (GetItem), then one conditional UpdateItem that rotates its token (and its metadata).
      clients: { actions: ['GetItem', 'UpdateItem'] },
    },
    keys: 'publish',
  },
  clientSecret: {
    entry: 'functions/handlers/clients/secret.ts',
    description: 'POST /client/{client_id}/secret: rotate a confidential client’s secret',
    tables: {
      sessions: { actions: ['GetItem'] },
      clients: { actions: ['UpdateItem'] },
    },
    keys: 'publish',
  },
} as const satisfies Record<string, FunctionDefinition>;
