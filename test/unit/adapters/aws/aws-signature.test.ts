/**
 * The SigV4 signer against AWS's Signature Version 4 test suite (aws-sig-v4-test-suite: example
 * credentials, service `service`, us-east-1, 2015-08-30T12:36:00Z), whose canonical requests, strings to
 * sign and signatures are published with it.
 */
import { describe, expect, it } from 'vitest';
import { amzDate, environmentCredentials, signRequest } from '#adapters/aws/aws-signature';

const SUITE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SCOPE = { service: 'service', region: 'us-east-1' };
const NOW = new Date('2015-08-30T12:36:00Z');
const CREDENTIAL = 'Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const STS_TOKEN =
  'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==';

const sign = (
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string; sessionToken?: string } = {},
) =>
  signRequest(
    { method, url: new URL(url), headers: options.headers ?? {}, body: options.body ?? '' },
    { ...SUITE, sessionToken: options.sessionToken },
    SCOPE,
    NOW,
  );

describe('AWS Signature Version 4', () => {
  it('get-vanilla: canonical request, string to sign and signature', () => {
    const signed = sign('GET', 'https://example.amazonaws.com/');
    expect(signed.canonicalRequest).toBe(
      `GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY_SHA256}`,
    );
    expect(signed.stringToSign).toBe(
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63',
    );
    expect(signed.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 ${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`,
    );
  });

  it('get-vanilla-query-order-key-case: sorts the query by key', () => {
    const signed = sign('GET', 'https://example.amazonaws.com/?Param2=value2&Param1=value1');
    expect(signed.canonicalRequest.split('\n')[2]).toBe('Param1=value1&Param2=value2');
    expect(signed.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 ${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500`,
    );
  });

  it('post-vanilla', () => {
    expect(sign('POST', 'https://example.amazonaws.com/').headers.authorization).toBe(
      `AWS4-HMAC-SHA256 ${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b`,
    );
  });

  it('post-x-www-form-urlencoded: signs the content type and hashes the body', () => {
    const signed = sign('POST', 'https://example.amazonaws.com/', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Param1=value1',
    });
    expect(signed.canonicalRequest).toBe(
      'POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e',
    );
    expect(signed.stringToSign.split('\n')[3]).toBe(
      '42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281',
    );
    expect(signed.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 ${CREDENTIAL}, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a`,
    );
  });

  it('post-sts-header-before: signs the session token and sends it', () => {
    const signed = sign('POST', 'https://example.amazonaws.com/', { sessionToken: STS_TOKEN });
    expect(signed.stringToSign.split('\n')[3]).toBe(
      'c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6',
    );
    expect(signed.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 ${CREDENTIAL}, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead`,
    );
    expect(signed.headers['x-amz-security-token']).toBe(STS_TOKEN);
  });

  it('returns every header it signed, lower-cased, and changes the signature with any of them', () => {
    const request = (target: string) =>
      sign('POST', 'https://dynamodb.us-east-1.amazonaws.com/', {
        headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target },
        body: '{"TableName":"t"}',
      }).headers;
    const headers = request('DynamoDB_20120810.GetItem');
    expect(headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      host: 'dynamodb.us-east-1.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
    });
    expect(headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-target,');
    expect(request('DynamoDB_20120810.DeleteItem').authorization).not.toBe(headers.authorization);
  });

  it('derives a different key for another day, region or service', () => {
    const base = sign('GET', 'https://example.amazonaws.com/').headers.authorization;
    const other = (scope: typeof SCOPE, now: Date) =>
      signRequest(
        { method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: {}, body: '' },
        SUITE,
        scope,
        now,
      ).headers.authorization;
    const signature = (authorization: string | undefined) => authorization?.split('Signature=')[1];
    const signatures = new Set([
      signature(base),
      signature(other({ ...SCOPE, region: 'eu-west-1' }, NOW)),
      signature(other({ ...SCOPE, service: 'dynamodb' }, NOW)),
      signature(other(SCOPE, new Date('2015-08-31T12:36:00Z'))),
    ]);
    expect(signatures.size).toBe(4);
    // And the cached key of the original scope is still the right one.
    expect(sign('GET', 'https://example.amazonaws.com/').headers.authorization).toBe(base);
  });

  it('formats the date as SigV4 wants it', () => {
    expect(amzDate(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102T030405Z');
  });

  it('reads Lambda credentials from the environment, without an empty session token', () => {
    expect(
      environmentCredentials({
        AWS_ACCESS_KEY_ID: 'AKID',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: '',
      }),
    ).toEqual({ accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: undefined });
    expect(environmentCredentials({}, 'local')).toMatchObject({
      accessKeyId: 'local',
      secretAccessKey: 'local',
    });
  });
});
