/** The Lambda authorizer (TOKEN) of /protected/*. */
import { authorizerEndpoint } from '#app/endpoints';

export const handler = authorizerEndpoint();
