/**
 * The OAuth client registry: logged-in users register third-party apps in RFC 7591's metadata shape
 * (validated in `metadata.ts`), list and delete their own, and rotate a confidential client's secret.
 */
import { randomBytes } from 'node:crypto';
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidRequest, NotFound, OAuthError } from '#core/errors';
import type { SecurityEvents } from '#core/observability';
import { randomSecret, sha256 } from '#core/secrets';
import { validateClientMetadata } from './metadata.ts';
import { type ClientRecord, isClientId } from './records.ts';
import { newRegistrationAccessToken } from './registration-tokens.ts';

export const MAX_CLIENTS_PER_OWNER = 50;

/**
 * The owner already has the maximum number of clients. Not `invalid_client_metadata`: nothing in the
 * request is wrong and the same request succeeds once a client is deleted, which is what 409 says.
 */
export class TooManyClients extends OAuthError {
  readonly status = 409;
  readonly code = 'too_many_clients';
}

/** The user who registers and deletes clients: `sub` owns them, `username` keys the user item that counts them. */
export interface ClientOwner {
  sub: string;
  username: string;
}

/** What the registry needs of storage; every write that depends on ownership is conditional on it. */
export interface ClientStore {
  /**
   * Stores a new client (never over an existing id) and counts it against its owner's `limit`, in one
   * atomic write, so that no burst can exceed the limit; `limit_reached` when the owner has `limit`.
   */
  createClient(client: ClientRecord, owner: ClientOwner, limit: number): Promise<'created' | 'limit_reached'>;
  /** The owner's clients, oldest first. */
  listClients(owner: string): Promise<ClientRecord[]>;
  /**
   * Deletes the client if `owner` owns it, and counts it off, in one atomic write. `absent` when there
   * was no such client (whoever deleted it), `not_owner` when it is someone else's (nothing changed).
   */
  deleteClient(clientId: string, owner: ClientOwner): Promise<'deleted' | 'absent' | 'not_owner'>;
  /** Deletes every grant issued to the client; returns how many it deleted. */
  deleteGrantsOf(clientId: string): Promise<number>;
  /**
   * Replaces the secret hash of a confidential client `owner` owns, in one conditional write.
   * `not_found` when the client is absent or someone else's, `public` when it has no secret.
   */
  replaceSecret(
    clientId: string,
    owner: string,
    secretHash: string,
  ): Promise<'replaced' | 'not_found' | 'public'>;
}

/** A new client with the only copies of its credentials. */
export interface Registration {
  client: ClientRecord;
  secret: string | undefined;
  registrationAccessToken: string;
}

/** Client ids are public, but unguessable all the same: 128 random bits, base64url (22 characters). */
export const newClientId = (): string => randomBytes(16).toString('base64url');

export interface ClientRegistryDependencies {
  store: ClientStore;
  clock: Clock;
  scopesSupported: readonly string[];
  maxClientsPerOwner?: number;
  /** Hears of every registration (a metric and an audit line). */
  events?: SecurityEvents;
}

export class ClientRegistry {
  constructor(private readonly deps: ClientRegistryDependencies) {}

  /**
   * Registers a client for `owner`; `secret` is the only copy of a confidential client's secret, and
   * `registrationAccessToken` the only copy of the token that manages it (RFC 7592, configuration.ts).
   */
  async register(owner: ClientOwner, body: Record<string, unknown>): Promise<Registration> {
    const metadata = validateClientMetadata(body, this.deps.scopesSupported);
    const limit = this.deps.maxClientsPerOwner ?? MAX_CLIENTS_PER_OWNER;
    const secret = metadata.tokenEndpointAuthMethod === 'none' ? undefined : randomSecret();
    const management = newRegistrationAccessToken();
    const client: ClientRecord = {
      clientId: newClientId(),
      owner: owner.sub,
      ...metadata,
      ...(secret === undefined ? {} : { secretHash: sha256(secret) }),
      registrationTokenHash: management.hash,
      clientIdIssuedAt: epochSeconds(this.deps.clock),
    };
    // The cap is exact: the store counts the client in the same atomic write that stores it.
    if ((await this.deps.store.createClient(client, owner, limit)) === 'limit_reached') {
      throw new TooManyClients(`An account may register at most ${limit} clients; delete one first.`);
    }
    this.deps.events?.record({ kind: 'client_registered', clientId: client.clientId, owner: owner.sub });
    return { client, secret, registrationAccessToken: management.token };
  }

  list(owner: string): Promise<ClientRecord[]> {
    return this.deps.store.listClients(owner);
  }

  /**
   * Deletes one of `owner`'s clients and every grant issued to it; `not_found` for an unknown client
   * and for someone else's alike.
   *
   * The client goes first. From then on nothing new can be issued to it: /authorize refuses an unknown
   * client, and /token cannot authenticate it, so no code is redeemed, no refresh token exchanged and no
   * client-credentials grant made. Every token already issued hangs off a grant (the authorizer and the
   * token endpoint both require a live one), so deleting the grants afterwards ends them all. A grant
   * written by a token request that authenticated the client just before its deletion can escape the
   * sweep (and the byClient index lags): its refresh tokens are already useless, its access tokens die
   * within their short lifetime, and repeating the DELETE sweeps again.
   *
   * Each step is safe to repeat: if the sweep fails after the client is gone, a retried DELETE finds
   * the client absent, sweeps its leftover grants and answers 404.
   */
  async remove(owner: ClientOwner, clientId: string): Promise<{ grantsDeleted: number }> {
    if (!isClientId(clientId)) throw new NotFound('No such client.');
    const outcome = await this.deps.store.deleteClient(clientId, owner);
    // Someone else's live client: its grants are not ours to touch.
    if (outcome === 'not_owner') throw new NotFound('No such client.', { detail: 'client of another owner' });
    const grantsDeleted = await this.deps.store.deleteGrantsOf(clientId);
    if (outcome === 'absent') {
      throw new NotFound('No such client.', { detail: `unknown client; swept ${grantsDeleted} grants` });
    }
    return { grantsDeleted };
  }

  /** A new secret for one of `owner`'s confidential clients; the old one stops working at once. */
  async rotateSecret(owner: string, clientId: string): Promise<string> {
    if (!isClientId(clientId)) throw new NotFound('No such client.');
    const secret = randomSecret();
    const outcome = await this.deps.store.replaceSecret(clientId, owner, sha256(secret));
    if (outcome === 'not_found') throw new NotFound('No such client.');
    if (outcome === 'public') throw new InvalidRequest('A public client has no secret to rotate.');
    return secret;
  }
}
