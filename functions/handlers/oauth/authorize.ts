/** GET and POST /authorize: authorization codes, with sign-in and consent pages for browsers. */
import { authorizeEndpoint } from '#app/endpoints';

export const handler = authorizeEndpoint();
