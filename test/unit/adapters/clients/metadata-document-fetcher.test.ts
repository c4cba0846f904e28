/**
 * The SSRF guard of client metadata documents, over real sockets: private, loopback, link-local and
 * other non-global addresses are refused before any connection, redirects are not followed, and
 * oversized or slow documents are cut off. Host names resolve through an injected resolver, so the
 * tests can make a name point anywhere; the servers they reach run on loopback, which only the local
 * development setting admits (and then only for `localhost`).
 */
import type { LookupAddress } from 'node:dns';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMetadataDocumentFetcher,
  DEFAULT_DOCUMENT_AGE_SECONDS,
  DocumentRefused,
  isGlobalAddress,
} from '#adapters/clients/metadata-document-fetcher';

type Route = (response: ServerResponse) => void;
const routes: Record<string, Route> = {
  '/ok.json': (r) => {
    r.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=120' });
    r.end(JSON.stringify({ client_id: 'x' }));
  },
  '/plain.json': (r) => {
    r.writeHead(200, { 'content-type': 'application/json' });
    r.end('{}');
  },
  '/no-store.json': (r) => {
    r.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    r.end('{}');
  },
  '/redirect.json': (r) => {
    r.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
    r.end();
  },
  '/big.json': (r) => {
    r.writeHead(200, { 'content-type': 'application/json' });
    r.end(JSON.stringify({ padding: 'x'.repeat(20_000) }));
  },
  '/big-chunked.json': (r) => {
    r.writeHead(200, { 'content-type': 'application/json' });
    r.write(`{"padding":"${'x'.repeat(10_000)}`);
    r.write('x'.repeat(10_000));
    r.end('"}');
  },
  '/slow.json': (r) => {
    setTimeout(() => {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.end('{}');
    }, 1000);
  },
  '/html': (r) => {
    r.writeHead(200, { 'content-type': 'text/html' });
    r.end('<p>hi</p>');
  },
};

let server: Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push(request.url ?? '');
    const route = routes[request.url ?? ''];
    if (route) route(response);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const resolvingTo =
  (...addresses: string[]) =>
  async (): Promise<LookupAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DocumentRefused);
  return (error as Error).message;
};

describe('address classification (ipaddr.js)', () => {
  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'ff02::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '2001:db8::1',
  ])('%s is not global', (address) => {
    expect(isGlobalAddress(address)).toBe(false);
  });

  it.each(['93.184.215.14', '2606:4700::6810:85e5'])('%s is', (address) => {
    expect(isGlobalAddress(address)).toBe(true);
  });
});

describe('fetching a client metadata document in the cloud (no localhost)', () => {
  it.each([
    ['a private address', '10.0.0.5'],
    ['loopback', '127.0.0.1'],
    ['the metadata service (link-local)', '169.254.169.254'],
    ['IPv6 loopback', '::1'],
    ['IPv6 link-local', 'fe80::1'],
    ['a unique-local address', 'fd12:3456::1'],
    ['an IPv4-mapped private address', '::ffff:192.168.0.1'],
  ])('refuses a host that resolves to %s, before connecting', async (_, address) => {
    const fetcher = createMetadataDocumentFetcher({ allowLocalhost: false, resolve: resolvingTo(address) });
    const before = hits.length;
    expect(await refusal(fetcher.fetch('https://client.example.com/ok.json'))).toContain(
      `resolves to ${address}, which is not a public address`,
    );
    expect(hits.length).toBe(before);
  });

  it('refuses a host with one public and one private address', async () => {
    const fetcher = createMetadataDocumentFetcher({
      allowLocalhost: false,
      resolve: resolvingTo('93.184.215.14', '10.0.0.5'),
    });
    expect(await refusal(fetcher.fetch('https://client.example.com/ok.json'))).toContain('10.0.0.5');
  });

  it('refuses plain http, and localhost, without the local setting', async () => {
    const fetcher = createMetadataDocumentFetcher({
      allowLocalhost: false,
      resolve: resolvingTo('127.0.0.1'),
    });
    expect(await refusal(fetcher.fetch(`http://localhost:${port}/ok.json`))).toBe(
      'only https documents are fetched',
    );
    expect(await refusal(fetcher.fetch(`https://localhost:${port}/ok.json`))).toContain(
      'not a public address',
    );
  });
});

describe('fetching with the local development setting', () => {
  const resolved: string[] = [];
  const local = (timeoutMs = 3000) =>
    createMetadataDocumentFetcher({
      allowLocalhost: true,
      timeoutMs,
      resolve: async (hostname) => {
        resolved.push(hostname);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });

  it('fetches from localhost, connecting to the address it checked (one resolution), with its max-age', async () => {
    resolved.length = 0;
    expect(await local().fetch(`http://localhost:${port}/ok.json`)).toEqual({
      body: { client_id: 'x' },
      maxAgeSeconds: 120,
    });
    expect(resolved).toEqual(['localhost']);
    expect((await local().fetch(`http://localhost:${port}/plain.json`)).maxAgeSeconds).toBe(
      DEFAULT_DOCUMENT_AGE_SECONDS,
    );
    expect((await local().fetch(`http://localhost:${port}/no-store.json`)).maxAgeSeconds).toBe(0);
  });

  it('still refuses localhost when it resolves to anything but loopback', async () => {
    const fetcher = createMetadataDocumentFetcher({ allowLocalhost: true, resolve: resolvingTo('10.0.0.1') });
    expect(await refusal(fetcher.fetch(`http://localhost:${port}/ok.json`))).toContain(
      'not a public address',
    );
  });

  it('does not follow a redirect (here to the link-local metadata service)', async () => {
    expect(await refusal(local().fetch(`http://localhost:${port}/redirect.json`))).toBe(
      'answered 302: redirects are not followed',
    );
  });

  it('refuses an oversized document, announced or streamed', async () => {
    expect(await refusal(local().fetch(`http://localhost:${port}/big.json`))).toBe('larger than 16384 bytes');
    expect(await refusal(local().fetch(`http://localhost:${port}/big-chunked.json`))).toBe(
      'larger than 16384 bytes',
    );
  });

  it('gives up on a slow document at the deadline', async () => {
    const started = Date.now();
    expect(await refusal(local(200).fetch(`http://localhost:${port}/slow.json`))).toBe(
      'no answer within 200 ms',
    );
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('refuses anything but JSON, and any status but 200', async () => {
    expect(await refusal(local().fetch(`http://localhost:${port}/html`))).toBe(
      'served as "text/html", not JSON',
    );
    expect(await refusal(local().fetch(`http://localhost:${port}/missing.json`))).toBe('answered 404');
  });
});
