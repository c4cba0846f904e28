/**
 * Every cdk-nag finding tinyoauth acknowledges, with its reason, in one place for security review.
 * Each acknowledgement is attached to the one construct it is about, never to the stack, so that a
 * new resource with the same finding is still reported. test/cdk/nag.test.ts fails on any finding
 * not acknowledged here, and on any reason too short to explain itself.
 */
import { Validations } from 'aws-cdk-lib';
import type { Method } from 'aws-cdk-lib/aws-apigateway';
import type { IConstruct } from 'constructs';
import type { RouteDefinition } from '#infra/routes';

/** cdk-nag 3 reports through CDK's policy validation, where a rule id is `<pack>::<rule>`. */
export function acknowledge(
  scope: IConstruct,
  pack: 'AwsSolutions' | 'Serverless',
  rule: string,
  reason: string,
) {
  Validations.of(scope).acknowledge({ id: `${pack}::${rule}`, reason });
}

export const REASONS = {
  xrayWildcard:
    'Added by Lambda active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
    'permissions (AWS Service Authorization Reference), so "*" is the only possible resource. The test ' +
    'test/cdk/iam.test.ts fails if any other action is granted on "*".',
  synchronousNoDlq:
    'Invoked synchronously by API Gateway only: a failure is returned to the caller as an HTTP error, so no event ' +
    'is ever queued that a dead-letter queue could keep.',
  customResourceNoDlq:
    'CloudFormation custom resource: a failed invocation answers FAILED (or times out) and CloudFormation rolls ' +
    'the deployment back; a queued CloudFormation request is worthless later, as its response URL expires.',
  rotationNoDlq:
    'Secrets Manager rotation function: Secrets Manager records a failed step (RotationFailed in CloudTrail), keeps ' +
    'the pending version and retries on the next rotation; there is no event to replay from a queue.',
  publicKeysNoRotation:
    'Holds only public keys (the JWKS that tinyoauth publishes anyway), no secret material. It is rewritten by the ' +
    'rotation function of the signing-key secret at every rotation, so it changes together with that secret.',
  cloudWatchRoleManagedPolicy:
    "API Gateway's regional account setting for CloudWatch logging needs a role with " +
    'AmazonAPIGatewayPushToCloudWatchLogs, the AWS-managed policy AWS documents for exactly this role; it allows ' +
    'only CloudWatch Logs actions and only apigateway.amazonaws.com can assume the role.',
  noWebAcl:
    'No WAF web ACL by default (from $5/month plus $1/rule and $0.60 per million requests, more than tinyoauth ' +
    'itself at low volume). Abuse is bounded by stage throttling, per-username login lockout and strict input ' +
    'validation in every function; teams that need a WAF pass `webAclArn` and tinyoauth associates it.',
  protectedByOwnAuthorizer:
    "tinyoauth is itself the identity provider: /protected/* is guarded by tinyoauth's Lambda TOKEN authorizer, " +
    'which verifies tinyoauth-issued access tokens (ES256, iss, aud, exp, revocation). A Cognito user pool ' +
    'authorizer does not apply.',
  tracingDisabled:
    'Tracing was switched off by configuration (`tracing: false`) to avoid X-Ray charges; access logs and function ' +
    'logs still record every request.',
} as const;

/**
 * A route without the API Gateway authorizer: an endpoint of the authorization server itself, which its
 * callers use before they hold an access token. Each authenticates its caller inside the function
 * (password, session token, client credentials per RFC 6749) or is public by specification (JWKS, metadata).
 */
export function acknowledgePublicMethod(method: Method, route: RouteDefinition): void {
  const reason =
    `${route.method} ${route.path} is an endpoint of the authorization server, called before the caller holds an ` +
    'access token: it authenticates its caller itself (password, session token or client credentials, RFC 6749) ' +
    'or is public by specification (JWKS, RFC 8414 metadata). The API Gateway authorizer accepts access tokens only.';
  acknowledge(method, 'AwsSolutions', 'AwsSolutions-APIG4', reason);
  acknowledge(method, 'AwsSolutions', 'AwsSolutions-COG4', reason);
}

/** A route guarded by tinyoauth's own authorizer, which cdk-nag expects to be a Cognito one. */
export function acknowledgeAuthorizedMethod(method: Method): void {
  acknowledge(method, 'AwsSolutions', 'AwsSolutions-COG4', REASONS.protectedByOwnAuthorizer);
}
