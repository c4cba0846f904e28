/**
 * The stack `cdk deploy` creates, asserted against infra/routes.ts, functions/contract/tables.ts and
 * infra/gateway-responses.ts: whatever is added there must appear here, with least privilege.
 * One synthesis (with esbuild bundling, as `cdk synth` does) shared by every test of this file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Method } from 'aws-cdk-lib/aws-apigateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryBudgetMs } from '#adapters/aws/client-settings';
import { PAGE_PATHS } from '#contract/pages';
import { DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS, IDENTITY_HEADERS } from '#contract/protection';
import { keyAttributeType, type TableDefinition, type TableKey, tables } from '#contract/tables';
import { FUNCTION_RUNTIME } from '#infra/cdk/function';
import type { FunctionDefinition } from '#infra/function-definition';
import { gatewayResponses } from '#infra/gateway-responses';
import { allowedMethodsByPath, methodNotAllowed } from '#infra/method-not-allowed';
import { AUTHORIZER, type FunctionName, functions, routes } from '#infra/routes';
import { type Json, type Synthesized, statementsOfRole, synthesizeApp } from './synth.ts';

let synthesized: Synthesized;
let synthSeconds: number;

beforeAll(() => {
  const started = performance.now();
  // With the example MCP server, so that every function and route of infra/routes.ts is asserted.
  synthesized = synthesizeApp({ bundle: true, context: { 'tinyoauth:exampleMcpServer': true } });
  synthSeconds = (performance.now() - started) / 1000;
}, 300_000);
afterAll(() => synthesized?.cleanup());

const resource = (logicalId: string): Json => synthesized.template.Resources[logicalId];
const functionEntries = () => Object.entries(functions) as [FunctionName, FunctionDefinition][];
const tableEntries = () => Object.entries(tables) as [TableKey, TableDefinition][];
const functionId = (name: FunctionName) => {
  const fn = synthesized.tinyoauth.functions[name];
  if (!fn) throw new Error(`No function ${name}`);
  return synthesized.logicalId(fn);
};
const tableId = (key: TableKey) => synthesized.logicalId(synthesized.tinyoauth.tables.byKey[key]);
const methodFor = (path: string, httpMethod: string): Method[] =>
  synthesized.tinyoauth.api.methods.filter(
    (method) => method.resource.path === path && method.httpMethod === httpMethod,
  );
/** `{ "Fn::GetAtt": [id, "Arn"] }`, as a policy or an integration URI refers to a resource. */
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

