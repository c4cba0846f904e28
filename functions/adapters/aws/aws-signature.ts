/**
 * AWS Signature Version 4 in the Authorization header, with node:crypto only
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
 * tinyoauth signs its own JSON-protocol POSTs to DynamoDB and Secrets Manager: every header it sends is
 * signed, and the payload is hashed in full.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface RequestToSign {
  method: string;
  url: URL;
  /** Header names in any case; they are sent lower-cased. */
  headers: Record<string, string>;
  body: string;
}

export interface SigningScope {
  service: string;
  region: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 unreserved characters stay, everything else is percent-encoded (SigV4's UriEncode). */
const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

/** `20150830T123600Z`. */
export const amzDate = (now: Date) =>
  now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/**
 * The path, each segment decoded and encoded once. (Services other than S3 expect a second encoding
 * of already-encoded segments; tinyoauth only ever posts to `/`, so that case never arises.)
 */
const canonicalPath = (url: URL) =>
  url.pathname
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/') || '/';

const canonicalQuery = (url: URL) =>
  [...url.searchParams]
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');

/** The signing key depends only on the secret, the day, the region and the service: derived once a day. */
let cachedKey: { secret: string; scope: string; key: Buffer } | undefined;

function signingKey(secretAccessKey: string, day: string, { region, service }: SigningScope): Buffer {
  const scope = `${day}/${region}/${service}`;
  if (cachedKey?.secret !== secretAccessKey || cachedKey.scope !== scope) {
    const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), 'aws4_request');
    cachedKey = { secret: secretAccessKey, scope, key };
  }
  return cachedKey.key;
}

export interface Signature {
  /** Every header to send, lower-cased: the request's own, `host`, `x-amz-date`, the session token, `authorization`. */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
}

export function signRequest(
  request: RequestToSign,
  credentials: AwsCredentials,
  scope: SigningScope,
  now: Date = new Date(),
): Signature {
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers.host = request.url.host;
  headers['x-amz-date'] = date;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;

  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalHeaders = names
    .map((name) => `${name}:${String(headers[name]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(request.url),
    canonicalQuery(request.url),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, scope))
    .update(stringToSign, 'utf8')
    .digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign };
}

/** The credentials Lambda gives a function (its role's temporary credentials), or local placeholders. */
export function environmentCredentials(
  env: Record<string, string | undefined> = process.env,
  fallback = '',
): AwsCredentials {
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID || fallback,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY || fallback,
    sessionToken: env.AWS_SESSION_TOKEN || undefined,
  };
}
