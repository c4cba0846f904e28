import { describe, expect, it } from 'vitest';
import {
  OPEN_REGISTRATION_WINDOW_SECONDS,
  OpenRegistration,
  type OpenRegistrationStore,
  type RegistrationCounter,
  UNUSED_CLIENT_TTL_SECONDS,
} from '#core/clients/open-registration';
import type { ClientRecord } from '#core/clients/records';
import type { OAuthError } from '#core/errors';
import { manualClock } from '../../../fakes/keys.ts';

const SCOPES = ['mcp:tools', 'read', 'openid'];
const NATIVE = {
  client_name: 'An MCP client',
  application_type: 'native',
  redirect_uris: ['http://127.0.0.1:33418/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
};

/** The store's semantics: a counter per (source, window) that only grows below its max, with the client. */
function memoryStore() {
  const counts = new Map<string, number>();
  const clients: ClientRecord[] = [];
  const store: OpenRegistrationStore = {
    createOpenClient: async (client: ClientRecord, counter: RegistrationCounter) => {
      const key = `${counter.source}#${counter.windowStart}`;
      const count = counts.get(key) ?? 0;
      if (count >= counter.max) return 'limited';
      counts.set(key, count + 1);
      clients.push(client);
      return 'created';
    },
  };
  return { store, clients };
}

function openRegistration(mode: 'public' | 'all' = 'public', perWindow = 3) {
  const clock = manualClock(1_800_000_000_000);
  const { store, clients } = memoryStore();
  return {
    registration: new OpenRegistration({ store, clock, scopesSupported: SCOPES, mode, perWindow }),
    clock,
    clients,
  };
}

const refusal = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as OAuthError,
  );

describe('open dynamic registration', () => {
  it('registers a public client for no one, expiring unless used', async () => {
    const { registration, clock } = openRegistration();
    const { client, secret } = await registration.register('203.0.113.7', { ...NATIVE });
    const now = Math.floor(clock() / 1000);
    expect(secret).toBeUndefined();
    expect(client).toMatchObject({
      owner: '',
      tokenEndpointAuthMethod: 'none',
      applicationType: 'native',
      clientIdIssuedAt: now,
      expiresAt: now + UNUSED_CLIENT_TTL_SECONDS,
    });
    expect(client.clientId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('refuses confidential clients unless configured for all', async () => {
    const body = { ...NATIVE, token_endpoint_auth_method: 'client_secret_basic' };
    const error = await refusal(openRegistration('public').registration.register('a', body));
    expect(error?.code).toBe('invalid_client_metadata');
    const { secret } = await openRegistration('all').registration.register('a', body);
    expect(secret).toBeTruthy();
  });

  it('keeps web clients off loopback redirect URIs, and knows no other application type', async () => {
    const { registration } = openRegistration();
    const web = await refusal(registration.register('a', { ...NATIVE, application_type: 'web' }));
    expect(web?.code).toBe('invalid_redirect_uri');
    // Without application_type (RFC 7591, the MCP SDK): native when every redirect URI is loopback.
    const inferred = await registration.register('a', { ...NATIVE, application_type: undefined });
    expect(inferred.client.applicationType).toBe('native');
    const https = await registration.register('a', {
      ...NATIVE,
      application_type: undefined,
      redirect_uris: ['https://app.example.com/cb'],
    });
    expect(https.client.applicationType).toBe('web');
    const ok = await registration.register('a', {
      ...NATIVE,
      application_type: 'web',
      redirect_uris: ['https://app.example.com/cb'],
    });
    expect(ok.client.applicationType).toBe('web');
    const other = await refusal(registration.register('a', { ...NATIVE, application_type: 'desktop' }));
    expect(other?.code).toBe('invalid_client_metadata');
  });

  it('allows each source address perWindow registrations per window, then 429 with Retry-After', async () => {
    const { registration, clock, clients } = openRegistration('public', 3);
    for (let i = 0; i < 3; i++) await registration.register('198.51.100.1', { ...NATIVE });
    const limited = await refusal(registration.register('198.51.100.1', { ...NATIVE }));
    expect(limited?.status).toBe(429);
    expect(limited?.code).toBe('too_many_attempts');
    const retryAfter = Number(limited?.headers?.['Retry-After']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(OPEN_REGISTRATION_WINDOW_SECONDS);
    // Another address has its own count; the same address again once the window is over.
    await registration.register('198.51.100.2', { ...NATIVE });
    clock.advance(retryAfter);
    await registration.register('198.51.100.1', { ...NATIVE });
    expect(clients).toHaveLength(5);
  });
});
