/**
 * The sample third-party web app that `npm start` serves next to tinyoauth, on its own origin
 * (http://localhost:3001, SAMPLE_APP_PORT): a confidential client that runs the authorization code
 * flow with PKCE and state through `oauth4webapi` (standards-strict: discovery, RFC 9207 `iss` check),
 * exchanges the code with client_secret_basic on its own server, calls `/protected/resource` with the
 * access token and shows the answer. The browser never sees a token or the client secret.
 *
 * It registers itself through the client registry when it starts and remembers its client id and
 * secret in `.data/sample-app.json` (SAMPLE_APP_STATE_FILE), so restarts keep the same client as long
 * as the tables still hold it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import * as oauth from 'oauth4webapi';
import { DynamoDb } from '#adapters/aws/dynamodb';
import type { Config } from '#adapters/config';
import { DynamoClientStore } from '#adapters/dynamo/clients';
import { html, SafeHtml } from '#adapters/web/html';
import { ConfigError } from '#contract/config-error';
import { ClientRegistry } from '#core/clients/registry';
import { systemClock } from '#core/clock';
import { matchesHash } from '#core/secrets';
import { PROJECT_ROOT } from '#infra/paths';

/** The `owner` of the sample client: no user registered it, `npm start` did. */
export const SAMPLE_APP_OWNER = 'tinyoauth-sample-app';
export const SAMPLE_APP_SCOPE = 'read';
const COOKIE = 'sample_app_session';
/** How long the app remembers a visitor (and a flow in progress). */
const SESSION_TTL_MS = 60 * 60 * 1000;
const MAX_SESSIONS = 1000;

export interface SampleAppOptions {
  /** tinyoauth's configuration: its issuer (where the app finds it) and its tables. */
  config: Config;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Where the client id and secret are remembered between runs. */
  stateFile: string;
  log?: (line: string) => void;
}

export interface SampleApp {
  url: string;
  clientId: string;
  close(): Promise<void>;
}

