/**
 * RFC 7592 client configuration: whoever registered a client (openly or with an account) reads, updates
 * and deletes it at its registration_client_uri with the registration access token the registration
 * response carried (registration-tokens.ts).
 *
 * - Only a hash is stored, so the token cannot be shown again: every read and update issues a new one
 *   (RFC 7592 §3 requires one in each response and lets the server rotate it) in the same conditional
 *   write that checks the old one, which stops working at once. A client that loses such a response
 *   has lost its token; an owner still manages the client with a session.
 * - Every refusal of the token is the same 401 `invalid_token`: a wrong token, another client's, an
 *   unknown client, an expired open registration, and a suspended client (an operator's decision that
 *   the token holder cannot undo, and which /authorize also answers as if the client were unknown).
 * - An update replaces the metadata whole, validated by the rules the client was registered under
 *   (`validateOpenMetadata` for a client without an owner), except that the client's authentication
 *   method cannot change: that would mint a secret or strand one, and for open registration limited to
 *   public clients it would let a public registration become confidential.
 */
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidClientMetadata, InvalidToken } from '#core/errors';
import { matchesHash } from '#core/secrets';
import { type ClientMetadata, validateClientMetadata } from './metadata.ts';
import { validateOpenMetadata } from './open-registration.ts';
import type { ApplicationType, ClientRecord } from './records.ts';
import { isClientId } from './records.ts';
import { isRegistrationAccessToken, newRegistrationAccessToken } from './registration-tokens.ts';

type MetadataAttribute = keyof ClientMetadata;
/** The record attributes an update replaces: all of them, an absent one removed. */
export type ManagedMetadata = { [K in MetadataAttribute]: ClientMetadata[K] | undefined } & {
  applicationType: ApplicationType | undefined;
};

/** What every managing write is conditioned on, besides the client existing. */
export interface ManagementGuard {
  /** The hash the presented token has: the client must still store it. */
  expectedHash: string;
  /** The client must not be suspended, nor expired at `now` (DynamoDB's TTL deletes late). */
  now: number;
}

export interface ClientConfigurationStore {
  findClient(clientId: string): Promise<ClientRecord | undefined>;
  /**
   * In one conditional write (`guard`): stores `tokenHash` as the registration access token's hash and,
   * when given, `metadata` over the client's. The record as written; undefined when the guard failed.
   */
  updateManagedClient(
    clientId: string,
    change: ManagementGuard & { tokenHash: string; metadata?: ManagedMetadata },
  ): Promise<ClientRecord | undefined>;
  /**
   * Deletes `client` in one conditional write (`guard`), counting it off its owner's clients when it
   * has one; false when the guard failed.
   */
  deleteManagedClient(client: ClientRecord, guard: ManagementGuard): Promise<boolean>;
  /** Deletes every grant issued to the client; returns how many it deleted. */
  deleteGrantsOf(clientId: string): Promise<number>;
}

export interface ClientConfigurationDependencies {
  store: ClientConfigurationStore;
  clock: Clock;
  scopesSupported: readonly string[];
}

/** What a read or update answers: the client as stored and the only copy of its new token. */
export interface ManagedClient {
  client: ClientRecord;
  registrationAccessToken: string;
}

/** Members of a client information response that a client may send back and that name nothing to change. */
const ECHOED_MEMBERS = [
  'client_id',
  'client_secret',
  'registration_access_token',
  'registration_client_uri',
  'client_id_issued_at',
  'client_secret_expires_at',
];

const refused = (detail: string): never => {
  throw new InvalidToken('The registration access token is invalid.', { detail });
};

export class ClientConfiguration {
  constructor(private readonly deps: ClientConfigurationDependencies) {}

  /** RFC 7592 §2.1: the client's current metadata (never its secret), with a new token. */
  async read(clientId: string, token: string): Promise<ManagedClient> {
    const client = await this.authorized(clientId, token);
    return this.rewrite(client, undefined);
  }

