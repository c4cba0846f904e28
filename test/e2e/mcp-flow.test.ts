/**
 * An MCP client built with the official SDK (`@modelcontextprotocol/sdk`, its Streamable HTTP transport
 * and OAuth provider interface) against `npm start`, given nothing but the URL of the sample MCP server:
 * the 401 names the server's protected-resource metadata, the metadata names tinyoauth, the client
 * identifies itself by a Client ID Metadata Document the test serves over https on loopback, and it
 * completes authorization code + PKCE with `resource`, then lists and calls tools. A token for another
 * resource server is refused at the MCP server. Without a metadata document, the client registers
 * itself at the registration endpoint (open under npm start) and connects the same way.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDb } from '#adapters/aws/dynamodb';
import { sha256 } from '#core/secrets';
import { storedItem } from '../fakes/runtime.ts';
import { bearer, browser, send } from '../integration/infra/http.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

const PASSWORD = 'correct horse battery';
/** Where the client would listen for the code (RFC 8252 loopback); the test reads the redirect instead. */
const REDIRECT = 'http://127.0.0.1:33418/callback';

let stack: LocalStack;
let documents: Server;
let documentUrl: string;
let certificates: string;

/** A self-signed certificate for localhost: the stack trusts it through NODE_EXTRA_CA_CERTS. */
async function selfSigned(directory: string) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      join(directory, 'key.pem'),
      '-out',
      join(directory, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  return {
    key: await readFile(join(directory, 'key.pem')),
    cert: await readFile(join(directory, 'cert.pem')),
  };
}

beforeAll(async () => {
  certificates = await mkdtemp(join(tmpdir(), 'tinyoauth-mcp-'));
  documents = createServer(await selfSigned(certificates), (request, response) => {
    if (request.url !== '/client.json') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
    response.end(
      JSON.stringify({
        client_id: documentUrl,
        client_name: 'SDK test client (metadata document)',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        scope: 'mcp:tools read',
      }),
    );
  });
  await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
  documentUrl = `https://localhost:${(documents.address() as AddressInfo).port}/client.json`;
  stack = await startLocalStack({
    env: { CLIENT_METADATA_ALLOW_LOCALHOST: 'true', NODE_EXTRA_CA_CERTS: join(certificates, 'cert.pem') },
  });
});

afterAll(async () => {
  await stack?.stop();
  documents?.closeAllConnections();
  await new Promise((resolve) => documents?.close(resolve));
  await rm(certificates, { recursive: true, force: true });
});

/** The SDK's OAuth provider interface, in memory; the "browser redirect" is recorded for the test to drive. */
class TestProvider implements OAuthClientProvider {
  information: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;

  constructor(readonly clientMetadataUrl: string | undefined) {}

  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK test client',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'mcp:tools',
    };
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

