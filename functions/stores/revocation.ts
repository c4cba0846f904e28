/** The revocation lookup lives with the authorizer; introspection reads the same records the same way. */
export {
  DynamoRevocationStore,
  type RevocationLookup,
  type RevocationStore,
} from '../authorizer/revocation.ts';
