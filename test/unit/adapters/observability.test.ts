import { describe, expect, it } from 'vitest';
import { lineWriter } from '#adapters/logger';
import { ObservedEvents, TALLY_INTERVAL_MS, withinInvocation } from '#adapters/observability';
import { recordingLogger } from '../../fakes/logger.ts';

const SUB = '5a3c1b8e-2f44-4d1e-9d61-0b7c7a1e9f00';
const CLIENT = 'AbCdEfGhIjKlMnOpQrStUv';

function observed(env: Record<string, string> = {}) {
  const { logger, lines } = recordingLogger();
  let now = 1_800_000_000_000;
  const clock = () => now;
  const events = new ObservedEvents({ logger, write: lineWriter(logger), env, clock });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    events,
    lines,
    advance: (milliseconds: number) => {
      now += milliseconds;
    },
    emf: () => parsed().filter((line) => '_aws' in line) as EmfDocument[],
    audit: () => parsed().filter((line) => String(line.message).startsWith('audit ')),
  };
}

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [member: string]: unknown;
}

describe('security events as CloudWatch embedded metric format', () => {
  it('prints one EMF document per dimension set at flush, with the counts of the invocation', () => {
    const { events, emf } = observed();
    events.record({ kind: 'sign_in_succeeded', sub: SUB, sessionId: 's-1' });
    events.record({ kind: 'sign_in_failed', username: 'alice', reason: 'invalid_credentials' });
    events.record({ kind: 'sign_in_failed', username: 'alice', reason: 'locked' });
    events.record({
      kind: 'tokens_issued',
      grantType: 'refresh_token',
      clientId: CLIENT,
      sub: SUB,
      grantId: 'g',
    });
    expect(emf()).toEqual([]);

    events.flush();
    const [plain, byGrantType, ...rest] = emf();
    expect(rest).toEqual([]);
    expect(plain).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'tinyoauth',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'SignInSucceeded', Unit: 'Count' },
              { Name: 'SignInFailed', Unit: 'Count' },
            ],
          },
        ],
      },
      service: 'tinyoauth',
      SignInSucceeded: 1,
      SignInFailed: [1, 1],
    });
    expect(byGrantType).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'tinyoauth',
            Dimensions: [['service', 'GrantType']],
            Metrics: [{ Name: 'TokensIssued', Unit: 'Count' }],
          },
        ],
      },
      service: 'tinyoauth',
      GrantType: 'refresh_token',
      TokensIssued: 1,
    });
  });

  it('puts no user or client identifier in any EMF document', () => {
    const { events, emf } = observed();
    events.record({ kind: 'sign_in_succeeded', sub: SUB, sessionId: 'session-id' });
    events.record({ kind: 'lockout', username: 'alice', until: 1 });
    events.record({ kind: 'client_registered', clientId: CLIENT, owner: SUB });
    events.record({ kind: 'code_replayed', grantId: 'grant-id' });
    events.flush();
    const printed = JSON.stringify(emf());
    for (const identifier of [SUB, CLIENT, 'alice', 'session-id', 'grant-id']) {
      expect(printed).not.toContain(identifier);
    }
    expect(emf()[0]).toMatchObject({ Lockouts: 1, ClientsRegistered: 1, CodeReplay: 1 });
  });

  it('prints nothing when nothing was counted, and each count once', () => {
    const { events, lines } = observed();
    events.flush();
    expect(lines).toEqual([]);
    events.record({ kind: 'code_replayed', grantId: 'g' });
    events.flush();
    events.flush();
    expect(lines.filter((line) => line.includes('"_aws"'))).toHaveLength(1);
  });

  it('tallies the authorizer decisions and prints them once a minute has passed since the first', () => {
    const { events, emf, advance } = observed();
    for (let i = 0; i < 3; i++) events.record({ kind: 'access_allowed' });
    events.record({ kind: 'access_denied' });
    events.flush();
    expect(emf()).toEqual([]);
    advance(TALLY_INTERVAL_MS - 1);
    events.record({ kind: 'access_allowed' });
    events.flush();
    expect(emf()).toEqual([]);
    advance(1);
    events.flush();
    events.flush();
    expect(emf()).toEqual([
      expect.objectContaining({ service: 'tinyoauth', AuthorizerAllowed: 4, AuthorizerDenied: 1 }),
    ]);
  });

  it('uses the namespace and service the deployment names, and the key age as a gauge in seconds', () => {
    const { events, emf } = observed({
      POWERTOOLS_METRICS_NAMESPACE: 'acme',
      POWERTOOLS_SERVICE_NAME: 'Auth/Prod',
    });
    events.record({ kind: 'signing_key_age', ageSeconds: 86_400 });
    events.flush();
    expect(emf()[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'acme', Metrics: [{ Name: 'SigningKeyAge', Unit: 'Seconds' }] }],
      },
      service: 'Auth/Prod',
      SigningKeyAge: 86_400,
    });
  });
});

describe('audit lines', () => {
  it('say who did what to whom and how it ended, with the ids of the invocation', async () => {
    const { events, audit } = observed();
    await withinInvocation(
      { correlation_id: 'api-request', function_request_id: 'lambda-request' },
      async () =>
        events.record({
          kind: 'tokens_issued',
          grantType: 'authorization_code',
          clientId: CLIENT,
          sub: SUB,
          grantId: 'g-1',
        }),
    );
    events.record({ kind: 'refresh_token_reused', grantId: 'g-2' });
    events.record({
      kind: 'admin',
      action: 'user.disable',
      operator: 'arn:aws:sts::123456789012:assumed-role/Ops/jane',
      target: { user: SUB },
      outcome: 'succeeded',
      detail: { sessionsEnded: 2 },
    });

    expect(audit()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'audit tokens_issued',
        timestamp: expect.any(String),
        event: 'tokens_issued',
        outcome: 'succeeded',
        actor: { client: CLIENT },
        target: { user: SUB },
        grantType: 'authorization_code',
        grantId: 'g-1',
        correlation_id: 'api-request',
        function_request_id: 'lambda-request',
      }),
      expect.objectContaining({
        level: 'WARN',
        event: 'refresh_token_reuse',
        outcome: 'grant_revoked',
        target: { grant: 'g-2' },
      }),
      expect.objectContaining({
        level: 'INFO',
        event: 'admin.user.disable',
        outcome: 'succeeded',
        actor: { operator: 'arn:aws:sts::123456789012:assumed-role/Ops/jane' },
        target: { user: SUB },
        sessionsEnded: 2,
      }),
    ]);
    expect(audit()[1]).not.toHaveProperty('correlation_id');
  });

  it('are not written for the authorizer decisions and the key age, which are only counted', () => {
    const { events, audit } = observed();
    events.record({ kind: 'access_allowed' });
    events.record({ kind: 'access_denied' });
    events.record({ kind: 'signing_key_age', ageSeconds: 1 });
    expect(audit()).toEqual([]);
  });
});

describe('a busy invocation', () => {
  it('prints a document before a metric would exceed EMF’s 100 values, through the same writer', () => {
    const { events, emf } = observed();
    for (let i = 0; i < 150; i++) events.record({ kind: 'lockout', username: 'alice', until: 1 });
    events.flush();
    const counts = emf().map((document) => document.Lockouts as number[] | number);
    expect(counts.map((values) => (Array.isArray(values) ? values.length : 1))).toEqual([100, 50]);
  });
});