async function user() {
  const username = `mcp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const registered = await send(stack.baseUrl, 'POST', '/register', {
    json: { username, password: PASSWORD },
  });
  expect(registered.status).toBe(201);
  return username;
}

/** The user signs in and consents in a browser; the code comes back on the redirect URI. */
async function approve(authorizationUrl: URL, username: string): Promise<{ code: string; consent: string }> {
  const b = browser(stack.baseUrl);
  const signInPage = await b.request('GET', `${authorizationUrl.pathname}${authorizationUrl.search}`);
  expect(signInPage.status, signInPage.text).toBe(200);
  const signedIn = await b.submit(signInPage, '/signin', { username, password: PASSWORD });
  expect(signedIn.status).toBe(303);
  const consent = await b.follow(signedIn);
  expect(consent.status).toBe(200);
  const approved = await b.submit(consent, '/authorize', { decision: 'approve' });
  expect(approved.status).toBe(303);
  expect(`${approved.location?.origin}${approved.location?.pathname}`).toBe(REDIRECT);
  return { code: approved.location?.searchParams.get('code') as string, consent: consent.text };
}

const mcpUrl = () => new URL(`${stack.baseUrl}/protected/mcp`);

/** Connects as far as the SDK goes without a user: the 401, discovery, client identification, authorization URL. */
async function connectUntilAuthorization(provider: TestProvider) {
  const transport = new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider });
  const client = new Client({ name: 'tinyoauth-e2e', version: '1.0.0' });
  await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  expect(provider.authorizationUrl).toBeDefined();
  return transport;
}

async function connected(provider: TestProvider) {
  const client = new Client({ name: 'tinyoauth-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider }));
  return client;
}

describe('an MCP client with the official SDK, given only the MCP server URL', () => {
  it('gets a 401 that names the MCP server’s metadata, and the metadata names tinyoauth', async () => {
    const reply = await send(stack.baseUrl, 'POST', '/protected/mcp', { json: {} });
    expect(reply.status).toBe(401);
    const metadataUrl = `${stack.baseUrl}/.well-known/oauth-protected-resource/protected/mcp`;
    const challenge = (await fetch(mcpUrl(), { method: 'POST' })).headers.get('www-authenticate');
    expect(challenge).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    const metadata = await send(stack.baseUrl, 'GET', metadataUrl);
    expect(metadata.json()).toEqual({
      resource: `${stack.baseUrl}/protected/mcp`,
      authorization_servers: [stack.baseUrl],
      scopes_supported: ['mcp:tools'],
      bearer_methods_supported: ['header'],
      resource_name: 'tinyoauth sample MCP server',
    });
  });

  it('identifies itself by its metadata document, gets a token bound to the MCP server, lists and calls tools', async () => {
    const username = await user();
    const provider = new TestProvider(documentUrl);
    const transport = await connectUntilAuthorization(provider);
    const authorizationUrl = provider.authorizationUrl as URL;
    expect(authorizationUrl.searchParams.get('client_id')).toBe(documentUrl);
    expect(authorizationUrl.searchParams.get('resource')).toBe(`${stack.baseUrl}/protected/mcp`);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');

    const { code, consent } = await approve(authorizationUrl, username);
    // The consent page names where the code goes: the document's redirect URI's host.
    expect(consent).toContain('127.0.0.1:33418');
    await transport.finishAuth(code);
    const token = provider.saved?.access_token as string;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    expect(claims.aud).toBe(`${stack.baseUrl}/protected/mcp`);
    expect(claims.client_id).toBe(documentUrl);

    const client = await connected(provider);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'echo', 'whoami']);
    const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    expect(sum.content).toEqual([{ type: 'text', text: '42' }]);
    const whoami = await client.callTool({ name: 'whoami', arguments: {} });
    expect(JSON.parse((whoami.content as { text: string }[])[0]?.text as string)).toMatchObject({
      client_id: documentUrl,
      scope: 'mcp:tools',
    });
    await client.close();

    // Bound to the MCP server: the default resource server's API does not take it.
    const elsewhere = await send(stack.baseUrl, 'GET', '/protected/resource', { headers: bearer(token) });
    expect(elsewhere.status).toBe(403);
  });

  it('registers itself without an account when it has no metadata document, then connects the same way', async () => {
    const username = await user();
    const provider = new TestProvider(undefined);
    const transport = await connectUntilAuthorization(provider);
    // The SDK's fallback: RFC 7591 registration at the registration_endpoint, open under npm start.
    const clientId = provider.information?.client_id as string;
    expect(clientId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const authorizationUrl = provider.authorizationUrl as URL;
    expect(authorizationUrl.searchParams.get('client_id')).toBe(clientId);
    expect(authorizationUrl.searchParams.get('resource')).toBe(`${stack.baseUrl}/protected/mcp`);

    const { code } = await approve(authorizationUrl, username);
    await transport.finishAuth(code);
    const client = await connected(provider);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'hello' }]);
    await client.close();

    // Used once, so it no longer expires.
    const db = createDynamoDb({ region: 'us-east-1', endpoint: process.env.DYNAMODB_ENDPOINT as string });
    const item = await storedItem(db, `${stack.tablePrefix}clients`, { clientId });
    expect(item).toMatchObject({ clientId, tokenEndpointAuthMethod: 'none' });
    expect(item?.expiresAt).toBeUndefined();
  });

  it('refuses at the MCP server a token issued for another resource server', async () => {
    const username = await user();
    const verifier = 'v'.repeat(43);
    const query = {
      response_type: 'code',
      client_id: documentUrl,
      redirect_uri: REDIRECT,
      scope: 'read',
      state: 's',
      code_challenge: sha256(verifier),
      code_challenge_method: 'S256',
      resource: `${stack.baseUrl}/protected`,
    };
    const url = new URL(`${stack.baseUrl}/authorize?${new URLSearchParams(query)}`);
    const { code } = await approve(url, username);
    const token = await send(stack.baseUrl, 'POST', '/token', {
      form: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: documentUrl,
        code_verifier: verifier,
        resource: `${stack.baseUrl}/protected`,
      },
    });
    expect(token.status, token.text).toBe(200);
    const accessToken = token.json().access_token as string;
    expect(
      (await send(stack.baseUrl, 'GET', '/protected/resource', { headers: bearer(accessToken) })).status,
    ).toBe(200);
    const atMcp = await send(stack.baseUrl, 'POST', '/protected/mcp', {
      headers: { ...bearer(accessToken), accept: 'application/json, text/event-stream' },
      json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    });
    expect(atMcp.status).toBe(403);
    expect(atMcp.json().error).toBe('insufficient_scope');
  });
});