  /**
   * RFC 7592 §2.2: replaces the client's metadata with the body's, with a new token. The body is read
   * only once the token is accepted, so that a caller without one learns nothing about validation.
   */
  async update(clientId: string, token: string, body: () => Record<string, unknown>): Promise<ManagedClient> {
    const client = await this.authorized(clientId, token);
    return this.rewrite(client, this.replacementFor(client, body()));
  }

  /**
   * RFC 7592 §2.3: deletes the client, then every grant issued to it, in the order and with the
   * guarantees of the owner's delete (ClientRegistry.remove).
   */
  async remove(clientId: string, token: string): Promise<{ grantsDeleted: number }> {
    const client = await this.authorized(clientId, token);
    const guard = { expectedHash: client.registrationTokenHash ?? '', now: this.now() };
    if (!(await this.deps.store.deleteManagedClient(client, guard))) refused('changed since read');
    return { grantsDeleted: await this.deps.store.deleteGrantsOf(clientId) };
  }

  private now(): number {
    return epochSeconds(this.deps.clock);
  }

  /** The client `token` manages, if it is live; the comparison takes constant time. */
  private async authorized(clientId: string, token: string): Promise<ClientRecord> {
    const readable = isClientId(clientId) && isRegistrationAccessToken(token);
    const client = readable ? await this.deps.store.findClient(clientId) : undefined;
    // Compared even without a client, so that an unknown client takes as long as a wrong token.
    const matches = matchesHash(token, client?.registrationTokenHash);
    if (!client || !matches) return refused(client ? 'wrong token' : 'unknown client');
    if (client.suspendedAt !== undefined) return refused('suspended client');
    if (client.expiresAt !== undefined && client.expiresAt <= this.now()) return refused('expired client');
    return client;
  }

  private async rewrite(client: ClientRecord, metadata: ManagedMetadata | undefined): Promise<ManagedClient> {
    const next = newRegistrationAccessToken();
    const written = await this.deps.store.updateManagedClient(client.clientId, {
      expectedHash: client.registrationTokenHash ?? '',
      now: this.now(),
      tokenHash: next.hash,
      ...(metadata ? { metadata } : {}),
    });
    // A concurrent request with the same token rotated it, or the client was deleted or suspended.
    if (!written) return refused('changed since read');
    return { client: written, registrationAccessToken: next.token };
  }

  private replacementFor(client: ClientRecord, body: Record<string, unknown>): ManagedMetadata {
    if (body.client_id !== client.clientId) {
      throw new InvalidClientMetadata('"client_id" must be the id of the client being updated.');
    }
    if (body.client_secret !== undefined) {
      const secret = typeof body.client_secret === 'string' ? body.client_secret : '';
      if (!matchesHash(secret, client.secretHash)) {
        throw new InvalidClientMetadata('"client_secret" is not the client\'s secret.');
      }
    }
    const metadataOnly = Object.fromEntries(
      Object.entries(body).filter(([name]) => !ECHOED_MEMBERS.includes(name)),
    );
    const metadata: ClientMetadata & { applicationType?: ApplicationType } =
      // A client registered without an account is stored without an owner.
      client.owner
        ? validateClientMetadata(metadataOnly, this.deps.scopesSupported)
        : validateOpenMetadata(metadataOnly, this.deps.scopesSupported);
    if (metadata.tokenEndpointAuthMethod !== client.tokenEndpointAuthMethod) {
      throw new InvalidClientMetadata(
        `"token_endpoint_auth_method" cannot change after registration: it is "${client.tokenEndpointAuthMethod}".`,
      );
    }
    return {
      clientName: metadata.clientName,
      redirectUris: metadata.redirectUris,
      grantTypes: metadata.grantTypes,
      tokenEndpointAuthMethod: metadata.tokenEndpointAuthMethod,
      scope: metadata.scope,
      postLogoutRedirectUris: metadata.postLogoutRedirectUris,
      idTokenSignedResponseAlg: metadata.idTokenSignedResponseAlg,
      requirePkce: metadata.requirePkce,
      applicationType: metadata.applicationType,
    };
  }
}
