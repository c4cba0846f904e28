/** GET /.well-known/oauth-protected-resource/<resource path>: RFC 9728 metadata of each resource server. */
import { resourceMetadataEndpoint } from '#app/endpoints-without-dynamodb';

export const handler = resourceMetadataEndpoint();
