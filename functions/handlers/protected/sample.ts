/** ANY /protected/*: the sample backend, which echoes the identity the authorizer passed. */
import { sampleBackendEndpoint } from '#app/endpoints';

export const handler = sampleBackendEndpoint();
