/** The node:http(s) client DynamoDB, Secrets Manager and the authorizer's JWKS use, against a local server. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTimeout, send } from '#adapters/http-client';

let server: Server;
let base: URL;
const received: { method?: string; headers: IncomingMessage['headers']; body: string }[] = [];
let sockets = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ method: request.method, headers: request.headers, body });
      if (request.url === '/slow') return; // never answers
      if (request.url === '/cut') {
        response.writeHead(200, { 'content-length': '100' });
        response.write('partial');
        response.socket?.destroy();
        return;
      }
      response.writeHead(request.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ echo: body, ü: 'ß' }));
    });
  });
  server.on('connection', () => {
    sockets++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('send', () => {
  it('posts the body with its length and the given headers, and returns status and UTF-8 text', async () => {
    const response = await send(new URL('/echo', base), {
      method: 'POST',
      headers: { 'x-amz-target': 'Test.Echo' },
      body: '{"név":"é"}',
      timeoutMs: 2000,
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ echo: '{"név":"é"}', ü: 'ß' });
    const request = received.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.headers['x-amz-target']).toBe('Test.Echo');
    expect(request?.headers['content-length']).toBe(String(Buffer.byteLength('{"név":"é"}')));
  });

  it('returns error statuses instead of throwing', async () => {
    const response = await send(new URL('/missing', base), { method: 'GET', timeoutMs: 2000 });
    expect(response.status).toBe(404);
  });

  it('keeps the connection alive between requests', async () => {
    await send(new URL('/a', base), { method: 'GET', timeoutMs: 2000 });
    const before = sockets;
    await send(new URL('/b', base), { method: 'GET', timeoutMs: 2000 });
    await send(new URL('/c', base), { method: 'GET', timeoutMs: 2000 });
    expect(sockets).toBe(before);
  });

  it('gives up after the timeout', async () => {
    const started = Date.now();
    await expect(send(new URL('/slow', base), { method: 'GET', timeoutMs: 200 })).rejects.toBeInstanceOf(
      HttpTimeout,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rejects a response cut off before its end', async () => {
    await expect(send(new URL('/cut', base), { method: 'GET', timeoutMs: 2000 })).rejects.toThrow();
  });

  it('rejects when nothing listens, and refuses other schemes', async () => {
    await expect(send(new URL('http://127.0.0.1:9/'), { method: 'GET', timeoutMs: 2000 })).rejects.toThrow(
      /ECONNREFUSED/,
    );
    await expect(send(new URL('file:///etc/passwd'), { method: 'GET', timeoutMs: 2000 })).rejects.toThrow(
      TypeError,
    );
  });
});