describe('synthesis', () => {
  it('needs no AWS account: the stack is environment-agnostic and synthesizes offline', () => {
    expect(synthesized.stack.resolve(synthesized.stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(synthesized.stack.resolve(synthesized.stack.region)).toEqual({ Ref: 'AWS::Region' });
    console.info(`cdk synth with bundling took ${synthSeconds.toFixed(1)} s`);
  });

  it('bundles every function as one ESM file that loads without a require shim, with env-only credentials', () => {
    const lambdas = synthesized.resources('AWS::Lambda::Function');
    expect(lambdas.length).toBeGreaterThanOrEqual(functionEntries().length);
    for (const [logicalId, lambda] of lambdas) {
      const assetHash = String(lambda.Properties.Code.S3Key).replace(/\.zip$/, '');
      const bundle = join(synthesized.outdir, `asset.${assetHash}`, 'index.mjs');
      expect(existsSync(bundle), `${logicalId}: ${bundle}`).toBe(true);
      const code = readFileSync(bundle, 'utf8');
      expect(code, logicalId).not.toContain('Dynamic require of');
      // The SDK is bundled, but never the default credential chain's SSO, web identity or container
      // providers: the alias of infra/cdk/function.ts leaves only the environment's (what Lambda sets).
      expect(code, logicalId).not.toMatch(
        /sso_start_url|AWS_WEB_IDENTITY_TOKEN_FILE|AWS_CONTAINER_CREDENTIALS/,
      );
      expect(lambda.Properties.Handler).toBe('index.handler');
    }
  });

  it('puts no key material in the template', () => {
    const text = JSON.stringify(synthesized.template);
    expect(text).not.toMatch(/"d"\s*:/);
    expect(text).not.toContain('privateJwk');
    for (const [, secret] of synthesized.resources('AWS::SecretsManager::Secret')) {
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.GenerateSecretString.SecretStringTemplate).toBe('{"keys":[]}');
    }
  });
});

describe('routes', () => {
  it('maps every route of infra/routes.ts to its own function with a Lambda proxy integration, and no other', () => {
    // Besides, one ANY method per path that answers its other methods 405 (tested below).
    expect(synthesized.resources('AWS::ApiGateway::Method')).toHaveLength(
      routes.length + allowedMethodsByPath(routes).size,
    );
    for (const route of routes) {
      const found = methodFor(route.path, route.method);
      expect(found, `${route.method} ${route.path}`).toHaveLength(1);
      const integration = resource(synthesized.logicalId(found[0] as Method)).Properties.Integration;
      expect(integration.Type).toBe('AWS_PROXY');
      expect(integration.IntegrationHttpMethod).toBe('POST');
      const uri = JSON.stringify(integration.Uri);
      expect(uri).toContain(JSON.stringify(arnOf(functionId(route.function))));
      for (const [other] of functionEntries()) {
        if (other !== route.function) expect(uri).not.toContain(`"${functionId(other)}"`);
      }
    }
  });

  it('answers any other method of a path with routes 405, with its Allow, from a mock integration', () => {
    const allowed = allowedMethodsByPath(routes);
    expect(allowed.size).toBeGreaterThan(0);
    for (const [path, methods] of allowed) {
      const found = methodFor(path, 'ANY');
      expect(found, path).toHaveLength(1);
      const properties = resource(synthesized.logicalId(found[0] as Method)).Properties;
      const { body } = methodNotAllowed(methods);
      expect(properties.AuthorizationType, path).toBe('NONE');
      expect(properties.Integration, path).toMatchObject({
        Type: 'MOCK',
        PassthroughBehavior: 'NEVER',
        RequestTemplates: {
          'application/json': '{"statusCode":405}',
          'application/x-www-form-urlencoded': '{"statusCode":405}',
          $default: '{"statusCode":405}',
        },
        IntegrationResponses: [
          {
            StatusCode: '405',
            ResponseParameters: {
              'method.response.header.Allow': `'${methods.join(', ')}'`,
              'method.response.header.Cache-Control': "'no-store'",
              'method.response.header.Content-Type': "'application/json'",
            },
            ResponseTemplates: { 'application/json': JSON.stringify(body) },
          },
        ],
      });
      expect(properties.MethodResponses, path).toEqual([
        {
          StatusCode: '405',
          ResponseParameters: {
            'method.response.header.Allow': true,
            'method.response.header.Cache-Control': true,
            'method.response.header.Content-Type': true,
          },
        },
      ]);
    }
    expect(methodFor('/token', 'ANY')).toHaveLength(1);
    // Every method of /protected/{proxy+} goes to the authorizer and the backend; an unknown path stays 404.
    expect(methodFor('/protected/{proxy+}', 'ANY')).toHaveLength(1);
    expect(methodFor('/', 'ANY')).toHaveLength(0);
    expect(methodFor('/.well-known', 'ANY')).toHaveLength(0);
  });

  it('guards exactly the routes under /protected/ with the TOKEN authorizer, and no other route', () => {
    const authorizers = synthesized.resources('AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0] as [string, Json];
    expect(authorizer.Properties).toMatchObject({
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS,
    });
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(
      JSON.stringify(arnOf(functionId(AUTHORIZER))),
    );

    for (const method of synthesized.tinyoauth.api.methods) {
      const properties = resource(synthesized.logicalId(method)).Properties;
      const underProtected = method.resource.path.startsWith('/protected/');
      expect(properties.AuthorizationType, method.resource.path).toBe(underProtected ? 'CUSTOM' : 'NONE');
      if (underProtected) expect(properties.AuthorizerId).toEqual({ Ref: authorizerId });
      else expect(properties.AuthorizerId).toBeUndefined();
    }
    expect(routes.filter((route) => route.authorized).map((route) => route.path)).toEqual([
      '/protected/{proxy+}',
      '/protected/mcp',
    ]);
  });

  it('sends the session cookie (scoped to the paths of functions/contract/pages.ts) to page functions only', () => {
    const idsOf = (flag: 'pages' | 'ignoresSessionCookie') =>
      functionEntries()
        .filter(([, definition]) => definition[flag])
        .map(([name]) => functionId(name));
    const integrates = (method: Method, ids: string[]) => {
      const uri = JSON.stringify(resource(synthesized.logicalId(method)).Properties.Integration.Uri);
      return ids.some((id) => uri.includes(JSON.stringify(arnOf(id))));
    };
    const pages = PAGE_PATHS as readonly string[];
    const underPages = synthesized.tinyoauth.api.methods.filter((method) =>
      pages.some((page) => method.resource.path === page || method.resource.path.startsWith(`${page}/`)),
    );
    // The 405 `ANY` methods answer from a mock integration: they invoke nothing, so no cookie goes on.
    const integration = (method: Method) => resource(synthesized.logicalId(method)).Properties.Integration;
    const mocks = underPages.filter((method) => integration(method).Type === 'MOCK');
    for (const method of mocks) expect(integration(method).Uri, method.resource.path).toBeUndefined();
    const reached = underPages.filter((method) => !mocks.includes(method));
    const atPages = reached.filter((method) => pages.includes(method.resource.path));
    expect(new Set(atPages.map((method) => method.resource.path))).toEqual(new Set(PAGE_PATHS));
    for (const method of atPages) {
      expect(integrates(method, idsOf('pages')), `${method.httpMethod} ${method.resource.path}`).toBe(true);
    }
    // A cookie's Path covers the paths below it: what is served there is a page or ignores the cookie.
    const below = reached.filter((method) => !pages.includes(method.resource.path));
    expect(new Set(below.map((method) => method.resource.path))).toEqual(
      new Set([
        '/account/profile',
        '/account/email/verification',
        '/account/password',
        '/account/totp',
        '/account/totp/confirm',
        '/account/passkeys',
        '/account/passkeys/options',
        '/account/passkeys/{credential_id}',
        '/account/sessions',
        '/account/sessions/{session_id}',
        '/account/delete',
      ]),
    );
    for (const method of below) {
      const allowed = [...idsOf('pages'), ...idsOf('ignoresSessionCookie')];
      expect(integrates(method, allowed), `${method.httpMethod} ${method.resource.path}`).toBe(true);
    }
  });

  it('validates the declared parameters of every method (the path parameters of /protected/{proxy+})', () => {
    const [validatorId, validator] = synthesized.only('AWS::ApiGateway::RequestValidator');
    expect(validator.Properties).toMatchObject({
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    for (const method of synthesized.resources('AWS::ApiGateway::Method')) {
      expect(method[1].Properties.RequestValidatorId).toEqual({ Ref: validatorId });
    }
    const [proxy] = methodFor('/protected/{proxy+}', 'ANY');
    expect(resource(synthesized.logicalId(proxy as Method)).Properties.RequestParameters).toEqual({
      'method.request.path.proxy': true,
    });
  });

  it('answers every gateway response of infra/gateway-responses.ts exactly as defined', () => {
    const deployed = synthesized.resources('AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties);
    expect(deployed).toHaveLength(gatewayResponses.length);
    for (const response of gatewayResponses) {
      const found = deployed.find((properties) => properties.ResponseType === response.type);
      // The class defaults must not carry a status: it would override every uncustomized response's own.
      expect(found?.StatusCode, response.type).toBe(
        response.statusCode === undefined ? undefined : String(response.statusCode),
      );
      expect(found, response.type).toMatchObject({
        ResponseTemplates: { 'application/json': JSON.stringify(response.body) },
        ResponseParameters: Object.fromEntries(
          Object.entries(response.headers).map(([name, value]) => [
            `gatewayresponse.header.${name}`,
            `'${value}'`,
          ]),
        ),
      });
    }
    const unauthorized = deployed.find((properties) => properties.ResponseType === 'UNAUTHORIZED');
    expect(unauthorized.StatusCode).toBe('401');
    expect(unauthorized.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toMatch(/^'Bearer /);
  });

  it('throttles the stage, logs every request as JSON without credentials, and traces', () => {
    const [, stage] = synthesized.only('AWS::ApiGateway::Stage');
    expect(stage.Properties.TracingEnabled).toBe(true);
    expect(stage.Properties.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
      }),
    ]);
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(stage.Properties.AccessLogSetting.Format).not.toMatch(
      /header|authorization|requestOverride|body/i,
    );
    // The log group's own ARN, without the `:*` of its GetAtt (cdk.json's logGroupDestinationArnWithoutWildcard).
    const accessLogs = synthesized.logicalId(synthesized.tinyoauth.accessLogs);
    const destination = JSON.stringify(stage.Properties.AccessLogSetting.DestinationArn);
    expect(destination).toContain(JSON.stringify({ Ref: accessLogs }));
    expect(destination).not.toContain('Fn::GetAtt');
    expect(resource(accessLogs)).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 30 },
    });
  });

  it('outputs the API URL, the issuer, the JWKS URL and the metadata URL', () => {
    const outputs = synthesized.template.Outputs;
    // Besides these, RestApi outputs its own stage URL.
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['ApiUrl', 'Issuer', 'JwksUrl', 'MetadataUrl']),
    );
    const issuer = JSON.stringify(outputs.Issuer.Value);
    expect(issuer).toContain('.execute-api.');
    expect(JSON.stringify(outputs.JwksUrl.Value)).toContain('/v1/.well-known/jwks.json');
    expect(JSON.stringify(outputs.MetadataUrl.Value)).toContain('/v1/.well-known/oauth-authorization-server');
  });
});

