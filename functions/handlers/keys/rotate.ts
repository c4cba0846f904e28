/** The Secrets Manager rotation function of the signing key set. */
import { keyRotationEndpoint } from '#app/endpoints';

export const handler = keyRotationEndpoint();
