/**
 * `npm run event -- <METHOD> <path?query> [body] [-H 'Name: value']… [--authorizer '{"sub":"…"}']`
 * prints the API Gateway event the local gateway would build for that request, matched against
 * infra/routes.ts, ready to save as `events/<function>.json` for `npm run invoke`.
 * `--token 'Bearer …'` prints the TOKEN authorizer event for the request instead.
 *
 *     npm run event -- POST /login '{"username":"alice","password":"…"}' > events/login.json
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { routes } from '#infra/routes';
import { buildProxyEvent, buildTokenAuthorizerEvent } from './events.ts';
import { compileRoutes, matchRoute } from './routing.ts';

const USAGE =
  "Usage: npm run event -- <METHOD> <path?query> [body] [-H 'Name: value']… [--authorizer '<context JSON>'] [--token '<Authorization value>']";

/** What curl would send: its default headers, the ones given, and a content type and length for a body. */
function curlHeaders(given: readonly string[], body: string | undefined): [string, string][] {
  const rawHeaders: [string, string][] = [
    ['Host', 'localhost:3000'],
    ['User-Agent', 'curl/8.5.0'],
    ['Accept', '*/*'],
  ];
  for (const header of given) {
    const colon = header.indexOf(':');
    if (colon < 1) throw new Error(`A header is "Name: value", got "${header}"`);
    rawHeaders.push([header.slice(0, colon).trim(), header.slice(colon + 1).trim()]);
  }
  if (body !== undefined && !rawHeaders.some(([name]) => name.toLowerCase() === 'content-type')) {
    // What curl sends: -d is a form, unless the body is evidently JSON.
    const json = /^\s*[{[]/.test(body);
    rawHeaders.push(['Content-Type', json ? 'application/json' : 'application/x-www-form-urlencoded']);
  }
  const length = Buffer.byteLength(body ?? '', 'utf8');
  if (length > 0) rawHeaders.push(['Content-Length', String(length)]);
  return rawHeaders;
}

/** `--authorizer` JSON as API Gateway passes an authorizer's context on: strings, plus principalId. */
function authorizerContext(json: string): Record<string, string | number> {
  const context = JSON.parse(json) as Record<string, unknown>;
  const authorizer: Record<string, string | number> = Object.fromEntries(
    Object.entries(context).map(([key, value]) => [key, String(value)]),
  );
  authorizer.principalId ??= String(context.sub ?? 'principal');
  authorizer.integrationLatency = 0;
  return authorizer;
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      header: { type: 'string', short: 'H', multiple: true },
      authorizer: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const [rawMethod, target, body] = positionals;
  if (!rawMethod || !target || positionals.length > 3) throw new Error(USAGE);
  const method = rawMethod.toUpperCase();
  const url = new URL(target, 'http://localhost:3000');

  if (values.token !== undefined) return buildTokenAuthorizerEvent(values.token, method, url.pathname);

  const match = matchRoute(compileRoutes(routes), method, url.pathname);
  if (!match) throw new Error(`No route of infra/routes.ts answers ${method} ${url.pathname}`);
  const authorizer = values.authorizer === undefined ? undefined : authorizerContext(values.authorizer);
  return buildProxyEvent(
    {
      method,
      path: url.pathname,
      query: url.search.slice(1),
      rawHeaders: curlHeaders(values.header ?? [], body),
      body: Buffer.from(body ?? '', 'utf8'),
      sourceIp: '127.0.0.1',
    },
    {
      requestId: randomUUID(),
      now: Date.now(),
      resource: match.route.path,
      pathParameters: match.pathParameters,
      ...(authorizer ? { authorizer } : {}),
    },
  );
}

try {
  console.log(JSON.stringify(main(), null, 2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
