/**
 * Outgoing HTTP(S) requests over node:http and node:https, with kept-alive connections and a timeout: the
 * authorizer's JWKS fetch (keys/remote-key-set.ts). Not fetch: Node loads its fetch implementation
 * (undici) on first use, and jose's createRemoteJWKSet does so at construction: measured with the
 * project's bundling, 29 ms of module init against 8 ms for this (DESIGN.md). The AWS SDK's own
 * handler is node:https too, so this costs no module the functions do not load anyway.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Aborts a request that has not completed by then (connecting included). */
  timeoutMs: number;
}

/** The request did not complete within its timeout. */
export class HttpTimeout extends Error {
  override readonly name = 'HttpTimeout';
}

// One connection pool per process: a warm Lambda reuses its TLS connection instead of a handshake per call.
const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
};

export function send(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return Promise.reject(new TypeError(`Only http and https URLs can be requested, got ${url.protocol}`));
  }
  const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: options.method,
        agent: agents[url.protocol as keyof typeof agents],
        headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('close', () => {
          if (!response.complete) reject(new Error(`${url.origin} closed the connection mid-response`));
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    const timer = setTimeout(() => {
      outgoing.destroy(
        new HttpTimeout(`${options.method} ${url.origin} took longer than ${options.timeoutMs} ms`),
      );
    }, options.timeoutMs);
    timer.unref();
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.end(body);
  });
}
