/**
 * The construct as teams embed it: with their own backend (HTTP or Lambda), their own domain and
 * settings. Synthesized without bundling (the bundles are those of stack.test.ts), each once.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_HEADERS, parseScopeRules } from '#contract/protection';
import { accessPolicy, unmetScopeRules } from '#core/authorizer/access-policy';
import { TinyOAuth } from '#infra/cdk/tinyoauth';
import { evaluatePolicy, parseAuthorizerResult } from '#infra/local/policy';
import { allowedMethodsByPath } from '#infra/method-not-allowed';
import { functions, routes } from '#infra/routes';
import { ONLY_DEFAULT } from '../fakes/resources.ts';
import {
  type Json,
  type Synthesized,
  statementsOfRole,
  synthesizeApp,
  synthesizeConstruct,
  withoutAwsCredentials,
} from './synth.ts';

const protectedMethod = (synthesized: Synthesized): Json => {
  const [method] = synthesized.tinyoauth.api.methods.filter((m) => m.resource.path === '/protected/{proxy+}');
  if (!method) throw new Error('No /protected/{proxy+} method');
  return synthesized.template.Resources[synthesized.logicalId(method)].Properties;
};
const lambdaDescriptions = (synthesized: Synthesized) =>
  synthesized.resources('AWS::Lambda::Function').map(([, lambda]) => lambda.Properties.Description);
const nagViolations = (synthesized: Synthesized) =>
  synthesized.report.pluginReports.flatMap((entry) =>
    entry.violations.map((violation) => violation.ruleName),
  );

describe('an HTTP backend, a custom domain and non-default settings', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesizeConstruct((stack) => ({
      backend: { httpUrl: 'https://orders.internal.example.com/api/' },
      customDomain: {
        domainName: 'auth.example.com',
        certificate: Certificate.fromCertificateArn(
          stack,
          'Certificate',
          'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
        ),
        hostedZone: HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
          hostedZoneId: 'Z0000000000000000000',
          zoneName: 'example.com',
        }),
      },
      tablePrefix: 'orders_auth_',
      tokenLifetimes: { session: Duration.hours(8), accessToken: Duration.minutes(5) },
      authorizerCacheTtl: Duration.seconds(30),
      throttling: { rateLimit: 10, burstLimit: 20 },
      protectedScopes: { 'GET /protected/orders/*': 'orders:read' },
      tracing: false,
      webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/orders/abc',
      environment: { SCOPES: 'orders:read orders:write', LOG_LEVEL: 'warn' },
      mail: { identity: 'example.com', from: 'Orders <no-reply@example.com>', configurationSet: 'auth-mail' },
    }));
  }, 120_000);
  afterAll(() => synthesized?.cleanup());

  it('proxies /protected/* to the backend with the caller identity in headers set by API Gateway', () => {
    const properties = protectedMethod(synthesized);
    expect(properties.AuthorizationType).toBe('CUSTOM');
    expect(properties.Integration).toMatchObject({
      Type: 'HTTP_PROXY',
      IntegrationHttpMethod: 'ANY',
      Uri: 'https://orders.internal.example.com/api/{proxy}',
      RequestParameters: {
        'integration.request.path.proxy': 'method.request.path.proxy',
        ...Object.fromEntries(
          Object.entries(IDENTITY_HEADERS).map(([key, header]) => [
            `integration.request.header.${header}`,
            `context.authorizer.${key}`,
          ]),
        ),
      },
    });
  });

  it('overwrites every -/_ spelling of every identity header with the genuine value, so none can be forged', () => {
    const parameters = protectedMethod(synthesized).Integration.RequestParameters as Record<string, string>;
    const spellings: Record<string, string[]> = {
      sub: ['X-Tinyoauth-Sub', 'X-Tinyoauth_Sub', 'X_Tinyoauth-Sub', 'X_Tinyoauth_Sub'],
      scope: ['X-Tinyoauth-Scope', 'X-Tinyoauth_Scope', 'X_Tinyoauth-Scope', 'X_Tinyoauth_Scope'],
      client_id: ['Client-Id', 'Client_Id'].flatMap((end) =>
        ['X-Tinyoauth-', 'X-Tinyoauth_', 'X_Tinyoauth-', 'X_Tinyoauth_'].map((start) => `${start}${end}`),
      ),
      jti: ['Token-Id', 'Token_Id'].flatMap((end) =>
        ['X-Tinyoauth-', 'X-Tinyoauth_', 'X_Tinyoauth-', 'X_Tinyoauth_'].map((start) => `${start}${end}`),
      ),
    };
    const expected = Object.entries(spellings).flatMap(([key, names]) =>
      names.map((name) => [`integration.request.header.${name}`, `context.authorizer.${key}`]),
    );
    const headers = Object.entries(parameters).filter(([name]) =>
      name.startsWith('integration.request.header.'),
    );
    expect(headers.sort()).toEqual(expected.sort());
  });

  it('does not deploy the sample backend, and deploys everything else', () => {
    const descriptions = lambdaDescriptions(synthesized);
    expect(descriptions).not.toContain(functions.protectedResource.description);
    // The sample MCP server is an example, deployed only with exampleMcpServer.
    expect(descriptions).not.toContain(functions.mcpServer.description);
    for (const [name, definition] of Object.entries(functions)) {
      if (!['protectedResource', 'mcpServer'].includes(name))
        expect(descriptions).toContain(definition.description);
    }
  });

  it('uses the custom domain as issuer, and closes the execute-api endpoint', () => {
    const { tinyoauth } = synthesized;
    expect(tinyoauth.issuer).toBe('https://auth.example.com');
    expect(tinyoauth.jwksUrl).toBe('https://auth.example.com/.well-known/jwks.json');
    expect(tinyoauth.metadataUrl).toBe('https://auth.example.com/.well-known/oauth-authorization-server');
    expect(tinyoauth.resourceIdentifier).toBe('https://auth.example.com/protected');
    const [, api] = synthesized.only('AWS::ApiGateway::RestApi');
    expect(api.Properties.DisableExecuteApiEndpoint).toBe(true);
    const [, domain] = synthesized.only('AWS::ApiGateway::DomainName');
    expect(domain.Properties).toMatchObject({ DomainName: 'auth.example.com', SecurityPolicy: 'TLS_1_2' });
    const [, record] = synthesized.only('AWS::Route53::RecordSet');
    expect(record.Properties).toMatchObject({
      Name: 'auth.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0000000000000000000',
    });
  });

  it('lets exactly the functions that mail send, from the SES identity and configuration set only', () => {
    const mailing = new Set(
      (Object.keys(functions) as (keyof typeof functions)[])
        .filter((name) => functions[name].mail)
        .map((name) => functions[name].description),
    );
    expect(mailing.size).toBeGreaterThan(0);
    for (const [, lambda] of synthesized.resources('AWS::Lambda::Function')) {
      const variables = lambda.Properties.Environment.Variables;
      const mails = mailing.has(lambda.Properties.Description);
      expect(variables.MAIL_FROM, lambda.Properties.Description).toBe(
        mails ? 'Orders <no-reply@example.com>' : undefined,
      );
      expect(variables.SES_CONFIGURATION_SET).toBe(mails ? 'auth-mail' : undefined);
      const ses = statementsOfRole(synthesized, lambda.Properties.Role['Fn::GetAtt'][0]).filter((s) =>
        s.actions.some((action) => action.startsWith('ses:')),
      );
      if (!mails) {
        expect(ses).toEqual([]);
        continue;
      }
      expect(ses).toHaveLength(1);
      expect(ses[0]?.actions).toEqual(['ses:SendEmail']);
      expect(JSON.stringify(ses[0]?.resources)).toMatch(
        /:ses:eu-west-1:123456789012:identity\/example\.com"/,
      );
      expect(JSON.stringify(ses[0]?.resources)).toMatch(/:configuration-set\/auth-mail"/);
    }
  });

  it('passes the settings to every function and the scope rules to the authorizer only', () => {
    for (const [, lambda] of synthesized.resources('AWS::Lambda::Function')) {
      const variables = lambda.Properties.Environment.Variables;
      if (!('ISSUER' in variables)) continue; // the key functions
      expect(variables).toMatchObject({
        ISSUER: 'https://auth.example.com',
        TABLE_PREFIX: 'orders_auth_',
        SESSION_TTL_SECONDS: '28800',
        ACCESS_TOKEN_TTL_SECONDS: '300',
        SCOPES: 'orders:read orders:write',
        LOG_LEVEL: 'warn',
      });
      const isAuthorizer = lambda.Properties.Description === functions.authorizer.description;
      expect('PROTECTED_SCOPES' in variables).toBe(isAuthorizer);
      if (isAuthorizer) {
        expect(JSON.parse(variables.PROTECTED_SCOPES)).toEqual({ 'GET /protected/orders/*': 'orders:read' });
        expect(variables.JWKS_URI).toBe('https://auth.example.com/.well-known/jwks.json');
        expect(variables.AUTHORIZER_CACHE_TTL_SECONDS).toBe('30');
      }
      expect(lambda.Properties.TracingConfig).toBeUndefined();
    }
    const [, authorizer] = synthesized.only('AWS::ApiGateway::Authorizer');
    expect(authorizer.Properties.AuthorizerResultTtlInSeconds).toBe(30);
    const tables = synthesized.resources('AWS::DynamoDB::Table').map(([, t]) => t.Properties.TableName);
    expect(tables).toContain('orders_auth_users');
    // Keys are retained for the longest lifetime of a token they signed, plus the signers' key cache.
    const rotator = synthesized.template.Resources[synthesized.logicalId(synthesized.tinyoauth.keys.rotator)];
    expect(rotator.Properties.Environment.Variables.KEY_RETAIN_SECONDS).toBe(String(8 * 3600 + 360));
  });

  it('gives the authorizer rules whose cached policy denies every spelling of a guarded path, and HEAD', () => {
    // The TOKEN authorizer's answer is cached per token and evaluated by API Gateway against each later
    // request's method ARN, on the one ANY method of /protected/{proxy+} (so HEAD is routed there too).
    expect(protectedMethod(synthesized).HttpMethod).toBe('ANY');
    const [, authorizerFunction] = synthesized
      .resources('AWS::Lambda::Function')
      .find(([, lambda]) => lambda.Properties.Description === functions.authorizer.description) as [
      string,
      Json,
    ];
    const rules = parseScopeRules(authorizerFunction.Properties.Environment.Variables.PROTECTED_SCOPES);
    const stage = `arn:aws:execute-api:eu-west-1:123456789012:abc123/${synthesized.tinyoauth.api.deploymentStage.stageName}`;
    const policy = accessPolicy(stage, { ...ONLY_DEFAULT, unmet: unmetScopeRules(rules, 'orders:write') });
    const statements = parseAuthorizerResult({ principalId: 'p', policyDocument: policy }).statements;
    const decide = (method: string, path: string) => evaluatePolicy(statements, `${stage}/${method}${path}`);
    for (const path of [
      '/protected/orders/7',
      '/protected/%6Frders/7',
      '/protected/ord%65rs/7',
      '/protected//orders/7',
    ]) {
      expect({ path, GET: decide('GET', path), HEAD: decide('HEAD', path) }).toEqual({
        path,
        GET: 'deny',
        HEAD: 'deny',
      });
    }
    expect(decide('POST', '/protected/orders/7')).toBe('allow');
    expect(decide('GET', '/protected/other')).toBe('allow');
  });

  it('throttles as configured, associates the web ACL, and still passes cdk-nag with tracing off', () => {
    const [, stage] = synthesized.only('AWS::ApiGateway::Stage');
    expect(stage.Properties.TracingEnabled).toBe(false);
    expect(stage.Properties.MethodSettings[0]).toMatchObject({
      ThrottlingRateLimit: 10,
      ThrottlingBurstLimit: 20,
    });
    const [, association] = synthesized.only('AWS::WAFv2::WebACLAssociation');
    expect(association.Properties.WebACLArn).toBe(
      'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/orders/abc',
    );
    expect(nagViolations(synthesized)).toEqual([]);
    const suppressed = synthesized.report.pluginReports.flatMap((entry) => entry.suppressedViolations ?? []);
    expect(suppressed.map((finding) => finding.ruleName)).not.toContain('AwsSolutions-APIG3');
    expect(suppressed.map((finding) => finding.ruleName)).not.toContain('AwsSolutions-IAM5[Resource::*]');
  });
});

describe('a Lambda backend', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesizeConstruct((stack: Stack) => ({
      backend: {
        lambda: LambdaFunction.fromFunctionArn(
          stack,
          'Orders',
          'arn:aws:lambda:eu-west-1:123456789012:function:orders',
        ),
      },
    }));
  }, 120_000);
  afterAll(() => synthesized?.cleanup());

  it('invokes the backend function behind the authorizer, and only there', () => {
    const properties = protectedMethod(synthesized);
    expect(properties.AuthorizationType).toBe('CUSTOM');
    expect(properties.Integration.Type).toBe('AWS_PROXY');
    expect(JSON.stringify(properties.Integration.Uri)).toContain('function:orders');
    expect(lambdaDescriptions(synthesized)).not.toContain(functions.protectedResource.description);
    expect(nagViolations(synthesized)).toEqual([]);
    const others = synthesized.tinyoauth.api.methods.filter(
      (m) => !m.resource.path.startsWith('/protected/'),
    );
    expect(others).toHaveLength(
      routes.filter((route) => !route.authorized).length + allowedMethodsByPath(routes).size,
    );
  });
});

describe('the app configured from CDK context', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesizeApp({
      context: {
        'tinyoauth:stackName': 'AuthStaging',
        'tinyoauth:tablePrefix': 'staging_',
        'tinyoauth:stageName': 'staging',
        'tinyoauth:backendUrl': 'https://backend.example.com',
        'tinyoauth:keyRotationDays': '30',
        'tinyoauth:throttleRate': '5',
        'tinyoauth:discardPreviousKeys': 'true',
      },
    });
  }, 120_000);
  afterAll(() => synthesized?.cleanup());

  it('applies every setting', () => {
    expect(synthesized.stack.stackName).toBe('AuthStaging');
    expect(protectedMethod(synthesized).Integration.Uri).toBe('https://backend.example.com/{proxy}');
    const [, stage] = synthesized.only('AWS::ApiGateway::Stage');
    expect(stage.Properties.StageName).toBe('staging');
    expect(stage.Properties.MethodSettings[0]).toMatchObject({
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 100,
    });
    const [, schedule] = synthesized.only('AWS::SecretsManager::RotationSchedule');
    expect(schedule.Properties.RotationRules.ScheduleExpression).toBe('rate(30 days)');
    expect(synthesized.resources('AWS::DynamoDB::Table').map(([, t]) => t.Properties.TableName)).toContain(
      'staging_users',
    );
  });
});

describe('invalid settings fail at synth, not at the first cold start', () => {
  const build = (props: ConstructorParameters<typeof TinyOAuth>[2]) =>
    withoutAwsCredentials(
      () =>
        new TinyOAuth(
          new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Team'),
          'Auth',
          props,
        ),
    );

  it('rejects token lifetimes outside what the functions accept', () => {
    expect(() => build({ tokenLifetimes: { accessToken: Duration.days(2) } })).toThrow(
      /ACCESS_TOKEN_TTL_SECONDS must be an integer from 60 to 86400/,
    );
  });

  it('rejects malformed scope rules with the authorizer’s own message', () => {
    expect(() => build({ protectedScopes: { 'GET /elsewhere/*': 'x' } })).toThrow(
      /PROTECTED_SCOPES key "GET \/elsewhere\/\*"/,
    );
  });

  it('rejects a backend URL with a query, a bad table prefix and a bad issuer', () => {
    expect(() => build({ backend: { httpUrl: 'https://x.example.com/?a=1' } })).toThrow(/backend.httpUrl/);
    expect(() => build({ tablePrefix: 'bad prefix' })).toThrow(/TABLE_PREFIX/);
    expect(() => build({ issuer: 'https://auth.example.com/?x' })).toThrow(/ISSUER/);
  });
});

describe('resource servers: another API and the sample MCP server', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesizeConstruct(() => ({
      backend: { httpUrl: 'https://orders.internal.example.com' },
      issuer: 'https://auth.example.com',
      resourceServers: [{ name: 'Reports', path: '/protected/reports', scopes: 'reports:read' }],
      exampleMcpServer: true,
      openRegistration: 'public',
    }));
  }, 120_000);
  afterAll(() => synthesized?.cleanup());

  const gatewayResponse = (type: string) =>
    synthesized
      .resources('AWS::ApiGateway::GatewayResponse')
      .map(([, response]) => response.Properties)
      .find((properties) => properties.ResponseType === type);

  it('deploys the MCP server as a function of its own behind the authorizer, not the HTTP backend', () => {
    expect(lambdaDescriptions(synthesized)).toContain(functions.mcpServer.description);
    const [method] = synthesized.tinyoauth.api.methods.filter((m) => m.resource.path === '/protected/mcp');
    if (!method) throw new Error('No /protected/mcp method');
    const properties = synthesized.template.Resources[synthesized.logicalId(method)].Properties;
    expect(properties.AuthorizationType).toBe('CUSTOM');
    expect(properties.Integration.Type).toBe('AWS_PROXY');
  });

  it('opens registration without an account only when asked', () => {
    for (const [, lambda] of synthesized.resources('AWS::Lambda::Function')) {
      const variables = lambda.Properties.Environment.Variables;
      if ('ISSUER' in variables) expect(variables.OPEN_REGISTRATION).toBe('public');
    }
  });

  it('declares every resource server to the functions, the MCP server included', () => {
    const [, authorizer] =
      synthesized
        .resources('AWS::Lambda::Function')
        .filter(([, lambda]) => lambda.Properties.Description === functions.authorizer.description)[0] ?? [];
    expect(JSON.parse(authorizer.Properties.Environment.Variables.RESOURCE_SERVERS)).toEqual([
      { name: 'Reports', path: '/protected/reports', scopes: 'reports:read' },
      { name: 'tinyoauth sample MCP server', path: '/protected/mcp', scopes: 'mcp:tools' },
    ]);
  });

  it('names no metadata URL in its one 401 challenge, since no single resource server serves every path', () => {
    expect(
      gatewayResponse('UNAUTHORIZED').ResponseParameters['gatewayresponse.header.WWW-Authenticate'],
    ).toBe(`'Bearer error="invalid_token"'`);
  });
});

describe('the 401 challenge with the default resource server alone', () => {
  it('names its metadata URL (and registration without an account stays off)', () => {
    const synthesized = synthesizeConstruct(() => ({ issuer: 'https://auth.example.com' }));
    try {
      for (const [, lambda] of synthesized.resources('AWS::Lambda::Function')) {
        expect(lambda.Properties.Environment.Variables.OPEN_REGISTRATION).toBeUndefined();
      }
      const [properties] = synthesized
        .resources('AWS::ApiGateway::GatewayResponse')
        .map(([, response]) => response.Properties)
        .filter((response) => response.ResponseType === 'UNAUTHORIZED');
      expect(properties.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toBe(
        `'Bearer error="invalid_token", resource_metadata="https://auth.example.com/.well-known/oauth-protected-resource/protected"'`,
      );
    } finally {
      synthesized.cleanup();
    }
  }, 120_000);
});

describe('settings the construct refuses at synth', () => {
  it.each([
    [
      { environment: { CLIENT_METADATA_ALLOW_LOCALHOST: 'true' } },
      'CLIENT_METADATA_ALLOW_LOCALHOST is for local development',
    ],
    [{ resourceServers: [{ name: 'X', path: '/elsewhere', scopes: 'x' }] }, 'must be below /protected/'],
    [{ protectedScopes: { 'ANY /protected/mcp/*': 'read' }, exampleMcpServer: true }, 'does not offer'],
  ])('%j', (props, message) => {
    expect(() => new TinyOAuth(new Stack(new App(), 'S'), 'Auth', props as never)).toThrow(message);
  });
});