describe('functions', () => {
  it('creates every function of infra/routes.ts with runtime, architecture, memory, timeout and tracing set', () => {
    for (const [name, definition] of functionEntries()) {
      const properties = resource(functionId(name)).Properties;
      expect(properties, name).toMatchObject({
        Runtime: FUNCTION_RUNTIME.name,
        Architectures: ['arm64'],
        MemorySize: definition.memoryMB ?? 256,
        Timeout: 10,
        TracingConfig: { Mode: 'Active' },
        Description: definition.description,
      });
    }
    expect(FUNCTION_RUNTIME.name).toBe('nodejs24.x');
  });

  it('gives every function a timeout that the worst AWS call ends well inside (503 rather than a gateway error)', () => {
    const lambdas = synthesized.resources('AWS::Lambda::Function');
    expect(lambdas.length).toBeGreaterThan(0);
    for (const [logicalId, lambda] of lambdas) {
      // At least 2 s of the timeout left after a call that used its whole retry budget (client-settings.ts).
      expect(lambda.Properties.Timeout * 1000, logicalId).toBeGreaterThanOrEqual(retryBudgetMs() + 2000);
    }
  });

  it('gives every function its own log group with retention, written only by it', () => {
    const lambdas = synthesized.resources('AWS::Lambda::Function');
    const logGroups = new Set<string>();
    for (const [logicalId, lambda] of lambdas) {
      const logGroup = lambda.Properties.LoggingConfig.LogGroup.Ref;
      expect(logGroups.has(logGroup), logicalId).toBe(false);
      logGroups.add(logGroup);
      expect(resource(logGroup)).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        DeletionPolicy: 'Delete',
        Properties: { RetentionInDays: 30 },
      });
      const role = lambda.Properties.Role['Fn::GetAtt'][0];
      const logStatements = statementsOfRole(synthesized, role).filter((s) =>
        s.actions.some((a) => a.startsWith('logs:')),
      );
      expect(logStatements, logicalId).toEqual([
        {
          effect: 'Allow',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [arnOf(logGroup)],
        },
      ]);
      // No AWS-managed policy (AWSLambdaBasicExecutionRole would allow writing to every log group).
      expect(resource(role).Properties.ManagedPolicyArns, logicalId).toBeUndefined();
    }
  });

  it('configures each function from functions/adapters/config.ts; keys and the JWKS URI only where needed', () => {
    for (const [name, definition] of functionEntries()) {
      const variables = resource(functionId(name)).Properties.Environment.Variables;
      expect(Object.keys(variables), name).toEqual(
        expect.arrayContaining([
          'ISSUER',
          'RESOURCE_IDENTIFIER',
          'TABLE_PREFIX',
          'SESSION_TTL_SECONDS',
          'ACCESS_TOKEN_TTL_SECONDS',
          'REFRESH_TOKEN_TTL_SECONDS',
          'AUTHORIZATION_CODE_TTL_SECONDS',
        ]),
      );
      expect(variables.TABLE_PREFIX).toBe('tinyoauth_');
      expect(variables).toMatchObject({
        SESSION_TTL_SECONDS: '3600',
        ACCESS_TOKEN_TTL_SECONDS: '900',
        REFRESH_TOKEN_TTL_SECONDS: '2592000',
        AUTHORIZATION_CODE_TTL_SECONDS: '60',
      });
      expect('SIGNING_KEYS_SECRET_ID' in variables, name).toBe(definition.keys === 'sign');
      expect('PUBLIC_KEYS_SECRET_ID' in variables, name).toBe(definition.keys === 'publish');
      expect('JWKS_URI' in variables, name).toBe(name === AUTHORIZER);
    }
    const authorizer = resource(functionId(AUTHORIZER)).Properties.Environment.Variables;
    expect(JSON.stringify(authorizer.JWKS_URI)).toContain('/v1/.well-known/jwks.json');
    expect(authorizer.AUTHORIZER_CACHE_TTL_SECONDS).toBe(String(DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS));
  });
});

