import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createKeySetResource } from '#adapters/keys/custom-resource';
import { currentKeySet as current, keySecretsTestbed as setup } from '../../../fakes/secret-store.ts';

const T0 = 1_750_000_000;

describe('the CloudFormation custom resource', () => {
  const event = (type: 'Create' | 'Update' | 'Delete') =>
    ({
      RequestType: type,
      ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/signed',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/TinyOAuth/1',
      RequestId: 'request-1',
      LogicalResourceId: 'KeySet',
      ResourceType: 'Custom::TinyOAuthKeySet',
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:init',
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:init' },
      ...(type === 'Create' ? {} : { PhysicalResourceId: 'ignored', OldResourceProperties: {} }),
    }) as unknown as CloudFormationCustomResourceEvent;

  function resource() {
    const context = setup();
    const fetch = vi.fn(
      async (_url: string | URL | Request, _init?: RequestInit) => new Response('', { status: 200 }),
    );
    const handler = createKeySetResource({
      store: context.store,
      secrets: context.secrets,
      clock: () => T0 * 1000,
      logger: context.logger,
      fetch: fetch as unknown as typeof globalThis.fetch,
    });
    const answer = () => {
      const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
      return { url, init, body: JSON.parse(init.body as string) };
    };
    return { ...context, fetch, handler, answer };
  }

  it('creates the key set and answers SUCCESS with a stable physical id and no key material', async () => {
    const { handler, answer, store, secrets, lines } = resource();
    await handler(event('Create'));

    const { url, init, body } = answer();
    expect(url).toBe('https://cloudformation-custom-resource-response.s3.amazonaws.com/signed');
    expect(init.method).toBe('PUT');
    expect(body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: secrets.signing,
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/TinyOAuth/1',
      RequestId: 'request-1',
      LogicalResourceId: 'KeySet',
    });
    const document = await current(store, secrets.signing);
    expect(body.Data).toEqual({ CurrentKeyId: document.keys[0]?.kid });
    const privatePart = document.keys[0]?.privateJwk.d as string;
    expect(init.body).not.toContain(privatePart);
    expect(lines.join('\n')).not.toContain(privatePart);
  });

  it('answers FAILED with the reason when Secrets Manager fails, instead of leaving CloudFormation waiting', async () => {
    const { handler, answer, store } = resource();
    store.failNext = 'PutSecretValue';
    await handler(event('Create'));

    expect(answer().body).toMatchObject({
      Status: 'FAILED',
      Reason: 'InternalServiceError: Simulated failure',
    });
  });

  it('keeps the key set on Update and touches nothing on Delete', async () => {
    const { handler, store, secrets, fetch } = resource();
    await handler(event('Create'));
    const before = await current(store, secrets.signing);
    await handler(event('Update'));
    expect(await current(store, secrets.signing)).toEqual(before);

    const calls = store.calls.length;
    await handler(event('Delete'));
    expect(store.calls.length).toBe(calls);
    expect(JSON.parse((fetch.mock.calls[2] as [string, RequestInit])[1].body as string).Status).toBe(
      'SUCCESS',
    );
  });
});
