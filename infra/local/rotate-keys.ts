/** `npm run keys:rotate`: rotates the local signing key set (key-rotation.ts). */
import { loadConfig } from '#adapters/config';
import { rotateLocalKeys } from './key-rotation.ts';

try {
  const rotated = await rotateLocalKeys(loadConfig(process.env), Math.floor(Date.now() / 1000));
  console.log(`Rotated ${rotated.file}: now signing with ${rotated.signing.join(', ')}`);
  console.log(`Published keys: ${rotated.published.join(', ')}`);
  console.log('A running `npm start` picks the new key up within 5 minutes (or restart it).');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
