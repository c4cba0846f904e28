/** The CloudFormation custom resource that creates the first signing key inside AWS. */
import { keySetResourceEndpoint } from '#app/endpoints';

export const handler = keySetResourceEndpoint();
