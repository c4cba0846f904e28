/** ANY /protected/*: the sample backend, which echoes the identity the authorizer passed. */
import { sampleBackendEndpoint } from '#app/endpoints-without-dynamodb';

export const handler = sampleBackendEndpoint();
