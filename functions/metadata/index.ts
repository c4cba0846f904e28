import { config, logger } from '#commons/runtime';
import { createMetadataHandler } from './handler.ts';

export const handler = createMetadataHandler(config, logger);
