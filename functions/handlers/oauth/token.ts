/** POST /token: the authorization code, refresh token and client credentials grants. */
import { tokenEndpoint } from '#app/endpoints';

export const handler = tokenEndpoint();