describe('tables', () => {
  it('creates every table of functions/contract/tables.ts on demand, with PITR, TTL where items expire, and its indexes', () => {
    expect(synthesized.resources('AWS::DynamoDB::Table')).toHaveLength(tableEntries().length);
    for (const [key, definition] of tableEntries()) {
      const table = resource(tableId(key));
      expect(table.Properties, key).toMatchObject({
        TableName: `tinyoauth_${definition.name}`,
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        KeySchema: [
          { AttributeName: definition.partitionKey, KeyType: 'HASH' },
          ...(definition.sortKey ? [{ AttributeName: definition.sortKey, KeyType: 'RANGE' }] : []),
        ],
      });
      // Key types as the local stack creates them, so data and queries behave the same in both.
      for (const attribute of table.Properties.AttributeDefinitions) {
        expect(attribute.AttributeType, `${key}.${attribute.AttributeName}`).toBe(
          keyAttributeType(attribute.AttributeName),
        );
      }
      if (definition.ttlAttribute) {
        expect(table.Properties.TimeToLiveSpecification, key).toEqual({
          AttributeName: definition.ttlAttribute,
          Enabled: true,
        });
      } else {
        expect(table.Properties.TimeToLiveSpecification, key).toBeUndefined();
      }
      const indexes = (table.Properties.GlobalSecondaryIndexes ?? []).map((index: Json) => ({
        name: index.IndexName,
        keys: index.KeySchema.map((k: Json) => k.AttributeName),
        projection: index.Projection,
      }));
      expect(indexes, key).toEqual(
        (definition.indexes ?? []).map((index) => ({
          name: index.name,
          keys: [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])],
          projection: index.projection
            ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection] }
            : { ProjectionType: 'ALL' },
        })),
      );
    }
  });

  it('retains users, clients and passkeys when the stack is deleted, and deletes what expires anyway', () => {
    for (const [key, definition] of tableEntries()) {
      const table = resource(tableId(key));
      expect(table.DeletionPolicy, key).toBe(definition.retain ? 'Retain' : 'Delete');
      expect(table.UpdateReplacePolicy, key).toBe(definition.retain ? 'Retain' : 'Delete');
      expect(Boolean(table.Properties.DeletionProtectionEnabled), key).toBe(definition.retain);
    }
    expect(
      tableEntries()
        .filter(([, definition]) => definition.retain)
        .map(([key]) => key),
    ).toEqual(['users', 'clients', 'passkeys']);
  });
});

