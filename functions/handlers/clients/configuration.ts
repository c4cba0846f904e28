/** GET and PUT /client/{client_id}: RFC 7592 read and update with the registration access token. */
import { clientConfigurationEndpoint } from '#app/endpoints';

export const handler = clientConfigurationEndpoint();
