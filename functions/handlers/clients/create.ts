/** POST /client: register an OAuth client for the signed-in user. */
import { clientCreateEndpoint } from '#app/endpoints';

export const handler = clientCreateEndpoint();
