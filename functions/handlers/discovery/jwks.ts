/** GET /.well-known/jwks.json: the public signing keys. */
import { jwksEndpoint } from '#app/endpoints-without-dynamodb';

export const handler = jwksEndpoint();
