/** DELETE /client/{client_id}: delete a client and every grant issued to it. */
import { clientDeleteEndpoint } from '#app/endpoints';

export const handler = clientDeleteEndpoint();
