/**
 * The 405 of infra/method-not-allowed.ts in the REST API: API Gateway itself answers a method that a
 * resource does not have like an unknown path (MISSING_AUTHENTICATION_TOKEN, our 404), so every resource
 * with routes and no `ANY` route gets an `ANY` method of its own, which API Gateway picks only when no
 * method of the request's own name exists there. Its mock integration answers 405 with the static `Allow`
 * of that resource; it reaches no function, so it costs no invocation.
 */
import {
  AuthorizationType,
  MockIntegration,
  PassthroughBehavior,
  type RequestValidator,
  type RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { GATEWAY_RESPONSE_CONTENT_TYPE } from '#infra/gateway-responses';
import { allowedMethodsByPath, methodNotAllowed } from '#infra/method-not-allowed';
import type { RouteDefinition } from '#infra/routes';
import { acknowledge } from './acknowledgements.ts';
import { staticMappingValue, staticTemplate } from './api.ts';

/**
 * A mock integration's status comes from its request template, chosen by the request's Content-Type
 * (none counts as JSON). The media types clients send, and `$default` for the rest; a type no template
 * covers is refused with 415 (`NEVER`) rather than passed through, where the mock would fail with a 500.
 */
const REQUEST_MEDIA_TYPES = [
  GATEWAY_RESPONSE_CONTENT_TYPE,
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
  '$default',
];

const NOTHING_TO_AUTHORIZE =
  'An ANY method whose mock integration only answers 405 Method Not Allowed for methods the resource does ' +
  'not have: it reaches no function and no backend and returns no data, so there is nothing to authorize.';

/** Adds the 405 `ANY` method to every resource of `routes` that has no `ANY` route. */
export function addMethodNotAllowed(
  api: RestApi,
  options: { routes: readonly RouteDefinition[]; validator: RequestValidator },
): void {
  for (const [path, allowed] of allowedMethodsByPath(options.routes)) {
    const { statusCode, headers, body } = methodNotAllowed(allowed);
    const responseHeaders = { ...headers, 'Content-Type': GATEWAY_RESPONSE_CONTENT_TYPE };
    const integration = new MockIntegration({
      passthroughBehavior: PassthroughBehavior.NEVER,
      requestTemplates: Object.fromEntries(
        REQUEST_MEDIA_TYPES.map((type) => [type, JSON.stringify({ statusCode })]),
      ),
      integrationResponses: [
        {
          statusCode: String(statusCode),
          responseParameters: Object.fromEntries(
            Object.entries(responseHeaders).map(([name, value]) => [
              `method.response.header.${name}`,
              staticMappingValue(name, value),
            ]),
          ),
          responseTemplates: {
            [GATEWAY_RESPONSE_CONTENT_TYPE]: staticTemplate('405', JSON.stringify(body)),
          },
        },
      ],
    });
    const method = api.root.resourceForPath(path).addMethod('ANY', integration, {
      authorizationType: AuthorizationType.NONE,
      requestValidator: options.validator,
      methodResponses: [
        {
          statusCode: String(statusCode),
          responseParameters: Object.fromEntries(
            Object.keys(responseHeaders).map((name) => [`method.response.header.${name}`, true]),
          ),
        },
      ],
    });
    acknowledge(method, 'AwsSolutions', 'AwsSolutions-APIG4', NOTHING_TO_AUTHORIZE);
    acknowledge(method, 'AwsSolutions', 'AwsSolutions-COG4', NOTHING_TO_AUTHORIZE);
  }
}
