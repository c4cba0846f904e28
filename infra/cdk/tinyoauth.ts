/**
 * `TinyOAuth`: the whole authorization server as one construct, driven entirely by the shared
 * definitions (infra/routes.ts, infra/gateway-responses.ts, functions/contract/tables.ts,
 * functions/contract/protection.ts), so that a route, function or table added there appears here with
 * no change to this file.
 *
 * Teams use it inside their own stacks, in front of their own backend:
 *
 *     new TinyOAuth(this, 'Auth', { backend: { httpUrl: 'https://orders.internal.example.com' } });
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi, TokenAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE } from '#contract/metrics';
import { routes } from '#infra/routes';
import { addGatewayResponses, apiUrls, cloudChallenge, createApi, protectStage } from './api.ts';
import { TinyOAuthTables } from './dynamodb.ts';
import type { FunctionEnvironment, TinyOAuthFunction } from './function.ts';
import { createFunctions, type TinyOAuthFunctions } from './functions.ts';

export type { TinyOAuthMail } from './mail.ts';

import { addMethods } from './methods.ts';
import { TinyOAuthMonitoring } from './monitoring.ts';
import type { TinyOAuthProps } from './props.ts';
import { resolveSettings, type Settings, sharedEnvironment } from './settings.ts';
import { SigningKeys } from './signing-keys.ts';

export {
  DEFAULT_STAGE_NAME,
  DEFAULT_TABLE_PREFIX,
  DEFAULT_THROTTLING,
  type TinyOAuthBackend,
  type TinyOAuthCustomDomain,
  type TinyOAuthProps,
  type TokenLifetimes,
} from './props.ts';

export class TinyOAuth extends Construct {
  /** The REST API with every route, its stage, gateway responses and (optionally) custom domain. */
  readonly api: RestApi;
  /** The functions created, by their name in infra/routes.ts (a route served by `backend` has none). */
  readonly functions: TinyOAuthFunctions;
  /** The DynamoDB tables, by their key in functions/contract/tables.ts (`tables.byKey.users`, ...). */
  readonly tables: TinyOAuthTables;
  /** The signing and public key secrets, and the functions that create and rotate the keys. */
  readonly keys: SigningKeys;
  /** The Lambda TOKEN authorizer in front of `/protected/*`. */
  readonly authorizer: TokenAuthorizer;
  /** Base URL of the API: the custom domain, else the stage URL (both end in `/`). */
  readonly apiUrl: string;
  /** The `iss` of every token, without a trailing `/`. */
  readonly issuer: string;
  /** The `aud` of access tokens. */
  readonly resourceIdentifier: string;
  /** `${issuer}/.well-known/jwks.json`: the public signing keys. */
  readonly jwksUrl: string;
  /** `${issuer}/.well-known/oauth-authorization-server` (see the README's Deploying section about the stage path). */
  readonly metadataUrl: string;
  /** The API's access log group (retained when the stack is deleted). */
  readonly accessLogs: LogGroup;
  /** The alarms, the dashboard and the alarm topic (README "Operations"). */
  readonly monitoring: TinyOAuthMonitoring;
  /** Physical table names are `${tablePrefix}${name}`. */
  readonly tablePrefix: string;
  /** The `service` dimension of this deployment's metrics (namespace `tinyoauth`). */
  readonly metricsService: string;

  // Creation order is construct order, and so the order of the synthesized template: keep it.
  constructor(scope: Construct, id: string, props: TinyOAuthProps = {}) {
    super(scope, id);
    const settings = resolveSettings(props);
    const { tracing, logRetention, tablePrefix, authorizerCacheTtl } = settings;

    const { api, accessLogs } = createApi(this, {
      ...settings,
      customDomain: props.customDomain,
      cloudWatchRole: props.cloudWatchRole ?? true,
    });
    this.api = api;
    this.accessLogs = accessLogs;
    const urls = apiUrls(api, { customDomain: props.customDomain, issuer: props.issuer, ...settings });
    this.apiUrl = urls.apiUrl;
    this.issuer = urls.issuer;
    this.resourceIdentifier = props.resourceIdentifier ?? `${this.issuer}/protected`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
    this.metadataUrl = `${this.issuer}/.well-known/oauth-authorization-server`;

    this.tablePrefix = tablePrefix;
    this.tables = new TinyOAuthTables(this, 'Tables', { tablePrefix });
    // One value per deployment, so that two stacks in one account never add up on one alarm.
    this.metricsService = `${Stack.of(this).stackName}/${id}`;
    const metricsEnvironment: FunctionEnvironment = {
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
      POWERTOOLS_SERVICE_NAME: this.metricsService,
    };
    this.keys = new SigningKeys(this, 'Keys', {
      ...settings.keyTimings,
      metricsEnvironment,
      jwksUrl: this.jwksUrl,
      tracing,
      logRetention,
    });
    const { issuer } = this;
    // The sample MCP server's route only when asked for (infra/routes.ts marks it an example).
    const deployed = routes.filter((route) => !route.example || props.exampleMcpServer);
    this.functions = this.createFunctions({ settings, props, deployed, metricsEnvironment });
    this.authorizer = addMethods(this, {
      api,
      routes: deployed,
      functions: this.functions,
      backend: props.backend,
      authorizerCacheTtl,
    });
    addGatewayResponses(api, cloudChallenge(issuer, settings.resourceServers));
    protectStage(this, api, { webAclArn: props.webAclArn, tracing });
    this.monitoring = this.createMonitoring(settings, props.alarmTopic);
  }

  private createFunctions(options: {
    settings: Settings;
    props: TinyOAuthProps;
    deployed: typeof routes;
    metricsEnvironment: FunctionEnvironment;
  }): TinyOAuthFunctions {
    const { settings, props, deployed, metricsEnvironment } = options;
    return createFunctions(this, {
      ...settings,
      routes: deployed,
      backend: props.backend,
      tables: this.tables,
      keys: this.keys,
      environment: sharedEnvironment({
        // The team's props, then the resolved settings (resourceServers as the variable's JSON).
        ...props,
        ...settings,
        environment: { ...props.environment, ...metricsEnvironment },
        issuer: this.issuer,
        resourceIdentifier: this.resourceIdentifier,
      }),
      jwksUrl: this.jwksUrl,
      mail: props.mail,
    });
  }

  private createMonitoring(
    settings: Settings,
    alarmTopic: TinyOAuthProps['alarmTopic'],
  ): TinyOAuthMonitoring {
    return new TinyOAuthMonitoring(this, 'Monitoring', {
      stage: this.api.deploymentStage,
      functions: Object.fromEntries(
        Object.entries(this.functions).filter(([, fn]) => fn !== undefined),
      ) as Record<string, TinyOAuthFunction>,
      rotator: this.keys.rotator,
      tables: this.tables.byKey,
      namespace: METRIC_NAMESPACE,
      service: this.metricsService,
      // A rotation is due every interval; the new key signs a publish delay after it is made. A day of
      // slack covers Secrets Manager's rotation window.
      keyAgeLimit: Duration.seconds(
        settings.keyTimings.rotationInterval.toSeconds() + settings.keyTimings.publishDelaySeconds + 86_400,
      ),
      alarmTopic,
    });
  }
}
