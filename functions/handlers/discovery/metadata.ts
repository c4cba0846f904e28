import { createMetadataHandler } from '#adapters/endpoints/discovery/metadata';
import { config, logger } from '#app/runtime';

export const handler = createMetadataHandler(config, logger);
