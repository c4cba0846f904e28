/** GET /.well-known/oauth-authorization-server: RFC 8414 metadata. */
import { metadataEndpoint } from '#app/endpoints-without-dynamodb';

export const handler = metadataEndpoint();
