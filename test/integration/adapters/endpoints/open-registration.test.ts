/**
 * POST /client without an account (OPEN_REGISTRATION) against DynamoDB Local: the client is stored for
 * no one with its expiry, each source address is counted in DynamoDB (so a burst across any number of
 * function instances registers exactly the limit), the first code redemption ends the expiry, and an
 * expired client is no client.
 */
import { describe, expect, it } from 'vitest';
import { createClientCreateHandler } from '#adapters/endpoints/clients/create';
import { createTokenHandler } from '#adapters/endpoints/oauth/token';
import type { ApiEvent } from '#adapters/http/request';
import type { ApiResult } from '#adapters/http/responses';
import { clientRegistry, clients, openRegistration, sessions, tokenGrants } from '#app/services';
import { tableName } from '#contract/tables';
import { OPEN_REGISTRATIONS_PER_WINDOW, UNUSED_CLIENT_TTL_SECONDS } from '#core/clients/open-registration';
import { apiEvent, basic } from '../../../fakes/events.ts';
import { silentLogger } from '../../../fakes/logger.ts';
import { storedItem, testRuntime } from '../../../fakes/runtime.ts';

const NATIVE = { application_type: 'native', redirect_uris: ['http://127.0.0.1:33418/callback'] };

async function setup(mode: 'off' | 'public' | 'all' = 'public') {
  const runtime = await testRuntime({ openRegistration: mode });
  const open = openRegistration(runtime);
  const create = createClientCreateHandler({
    registry: clientRegistry(runtime),
    sessions: sessions(runtime),
    logger: silentLogger,
    open,
    issuer: runtime.config.issuer,
  });
  const register = async (source: string, json: unknown = NATIVE): Promise<ApiResult> => {
    const event = apiEvent({ method: 'POST', path: '/client', json }) as ApiEvent;
    (event.requestContext.identity as { sourceIp: string }).sourceIp = source;
    return (await create(event, {} as never)) as ApiResult;
  };
  return { runtime, register };
}

const source = () => `192.0.2.${Math.floor(Math.random() * 250)}-${Date.now()}`;

describe('registration without an account', () => {
  it('is 401 invalid_token when not configured', async () => {
    const { register } = await setup('off');
    const reply = await register(source());
    expect(reply.statusCode).toBe(401);
    expect(JSON.parse(reply.body).error).toBe('invalid_token');
  });

  it('stores a public client for no one, expiring unless used', async () => {
    const { runtime, register } = await setup();
    const reply = await register(source());
    expect(reply.statusCode).toBe(201);
    const registered = JSON.parse(reply.body);
    expect(registered).toMatchObject({ token_endpoint_auth_method: 'none', application_type: 'native' });
    expect(registered.client_secret).toBeUndefined();
    const item = await storedItem(runtime.db, tableName(runtime.config.tablePrefix, 'clients'), {
      clientId: registered.client_id,
    });
    expect(item?.owner).toBeUndefined();
    expect(item?.expiresAt).toBe(registered.client_id_issued_at + UNUSED_CLIENT_TTL_SECONDS);
  });

  it('registers exactly the limit per source address from a concurrent burst, then 429', async () => {
    const { register } = await setup();
    const address = source();
    const replies = await Promise.all(
      Array.from({ length: OPEN_REGISTRATIONS_PER_WINDOW + 5 }, () => register(address)),
    );
    const statuses = replies.map((reply) => reply.statusCode);
    expect(statuses.filter((status) => status === 201)).toHaveLength(OPEN_REGISTRATIONS_PER_WINDOW);
    const limited = replies.filter((reply) => reply.statusCode === 429);
    expect(limited).toHaveLength(5);
    expect(JSON.parse(limited[0]?.body as string).error).toBe('too_many_attempts');
    expect(Number(limited[0]?.headers?.['Retry-After'])).toBeGreaterThan(0);
    // Another address is counted on its own.
    expect((await register(source())).statusCode).toBe(201);
  });

  it('refuses a confidential client, and a web client with a loopback redirect URI', async () => {
    const { register } = await setup();
    const confidential = await register(source(), {
      ...NATIVE,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(JSON.parse(confidential.body).error).toBe('invalid_client_metadata');
    const web = await register(source(), { ...NATIVE, application_type: 'web' });
    expect(JSON.parse(web.body).error).toBe('invalid_redirect_uri');
  });

  it('stops expiring once first granted tokens (here client credentials, open to all clients)', async () => {
    const { runtime, register } = await setup('all');
    const reply = await register(source(), {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'read',
    });
    const { client_id, client_secret } = JSON.parse(reply.body);
    const token = createTokenHandler(clients(runtime), tokenGrants(runtime), silentLogger);
    const granted = (await token(
      apiEvent({
        path: '/token',
        form: { grant_type: 'client_credentials', scope: 'read' },
        headers: { authorization: basic(client_id, client_secret) },
      }),
      {} as never,
    )) as ApiResult;
    expect(granted.statusCode, granted.body).toBe(200);
    const item = await storedItem(runtime.db, tableName(runtime.config.tablePrefix, 'clients'), {
      clientId: client_id,
    });
    expect(item?.expiresAt).toBeUndefined();
  });

  it('is no client once expired unused', async () => {
    const { runtime, register } = await setup();
    const { client_id } = JSON.parse((await register(source())).body);
    expect(await clients(runtime).findClient(client_id)).toBeDefined();
    runtime.clock.advance(UNUSED_CLIENT_TTL_SECONDS);
    expect(await clients(runtime).findClient(client_id)).toBeUndefined();
  });
});