interface SampleClientState {
  issuer: string;
  tablePrefix: string;
  redirectUri: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The registered client for this redirect URI: the remembered one if tinyoauth still has it with the
 * same secret and redirect URI, else a newly registered one (and the stale one removed).
 */
export async function ensureSampleClient(
  config: Config,
  redirectUri: string,
  stateFile: string,
): Promise<SampleClientState> {
  const db = new DynamoDb({ region: config.region, endpoint: config.dynamoDbEndpoint });
  const store = new DynamoClientStore(db, config.tablePrefix);
  const registry = new ClientRegistry({ store, clock: systemClock, scopesSupported: config.scopesSupported });

  let remembered: SampleClientState | undefined;
  try {
    remembered = JSON.parse(await readFile(stateFile, 'utf8')) as SampleClientState;
  } catch {
    remembered = undefined; // first run, or an unreadable file: register anew
  }
  if (remembered && remembered.issuer === config.issuer && remembered.tablePrefix === config.tablePrefix) {
    const stored = await store.findClient(remembered.clientId);
    const usable =
      stored?.owner === SAMPLE_APP_OWNER &&
      stored.redirectUris.length === 1 &&
      stored.redirectUris[0] === redirectUri &&
      matchesHash(remembered.clientSecret, stored.secretHash);
    if (usable) return remembered;
    if (stored?.owner === SAMPLE_APP_OWNER) {
      await registry.remove(SAMPLE_APP_OWNER, remembered.clientId).catch(() => {});
    }
  }

  const { client, secret } = await registry.register(SAMPLE_APP_OWNER, {
    client_name: 'tinyoauth sample app',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: SAMPLE_APP_SCOPE,
  });
  const state: SampleClientState = {
    issuer: config.issuer,
    tablePrefix: config.tablePrefix,
    redirectUri,
    clientId: client.clientId,
    clientSecret: secret as string,
  };
  await mkdir(dirname(stateFile), { recursive: true });
  // The file holds a client secret: readable by its owner only.
  await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

/** What the app keeps per visitor, on its own server: never in the browser. */
interface Visit {
  expiresAt: number;
  /** The flow in progress: PKCE verifier and state, bound to this browser by the cookie. */
  pending?: { verifier: string; state: string };
  result?: { answer: unknown; scope: string | undefined; expiresIn: number | undefined };
  error?: string;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#fdf6e3;color:#1f2328}
main{max-width:36rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.5rem;margin:0 0 .5rem}
.app{font-weight:700;color:#8a4b00;margin:0 0 1rem}
button{font:inherit;font-weight:600;padding:.75rem 1.25rem;border-radius:.5rem;border:1px solid #8a4b00;background:#8a4b00;color:#fff;cursor:pointer}
button.secondary{background:transparent;color:#8a4b00}
pre{background:#fff;border:1px solid #e1d5b5;border-radius:.5rem;padding:1rem;overflow:auto;font-size:.875rem}
.error{background:#ffebe9;color:#82071e;padding:.75rem 1rem;border-radius:.5rem;font-weight:600}
form{display:inline-block;margin:.5rem .5rem 0 0}
code{overflow-wrap:anywhere}
`;
const STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

function layout(content: SafeHtml, formActions: string[]): { body: string; headers: Record<string, string> } {
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sample app · tinyoauth demo</title><style>${new SafeHtml(STYLE)}</style></head>
<body><main><p class="app">Sample app (a third-party client of tinyoauth)</p>
${content}
</main></body></html>`;
  return {
    body: body.markup,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; style-src ${STYLE_SOURCE}; form-action 'self' ${formActions.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  };
}

export async function startSampleApp(options: SampleAppOptions): Promise<SampleApp> {
  const { config } = options;
  const log = options.log ?? (() => {});
  const issuer = new URL(config.issuer);
  // Plain http is only for tinyoauth on this machine; oauth4webapi refuses it unless told.
  const insecure = { [oauth.allowInsecureRequests]: issuer.protocol === 'http:' };
  const visits = new Map<string, Visit>();

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  const redirectUri = `${url}/callback`;

  let registered: SampleClientState;
  try {
    registered = await ensureSampleClient(config, redirectUri, options.stateFile);
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  const client: oauth.Client = { client_id: registered.clientId };
  const clientAuth = oauth.ClientSecretBasic(registered.clientSecret);

  let metadata: oauth.AuthorizationServer | undefined;
  async function authorizationServer(): Promise<oauth.AuthorizationServer> {
    // Discovery on first use: tinyoauth starts listening after this module does.
    metadata ??= await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
    return metadata;
  }

  function visitOf(request: IncomingMessage): { id: string; visit: Visit; cookie?: string } {
    const now = Date.now();
    const id = /(?:^|;\s*)sample_app_session=([A-Za-z0-9_-]{43})(?:;|$)/.exec(
      request.headers.cookie ?? '',
    )?.[1];
    const existing = id ? visits.get(id) : undefined;
    if (id && existing && existing.expiresAt > now) return { id, visit: existing };
    if (visits.size >= MAX_SESSIONS) visits.delete(visits.keys().next().value as string);
    const fresh = randomBytes(32).toString('base64url');
    const visit: Visit = { expiresAt: now + SESSION_TTL_MS };
    visits.set(fresh, visit);
    return {
      id: fresh,
      visit,
      cookie: `${COOKIE}=${fresh}; Path=/; Max-Age=${SESSION_TTL_MS / 1000}; HttpOnly; SameSite=Lax`,
    };
  }

  function send(response: ServerResponse, status: number, headers: Record<string, string>, body = '') {
    response.writeHead(status, headers);
    response.end(body);
  }

  function home(visit: Visit): { body: string; headers: Record<string, string> } {
    const signOut = html`<form method="post" action="/logout"><button type="submit" class="secondary">Sign out of the sample app</button></form>
<p><a href="${config.issuer}/signout">Sign out of tinyoauth</a></p>`;
    let content: SafeHtml;
    if (visit.result) {
      const answer = visit.result.answer as { message?: string; caller?: { sub?: string } };
      content = html`<h1>Signed in with tinyoauth</h1>
<p id="protected-message">${answer.message ?? ''}</p>
<p>The app called <code>${config.issuer}/protected/resource</code> with its access token (scope <code>${visit.result.scope ?? ''}</code>, expires in ${visit.result.expiresIn ?? '?'} s). The protected service answered:</p>
<pre id="protected-answer">${JSON.stringify(visit.result.answer, null, 2)}</pre>
${signOut}`;
    } else {
      content = html`<h1>Welcome</h1>
${visit.error ? html`<p class="error" role="alert" id="app-error">${visit.error}</p>` : ''}
<p>This app has no accounts of its own. Sign in with tinyoauth to let it read your data.</p>
<form method="post" action="/login"><button type="submit">Sign in with tinyoauth</button></form>`;
    }
    return layout(content, [issuer.origin]);
  }

  /** Starts the flow: PKCE verifier and state kept server side, the browser sent to /authorize. */
  async function login(visit: Visit): Promise<string> {
    const as = await authorizationServer();
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    visit.pending = { verifier, state };
    visit.error = undefined;
    const target = new URL(as.authorization_endpoint as string);
    target.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: redirectUri,
      scope: SAMPLE_APP_SCOPE,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    return target.toString();
  }

  /** Finishes the flow: checks state and iss, redeems the code, calls the protected API. */
  async function callback(visit: Visit, currentUrl: URL): Promise<void> {
    const pending = visit.pending;
    visit.pending = undefined; // one use, whatever happens
    if (!pending) throw new Error('No sign-in was started in this browser (or it expired). Start again.');
    const as = await authorizationServer();
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, client, currentUrl, pending.state);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) {
        throw new Error(
          `tinyoauth answered ${error.error}${error.error_description ? `: ${error.error_description}` : ''}`,
        );
      }
      throw error;
    }
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        params,
        redirectUri,
        pending.verifier,
        insecure,
      ),
    );
    const answer = await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL(`${config.issuer}/protected/resource`),
      undefined,
      undefined,
      insecure,
    );
    if (!answer.ok) throw new Error(`The protected resource answered ${answer.status}`);
    visit.result = { answer: await answer.json(), scope: tokens.scope, expiresIn: tokens.expires_in };
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const current = new URL(request.url ?? '/', url);
      const { id, visit, cookie } = visitOf(request);
      const cookies: Record<string, string> = cookie ? { 'Set-Cookie': cookie } : {};
      const route = `${request.method} ${current.pathname}`;
      request.resume(); // no request bodies are read
      try {
        if (route === 'GET /') {
          const { body, headers } = home(visit);
          return send(response, 200, { ...headers, ...cookies }, body);
        }
        if (route === 'POST /login') {
          return send(response, 303, { Location: await login(visit), ...cookies });
        }
        if (route === 'GET /callback') {
          try {
            await callback(visit, current);
            log(
              `sample app: signed in ${(visit.result?.answer as { caller?: { sub?: string } })?.caller?.sub ?? ''}`,
            );
          } catch (error) {
            visit.result = undefined;
            visit.error = (error as Error).message;
            log(`sample app: sign-in failed: ${visit.error}`);
          }
          return send(response, 303, { Location: '/', ...cookies });
        }
        if (route === 'POST /logout') {
          visits.delete(id);
          return send(response, 303, {
            Location: '/',
            'Set-Cookie': `${COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`,
          });
        }
        return send(response, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Not found');
      } catch (error) {
        log(`sample app: ${route} failed: ${(error as Error).message}`);
        return send(
          response,
          500,
          { 'Content-Type': 'text/plain; charset=utf-8' },
          'The sample app failed; see the npm start output.',
        );
      }
    })();
  });

  return {
    url,
    clientId: registered.clientId,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Env = Record<string, string | undefined>;

/**
 * `npm start`'s sample app, configured by SAMPLE_APP_PORT (default 3001; `off` disables it) and
 * SAMPLE_APP_STATE_FILE (default `.data/sample-app.json`). A busy port is a warning, not a failure:
 * tinyoauth itself keeps running.
 */
export async function startSampleAppFromEnv(
  env: Env,
  config: Config,
  print: (line: string) => void = console.log,
): Promise<SampleApp | undefined> {
  const raw = env.SAMPLE_APP_PORT ?? '3001';
  if (raw === 'off') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`SAMPLE_APP_PORT must be a port number or "off", got "${raw}"`);
  }
  const stateFile = resolve(PROJECT_ROOT, env.SAMPLE_APP_STATE_FILE || '.data/sample-app.json');
  try {
    const app = await startSampleApp({
      config,
      port,
      host: env.HOST || '127.0.0.1',
      stateFile,
      log: print,
    });
    print(`Sample app at ${app.url} (client ${app.clientId}; SAMPLE_APP_PORT=off disables it)`);
    return app;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    print(`Sample app not started: port ${port} is in use (set SAMPLE_APP_PORT to another port).`);
    return undefined;
  }
}
