/** GET /client: the signed-in user’s clients. */
import { clientListEndpoint } from '#app/endpoints';

export const handler = clientListEndpoint();
