/**
 * Open dynamic registration: RFC 7591 without an initial access token, as MCP clients register
 * themselves. Anyone can call it, so it is bounded on every side:
 * - it exists only when configured (`OPEN_REGISTRATION`), and registers public clients only unless
 *   configured for all (a secret handed to an anonymous caller authenticates nobody in particular);
 * - `application_type` (OpenID Connect Registration 1.0 §2): `web` redirects to https hosts that are
 *   not loopback, `native` to loopback (RFC 8252 §7.3) or https. Without it (RFC 7591 clients, the MCP
 *   SDK's among them, do not send it) a client whose redirect URIs are all loopback is `native`, any
 *   other `web`: OpenID Connect's default of `web` would refuse every desktop MCP client;
 * - each source address registers at most `perWindow` clients per window, counted in DynamoDB in the
 *   same atomic write that stores the client, so no burst and no number of function instances exceeds it;
 * - a client nobody ever uses expires: it carries `expiresAt` until it is first granted tokens.
 * Such a client has no owner: no user lists it; whoever registered it manages it with its registration
 * access token (RFC 7592, configuration.ts), under the same rules (`validateOpenMetadata`).
 */
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidClientMetadata, InvalidRedirectUri, TooManyAttempts } from '#core/errors';
import { isLoopbackHost } from '#core/loopback';
import type { SecurityEvents } from '#core/observability';
import { randomSecret, sha256 } from '#core/secrets';
import { validateClientMetadata } from './metadata.ts';
import type { ApplicationType, ClientRecord } from './records.ts';
import { newRegistrationAccessToken } from './registration-tokens.ts';
import { newClientId, type Registration } from './registry.ts';

export type OpenRegistrationMode = 'off' | 'public' | 'all';

export const OPEN_REGISTRATIONS_PER_WINDOW = 10;
export const OPEN_REGISTRATION_WINDOW_SECONDS = 3600;
/** How long a registered client lives if no code is ever redeemed for it. */
export const UNUSED_CLIENT_TTL_SECONDS = 86400;

/** The count of one source address in one window, and its limit. */
export interface RegistrationCounter {
  source: string;
  windowStart: number;
  max: number;
  /** When the counter may be deleted: the end of its window. */
  expiresAt: number;
}

export interface OpenRegistrationStore {
  /**
   * Stores the new client (never over an existing id) and counts it for its source, in one atomic
   * write; `limited` (nothing written) when the source already registered `max` in this window.
   */
  createOpenClient(client: ClientRecord, counter: RegistrationCounter): Promise<'created' | 'limited'>;
}

export interface OpenRegistrationDependencies {
  store: OpenRegistrationStore;
  clock: Clock;
  scopesSupported: readonly string[];
  mode: Exclude<OpenRegistrationMode, 'off'>;
  perWindow?: number;
  windowSeconds?: number;
  /** Hears of each registration (metrics and audit lines), as the owners' registry's do. */
  events?: SecurityEvents;
}

function applicationType(body: Record<string, unknown>, redirectUris: readonly string[]): ApplicationType {
  const allLoopback =
    redirectUris.length > 0 && redirectUris.every((uri) => isLoopbackHost(new URL(uri).hostname));
  const value = body.application_type ?? (allLoopback ? 'native' : 'web');
  if (value !== 'web' && value !== 'native') {
    throw new InvalidClientMetadata('"application_type" must be "web" or "native".');
  }
  return value;
}

/** OpenID Connect Registration §2: web clients redirect to https hosts, native ones to loopback or https. */
function checkRedirectsFor(type: ApplicationType, uris: readonly string[]): void {
  for (const uri of uris) {
    const url = new URL(uri);
    const loopback = isLoopbackHost(url.hostname);
    if (type === 'web' && loopback) {
      throw new InvalidRedirectUri(
        `A web client redirects to an https host, not to "${url.host}": register it as "native".`,
      );
    }
  }
}

/**
 * The metadata of a client registered (or updated, configuration.ts) without an account: RFC 7591 with
 * a public client by default, and `application_type` with its redirect-URI rules.
 */
export function validateOpenMetadata(body: Record<string, unknown>, scopesSupported: readonly string[]) {
  // RFC 7591's default method is client_secret_basic; an open registration defaults to public.
  const metadata = validateClientMetadata(
    { ...body, token_endpoint_auth_method: body.token_endpoint_auth_method ?? 'none' },
    scopesSupported,
  );
  const type = applicationType(body, metadata.redirectUris);
  checkRedirectsFor(type, metadata.redirectUris);
  return { ...metadata, applicationType: type };
}

export class OpenRegistration {
  constructor(private readonly deps: OpenRegistrationDependencies) {}

  /** Registers a client for no one, counted against `source` (the caller's address). */
  async register(source: string, body: Record<string, unknown>): Promise<Registration> {
    const metadata = validateOpenMetadata(body, this.deps.scopesSupported);
    if (this.deps.mode === 'public' && metadata.tokenEndpointAuthMethod !== 'none') {
      throw new InvalidClientMetadata(
        'Registration without an account accepts public clients only: "token_endpoint_auth_method" must be "none".',
      );
    }
    const now = epochSeconds(this.deps.clock);
    const secret = metadata.tokenEndpointAuthMethod === 'none' ? undefined : randomSecret();
    const management = newRegistrationAccessToken();
    const client: ClientRecord = {
      clientId: newClientId(),
      owner: '',
      ...metadata,
      ...(secret === undefined ? {} : { secretHash: sha256(secret) }),
      registrationTokenHash: management.hash,
      clientIdIssuedAt: now,
      expiresAt: now + UNUSED_CLIENT_TTL_SECONDS,
    };
    const windowSeconds = this.deps.windowSeconds ?? OPEN_REGISTRATION_WINDOW_SECONDS;
    const windowStart = now - (now % windowSeconds);
    const counter = {
      source,
      windowStart,
      max: this.deps.perWindow ?? OPEN_REGISTRATIONS_PER_WINDOW,
      expiresAt: windowStart + windowSeconds,
    };
    if ((await this.deps.store.createOpenClient(client, counter)) === 'limited') {
      throw new TooManyAttempts(
        'Too many registrations from this address. Try again later.',
        counter.expiresAt - now,
      );
    }
    this.deps.events?.record({ kind: 'client_registered', clientId: client.clientId, owner: '' });
    return { client, secret, registrationAccessToken: management.token };
  }
}
