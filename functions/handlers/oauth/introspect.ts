/** POST /introspect: RFC 7662 introspection. */
import { introspectEndpoint } from '#app/endpoints';

export const handler = introspectEndpoint();