describe('least privilege', () => {
  const allStatements = () =>
    synthesized
      .resources('AWS::IAM::Policy')
      .flatMap(([id, policy]) =>
        (policy.Properties.PolicyDocument.Statement as Json[]).map((statement) => ({ id, statement })),
      );

  it('grants no wildcard action, and "*" as resource only for X-Ray (which has no resource-level permissions)', () => {
    for (const { id, statement } of allStatements()) {
      const actions = ([] as string[]).concat(statement.Action);
      const resources = ([] as Json[]).concat(statement.Resource);
      expect(statement.Effect).toBe('Allow');
      for (const action of actions) expect(action, id).not.toContain('*');
      if (resources.includes('*')) {
        expect(actions.sort(), id).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      }
      for (const resourceValue of resources) {
        if (typeof resourceValue === 'string')
          expect(resourceValue === '*' || !resourceValue.includes('*'), id).toBe(true);
      }
    }
  });

  it('gives each function exactly the DynamoDB actions infra/routes.ts declares, on exactly the declared tables and indexes', () => {
    for (const [name, definition] of functionEntries()) {
      const role = resource(functionId(name)).Properties.Role['Fn::GetAtt'][0];
      const granted = statementsOfRole(synthesized, role).filter((s) =>
        s.actions.some((a) => a.startsWith('dynamodb:')),
      );
      const expected = Object.entries(definition.tables).map(([key, access]) => {
        const arn = arnOf(tableId(key as TableKey));
        return {
          effect: 'Allow',
          actions: [...new Set(access?.actions)].map((action) => `dynamodb:${action}`),
          resources: [
            arn,
            ...(access?.indexes ?? []).map((index) => ({ 'Fn::Join': ['', [arn, `/index/${index}`]] })),
          ],
        };
      });
      expect(granted, name).toEqual(expected);
      for (const statement of granted)
        expect(
          statement.actions.every((a) => a.startsWith('dynamodb:')),
          name,
        ).toBe(true);
    }
  });

  it('lets only signing functions read the signing key, only publishing functions the public keys, and the authorizer no secret', () => {
    const [signing, publicKeys] = [
      synthesized.tinyoauth.keys.signingSecret,
      synthesized.tinyoauth.keys.publicSecret,
    ].map((secret) => synthesized.logicalId(secret));
    for (const [name, definition] of functionEntries()) {
      const role = resource(functionId(name)).Properties.Role['Fn::GetAtt'][0];
      const granted = statementsOfRole(synthesized, role).filter((s) =>
        s.actions.some((a) => a.startsWith('secretsmanager:')),
      );
      const expected =
        definition.keys === 'sign'
          ? [{ effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: [{ Ref: signing }] }]
          : definition.keys === 'publish'
            ? [
                {
                  effect: 'Allow',
                  actions: ['secretsmanager:GetSecretValue'],
                  resources: [{ Ref: publicKeys }],
                },
              ]
            : [];
      expect(granted, name).toEqual(expected);
    }
    const authorizerRole = resource(functionId(AUTHORIZER)).Properties.Role['Fn::GetAtt'][0];
    expect(
      statementsOfRole(synthesized, authorizerRole)
        .flatMap((s) => s.actions)
        .filter((a) => !a.startsWith('dynamodb:')),
    ).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ]);
  });

  it('lets the key functions write only the two key secrets, and rotation be invoked only by Secrets Manager for that secret', () => {
    const { keys } = synthesized.tinyoauth;
    const signing = { Ref: synthesized.logicalId(keys.signingSecret) };
    const publicKeys = { Ref: synthesized.logicalId(keys.publicSecret) };
    const secretStatements = (fn: typeof keys.initializer) =>
      statementsOfRole(synthesized, synthesized.logicalId(fn.role as never)).filter((s) =>
        s.actions.some((a) => a.startsWith('secretsmanager:')),
      );
    expect(secretStatements(keys.initializer)).toEqual([
      {
        effect: 'Allow',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [signing],
      },
      {
        effect: 'Allow',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [publicKeys],
      },
    ]);
    expect(secretStatements(keys.rotator)).toEqual([
      {
        effect: 'Allow',
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: [signing],
      },
      {
        effect: 'Allow',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [publicKeys],
      },
    ]);
    const rotatorId = synthesized.logicalId(keys.rotator);
    const permissions = synthesized
      .resources('AWS::Lambda::Permission')
      .filter(([, p]) => JSON.stringify(p.Properties.FunctionName).includes(`"${rotatorId}"`));
    expect(permissions.map(([, p]) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: arnOf(rotatorId),
        Principal: 'secretsmanager.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: signing,
      },
    ]);
  });
});

