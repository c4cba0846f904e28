/**
 * The sample third-party web app that `npm start` serves next to tinyoauth, on its own origin
 * (http://localhost:3001, SAMPLE_APP_PORT): a confidential client (sample-client.ts) that signs its
 * user in with OpenID Connect (sample-oauth.ts), calls `/protected/resource` with the access token and
 * shows who signed in and what the service answered (sample-pages.ts); "sign out everywhere" is an
 * RP-initiated logout. The browser never sees a token or the client secret.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Config } from '#adapters/config';
import { ConfigError } from '#contract/config-error';
import { PROJECT_ROOT } from '#infra/paths';
import { ensureSampleClient, postLogoutRedirectUri, type SampleClientState } from './sample-client.ts';
import { SampleOAuthClient } from './sample-oauth.ts';
import { homePage } from './sample-pages.ts';
import { CLEARED_SESSION_COOKIE, type Visit, Visits } from './sample-visits.ts';

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

/** What the request handler works with. */
interface App {
  url: string;
  issuer: string;
  oauth: SampleOAuthClient;
  visits: Visits;
  log: (line: string) => void;
}

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

function send(response: ServerResponse, status: number, headers: Record<string, string>, body = '') {
  response.writeHead(status, headers);
  response.end(body);
}

/** The browser is back from /authorize: the pending flow is used up, whatever happens. */
async function finishSignIn(app: App, visit: Visit, current: URL): Promise<void> {
  try {
    const pending = visit.pending;
    visit.pending = undefined;
    if (!pending) throw new Error('No sign-in was started in this browser (or it expired). Start again.');
    visit.result = await app.oauth.finish(pending, current);
    app.log(
      `sample app: signed in ${(visit.result.answer as { caller?: { sub?: string } })?.caller?.sub ?? ''}`,
    );
  } catch (error) {
    visit.result = undefined;
    visit.error = (error as Error).message;
    app.log(`sample app: sign-in failed: ${visit.error}`);
  }
}

async function handle(app: App, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const current = new URL(request.url ?? '/', app.url);
  const { id, visit, cookie } = app.visits.of(request);
  const cookies: Record<string, string> = cookie ? { 'Set-Cookie': cookie } : {};
  const route = `${request.method} ${current.pathname}`;
  request.resume(); // no request bodies are read
  try {
    if (route === 'GET /') {
      const { body, headers } = homePage(visit, app.issuer);
      return send(response, 200, { ...headers, ...cookies }, body);
    }
    if (route === 'POST /login') {
      const { pending, location } = await app.oauth.start();
      visit.pending = pending;
      visit.error = undefined;
      return send(response, 303, { Location: location, ...cookies });
    }
    if (route === 'GET /callback') {
      await finishSignIn(app, visit, current);
      return send(response, 303, { Location: '/', ...cookies });
    }
    if (route === 'POST /logout') {
      app.visits.forget(id);
      return send(response, 303, { Location: '/', 'Set-Cookie': CLEARED_SESSION_COOKIE });
    }
    if (route === 'POST /logout-everywhere') {
      // RP-initiated logout: the ID token as the hint, so tinyoauth signs the user out without asking.
      const hint = visit.result?.idTokenHint;
      app.visits.forget(id);
      const location = hint ? await app.oauth.logoutLocation(hint) : '/';
      return send(response, 303, { Location: location, 'Set-Cookie': CLEARED_SESSION_COOKIE });
    }
    return send(response, 404, TEXT, 'Not found');
  } catch (error) {
    app.log(`sample app: ${route} failed: ${(error as Error).message}`);
    return send(response, 500, TEXT, 'The sample app failed; see the npm start output.');
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startSampleApp(options: SampleAppOptions): Promise<SampleApp> {
  const { config } = options;
  const server = createServer();
  await listen(server, options.port, options.host ?? '127.0.0.1');
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
  const app: App = {
    url,
    issuer: config.issuer,
    oauth: new SampleOAuthClient({
      issuer: config.issuer,
      clientId: registered.clientId,
      clientSecret: registered.clientSecret,
      redirectUri,
      postLogoutRedirectUri: postLogoutRedirectUri(redirectUri),
    }),
    visits: new Visits(),
    log: options.log ?? (() => {}),
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void handle(app, request, response);
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
