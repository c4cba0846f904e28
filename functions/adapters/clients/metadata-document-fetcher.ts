/**
 * Fetches Client ID Metadata Documents (core/clients/metadata-documents.ts) without letting a client_id
 * reach into the network tinyoauth runs in (SSRF). A client_id is a URL anyone can choose, so:
 * - https only (plain http only for `localhost`, and only when a local-development setting allows it);
 * - the host is resolved first, and every address it resolves to must be a global unicast address
 *   (ipaddr.js classifies: no private, loopback, link-local, unique-local, multicast, unspecified,
 *   carrier-grade NAT, reserved or documentation ranges, of either family, IPv4-mapped included);
 * - the connection goes to the address that was checked (a custom `lookup`), so a second DNS answer
 *   cannot swap in another one (DNS rebinding); TLS still verifies the certificate for the host name;
 * - no redirect is followed; the body is read up to a size limit, and the whole fetch has a deadline.
 */
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import type { FetchedDocument, MetadataDocumentFetcher } from '#core/clients/metadata-documents';

export const DOCUMENT_TIMEOUT_MS = 3000;
export const MAX_DOCUMENT_BYTES = 16 * 1024;
/** How long a document without caching headers is reused. */
export const DEFAULT_DOCUMENT_AGE_SECONDS = 300;

/** Why a document was not fetched; its message is logged, never shown to the client. */
export class DocumentRefused extends Error {}

export interface DocumentFetcherOptions {
  /** Local development and tests only: documents at `localhost` (http or https), resolving to loopback. */
  allowLocalhost: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  /** Every address a host name resolves to; DNS unless a test says otherwise. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

const rangeOf = (address: string): string | undefined =>
  ipaddr.isValid(address) ? ipaddr.process(address).range() : undefined;

/** A global unicast address: the only kind a document may be fetched from. */
export const isGlobalAddress = (address: string): boolean => rangeOf(address) === 'unicast';

export function createMetadataDocumentFetcher(options: DocumentFetcherOptions): MetadataDocumentFetcher {
  return {
    async fetch(url) {
      const timeoutMs = options.timeoutMs ?? DOCUMENT_TIMEOUT_MS;
      const deadline = AbortSignal.timeout(timeoutMs);
      const target = new URL(url);
      const address = await withDeadline(checkedAddress(target, options), deadline, timeoutMs);
      return get(target, { address, deadline, timeoutMs, maxBytes: options.maxBytes ?? MAX_DOCUMENT_BYTES });
    },
  };
}

async function checkedAddress(url: URL, options: DocumentFetcherOptions): Promise<LookupAddress> {
  const local = options.allowLocalhost && url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !local) throw new DocumentRefused('only https documents are fetched');
  const resolve = options.resolve ?? ((hostname) => lookup(hostname, { all: true, verbatim: true }));
  const addresses = await resolve(url.hostname.replace(/^\[|\]$/g, ''));
  if (addresses.length === 0) throw new DocumentRefused(`${url.hostname} resolves to no address`);
  const allowed = local ? (address: string) => rangeOf(address) === 'loopback' : isGlobalAddress;
  const refused = addresses.find(({ address }) => !allowed(address));
  if (refused) {
    throw new DocumentRefused(
      `${url.hostname} resolves to ${refused.address}, which is not a public address`,
    );
  }
  return addresses[0] as LookupAddress;
}

function withDeadline<T>(promise: Promise<T>, deadline: AbortSignal, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const expire = () => reject(new DocumentRefused(`no answer within ${timeoutMs} ms`));
    if (deadline.aborted) return expire();
    deadline.addEventListener('abort', expire, { once: true });
    promise.then(resolve, reject).finally(() => deadline.removeEventListener('abort', expire));
  });
}

interface Pinned {
  address: LookupAddress;
  deadline: AbortSignal;
  timeoutMs: number;
  maxBytes: number;
}

/** One GET to the checked address; anything but a 200 with a JSON body within the limits is refused. */
function get(url: URL, pinned: Pinned): Promise<FetchedDocument> {
  return new Promise((resolve, reject) => {
    const { address, family } = pinned.address;
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      headers: { accept: 'application/json' },
      agent: false,
      lookup: (_hostname, options, callback) =>
        (options as { all?: boolean }).all
          ? (callback as (error: null, addresses: LookupAddress[]) => void)(null, [pinned.address])
          : callback(null, address, family),
    });
    const fail = (error: Error) => {
      request.destroy();
      reject(error);
    };
    const expire = () => fail(new DocumentRefused(`no answer within ${pinned.timeoutMs} ms`));
    if (pinned.deadline.aborted) return expire();
    pinned.deadline.addEventListener('abort', expire, { once: true });
    request.on('close', () => pinned.deadline.removeEventListener('abort', expire));
    request.on('error', (error) => reject(new DocumentRefused(error.message)));
    request.on('response', (response) => {
      const problem = responseProblem(response, pinned.maxBytes);
      if (problem) return fail(new DocumentRefused(problem));
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > pinned.maxBytes) return fail(new DocumentRefused(`larger than ${pinned.maxBytes} bytes`));
        chunks.push(chunk);
      });
      response.on('end', () => {
        try {
          resolve({
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
            maxAgeSeconds: maxAge(response),
          });
        } catch {
          reject(new DocumentRefused('not valid JSON'));
        }
      });
    });
    request.end();
  });
}

function responseProblem(response: http.IncomingMessage, maxBytes: number): string | undefined {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) return `answered ${status}: redirects are not followed`;
  if (status !== 200) return `answered ${status}`;
  const type = (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && !type.endsWith('+json')) return `served as "${type}", not JSON`;
  if (Number(response.headers['content-length'] ?? 0) > maxBytes) return `larger than ${maxBytes} bytes`;
  return undefined;
}

/** Seconds the document may be reused, per its Cache-Control (RFC 9111 §5.2.2); the core bounds it. */
function maxAge(response: http.IncomingMessage): number {
  const directives = (response.headers['cache-control'] ?? '')
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
  const age = directives.find((d) => d.startsWith('max-age='));
  if (age === undefined) return DEFAULT_DOCUMENT_AGE_SECONDS;
  const seconds = Number(age.slice('max-age='.length));
  return Number.isInteger(seconds) && seconds >= 0 ? seconds : 0;
}
