/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, which MCP adopted): a
 * `client_id` that is an https URL names a JSON document its publisher serves there, holding the
 * client's metadata. No registration happens: the document is fetched when the client is used, checked
 * like a registration, and reused for as long as its HTTP caching headers allow (bounded here).
 *
 * Such a client is always public: a document anyone can read cannot hold a secret, so it authenticates
 * with nothing but PKCE, and can use neither client credentials nor `require_pkce: false`.
 */
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidClientMetadata } from '#core/errors';
import type { ClientReadAhead, ReadAhead, ReadAheadRecords } from '#core/oauth/read-ahead';
import { validateClientMetadata } from './metadata.ts';
import { type ClientRecord, isClientIdUrl } from './records.ts';

/** A document as fetched: its parsed JSON, and how long its publisher lets it be reused (0: not at all). */
export interface FetchedDocument {
  body: unknown;
  maxAgeSeconds: number;
}

/**
 * The port that fetches documents. It rejects (with any error) whatever it will not or cannot fetch
 * safely: the adapter is where the network rules (addresses, redirects, size, time) live.
 */
export interface MetadataDocumentFetcher {
  fetch(url: string): Promise<FetchedDocument>;
}

/** The longest any document is reused, whatever its headers say: a changed document takes effect by then. */
export const MAX_DOCUMENT_AGE_SECONDS = 3600;
/** How many documents one execution environment keeps; the least recently fetched goes first. */
export const MAX_CACHED_DOCUMENTS = 100;

/** Members a public document must not carry: they would mean a secret is published, or one was assigned. */
const SECRET_MEMBERS = ['client_secret', 'client_secret_expires_at'];

/** The client a fetched document describes, or `invalid_client_metadata` saying what is wrong with it. */
export function clientOfDocument(
  url: string,
  body: unknown,
  options: { scopesSupported: readonly string[]; now: number },
): ClientRecord {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidClientMetadata('The client metadata document must be a JSON object.');
  }
  const document = body as Record<string, unknown>;
  // The draft's one binding: the document names itself, so no other URL can pass it off as its own.
  if (document.client_id !== url) {
    throw new InvalidClientMetadata('The document\'s "client_id" must be exactly its own URL.');
  }
  const secret = SECRET_MEMBERS.find((member) => member in document);
  if (secret) throw new InvalidClientMetadata(`A client metadata document must not hold "${secret}".`);
  const method = document.token_endpoint_auth_method ?? 'none';
  if (method !== 'none') {
    throw new InvalidClientMetadata('A client metadata document\'s client is public: auth method "none".');
  }
  const metadata = validateClientMetadata(
    { grant_types: ['authorization_code'], ...document, token_endpoint_auth_method: 'none' },
    options.scopesSupported,
  );
  // Not registered by any user: no owner, and nothing to list or delete in the registry.
  return { clientId: url, owner: '', ...metadata, clientIdIssuedAt: options.now };
}

interface Cached {
  client: ClientRecord;
  until: number;
}

export interface MetadataDocumentClientsDependencies {
  /** The registry's own lookup, for every client_id that is not a URL. */
  registered: ClientReadAhead;
  fetcher: MetadataDocumentFetcher;
  clock: Clock;
  scopesSupported: readonly string[];
  /** Told why a document was refused, since the lookup itself can only answer "no such client". */
  onRefused?: (url: string, reason: string) => void;
}

/**
 * The client lookup of the authorization and token endpoints: registered clients from the registry
 * (unless expired unused), URL client_ids from their documents. A document that cannot be fetched or fails validation names
 * no client (`onRefused` says why).
 */
export class MetadataDocumentClients implements ClientReadAhead {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly deps: MetadataDocumentClientsDependencies) {}

  async findClient(clientId: string): Promise<ClientRecord | undefined> {
    if (isClientIdUrl(clientId)) return this.documentClient(clientId);
    return this.live(await this.deps.registered.findClient(clientId));
  }

  async findClientWith(
    clientId: string,
    ahead: ReadAhead,
  ): Promise<{ client: ClientRecord | undefined; records: ReadAheadRecords }> {
    if (!isClientIdUrl(clientId)) {
      const found = await this.deps.registered.findClientWith(clientId, ahead);
      return { client: this.live(found.client), records: found.records };
    }
    // The record read ahead comes from the store as ever (its client item simply does not exist).
    const [client, read] = await Promise.all([
      this.documentClient(clientId),
      this.deps.registered.findClientWith(clientId, ahead),
    ]);
    return { client, records: read.records };
  }

  /** A registered client past its `expiresAt` (never used; DynamoDB's TTL deletes it late) is no client. */
  private live(client: ClientRecord | undefined): ClientRecord | undefined {
    const expired = client?.expiresAt !== undefined && client.expiresAt <= epochSeconds(this.deps.clock);
    return expired ? undefined : client;
  }

  private async documentClient(url: string): Promise<ClientRecord | undefined> {
    const now = epochSeconds(this.deps.clock);
    const cached = this.cache.get(url);
    if (cached && cached.until > now) return cached.client;
    this.cache.delete(url);
    try {
      const fetched = await this.deps.fetcher.fetch(url);
      const client = clientOfDocument(url, fetched.body, { scopesSupported: this.deps.scopesSupported, now });
      const age = Math.min(fetched.maxAgeSeconds, MAX_DOCUMENT_AGE_SECONDS);
      if (age > 0) this.remember(url, { client, until: now + age });
      return client;
    } catch (error) {
      this.deps.onRefused?.(url, error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  private remember(url: string, entry: Cached): void {
    this.cache.set(url, entry);
    while (this.cache.size > MAX_CACHED_DOCUMENTS) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }
}