describe('signing keys', () => {
  it('creates the first key at deploy time and rotates it every 90 days, never during the deployment', () => {
    const { keys } = synthesized.tinyoauth;
    const [, schedule] = synthesized.only('AWS::SecretsManager::RotationSchedule');
    expect(schedule.Properties).toEqual({
      SecretId: { Ref: synthesized.logicalId(keys.signingSecret) },
      RotationLambdaARN: arnOf(synthesized.logicalId(keys.rotator)),
      RotationRules: { ScheduleExpression: 'rate(90 days)' },
      RotateImmediatelyOnUpdate: false,
    });
    const [keySetId, keySet] = synthesized.only('Custom::TinyOAuthKeySet');
    expect(keySet.Properties.ServiceToken).toEqual(arnOf(synthesized.logicalId(keys.initializer)));
    // Functions that use keys start only once the key set exists.
    for (const [name, definition] of functionEntries()) {
      if (definition.keys) expect(resource(functionId(name)).DependsOn, name).toContain(keySetId);
    }
    const rotator = resource(synthesized.logicalId(keys.rotator)).Properties;
    expect(rotator.Environment.Variables).toMatchObject({
      KEY_RETAIN_SECONDS: String(3600 + 360),
      KEY_PUBLISH_DELAY_SECONDS: '360',
    });
    expect(rotator.Timeout).toBe(480);
  });

  it('passes the identity headers of functions/contract/protection.ts only to an HTTP backend (none by default)', () => {
    const text = JSON.stringify(synthesized.template);
    for (const header of Object.values(IDENTITY_HEADERS)) expect(text).not.toContain(header);
  });
});
