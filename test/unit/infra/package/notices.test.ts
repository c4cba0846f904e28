/** Which package, and which directory of it, each input of a bundle comes from. */
import { describe, expect, it } from 'vitest';
import { packageDirectoryOfInput, packageOfInput } from '#infra/package/notices';

describe('the package of a bundle input', () => {
  it('is the name after the last node_modules/, scoped or not', () => {
    expect(packageOfInput('node_modules/jose/dist/webapi/jwt/verify.js')).toBe('jose');
    expect(packageOfInput('node_modules/@smithy/core/dist-es/index.js')).toBe('@smithy/core');
    expect(packageOfInput('node_modules/a/node_modules/@scope/b/index.js')).toBe('@scope/b');
    expect(packageOfInput('functions/core/secrets.ts')).toBeUndefined();
  });

  it('lives in the directory of that name, even when a file inside repeats the name', () => {
    expect(packageDirectoryOfInput('node_modules/bowser/src/bowser.js')).toEqual({
      name: 'bowser',
      directory: 'node_modules/bowser',
    });
    expect(packageDirectoryOfInput('node_modules/x/node_modules/@aws-sdk/core/dist-es/core.js')).toEqual({
      name: '@aws-sdk/core',
      directory: 'node_modules/x/node_modules/@aws-sdk/core',
    });
  });
});
