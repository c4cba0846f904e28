/**
 * One call of an AWS JSON-protocol API (DynamoDB, Secrets Manager): signed with SigV4 for each call,
 * because a signature carries the time it was made, and POSTed over node:https.
 */

import { type HttpResponse, send } from '#adapters/http-client';
import { type AwsCredentials, signRequest } from './aws-signature.ts';

/** Far above DynamoDB's latency; a request still open by then is retried (or fails) instead of hanging. */
const REQUEST_TIMEOUT_MS = 5000;

export interface AwsJsonApi {
  url: URL;
  /** SigV4 service name, e.g. `dynamodb`. */
  service: string;
  region: string;
  credentials: AwsCredentials;
  /** `application/x-amz-json-1.0` or `-1.1`, as the service defines. */
  contentType: string;
  /** Prefix of `X-Amz-Target`, e.g. `DynamoDB_20120810`. */
  targetPrefix: string;
}

export function postAwsJson(api: AwsJsonApi, operation: string, body: string): Promise<HttpResponse> {
  const { headers } = signRequest(
    {
      method: 'POST',
      url: api.url,
      headers: { 'content-type': api.contentType, 'x-amz-target': `${api.targetPrefix}.${operation}` },
      body,
    },
    api.credentials,
    { service: api.service, region: api.region },
  );
  return send(api.url, { method: 'POST', headers, body, timeoutMs: REQUEST_TIMEOUT_MS });
}
