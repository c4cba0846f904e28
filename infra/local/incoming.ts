/** An HTTP request read as API Gateway receives it: normalised path, raw headers, a bounded body. */
import type { IncomingMessage } from 'node:http';
import type { IncomingRequest } from './events.ts';

class TooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new TooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.pause();
        reject(new TooLarge());
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const pairs = (raw: string[]): [string, string][] => {
  const out: [string, string][] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) out.push([raw[index]!, raw[index + 1]!]);
  return out;
};

export const lastHeader = (rawHeaders: readonly [string, string][], name: string): string | undefined =>
  rawHeaders.findLast(([key]) => key.toLowerCase() === name)?.[1];

/** The request with its whole body, or undefined when the body is over `maxBytes` (left unread). */
export async function readRequest(
  request: IncomingMessage,
  maxBytes: number,
): Promise<IncomingRequest | undefined> {
  // WHATWG parsing resolves dot segments (also `%2e`), so routing, the method ARN the policy is checked
  // against and the path a backend receives are one and the same: `/protected/a/../admin` is `/protected/admin`.
  const url = new URL(request.url ?? '/', 'http://gateway.invalid');
  let body: Buffer;
  try {
    body = await readBody(request, maxBytes);
  } catch (error) {
    if (error instanceof TooLarge) return undefined;
    throw error;
  }
  return {
    method: (request.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.search.slice(1),
    rawHeaders: pairs(request.rawHeaders),
    body,
    sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
  };
}
