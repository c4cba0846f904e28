import { describe, expect, it } from 'vitest';
import { promptValues, withLoginPrompt, withoutLoginPrompt } from '#adapters/web/carried-request';
import { Parameters } from '#core/oauth/parameters';

describe('the prompt and max_age of a carried request', () => {
  it('reads prompt as space-separated values, and a repeated prompt as none (authorize refuses it)', () => {
    expect(promptValues(Parameters.fromQuery('prompt=login%20consent'))).toEqual(
      new Set(['login', 'consent']),
    );
    expect(promptValues(Parameters.fromQuery('prompt=none&prompt=login'))).toEqual(new Set());
  });

  it('drops login and max_age once the user has signed in, keeping everything else', () => {
    expect(withoutLoginPrompt('client_id=a&prompt=login%20consent&max_age=0&nonce=n')).toBe(
      'client_id=a&prompt=consent&nonce=n',
    );
    expect(withoutLoginPrompt('client_id=a&prompt=login&max_age=60')).toBe('client_id=a');
  });

  it('asks for a sign-in with "use another account"', () => {
    expect(withLoginPrompt('client_id=a&prompt=consent')).toBe('client_id=a&prompt=login');
  });
});
