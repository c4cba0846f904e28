/** GET /.well-known/jwks.json: the public signing keys. */
import { jwksEndpoint } from '#app/endpoints';

export const handler = jwksEndpoint();
