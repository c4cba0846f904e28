import { describe, expect, it } from 'vitest';
import { HttpRequest } from '#adapters/http/request';
import { InvalidRequest } from '#core/errors';
import { postEvent as event } from '../../../fakes/events.ts';

describe('parameters', () => {
  it('refuses a repeated parameter and treats an empty one as absent', () => {
    const request = new HttpRequest(
      event({
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=a&grant_type=b&scope=',
      }),
    );
    const form = request.form();
    expect(() => form.get('grant_type')).toThrow(InvalidRequest);
    expect(form.repeated()).toEqual(['grant_type']);
    expect(form.get('scope')).toBeUndefined();
  });

  it('reads bearer tokens only from a well-formed Authorization header', () => {
    const bearer = (value: string) =>
      new HttpRequest(event({ headers: { authorization: value } })).bearerToken();
    expect(bearer('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearer('bearer abc')).toBe('abc');
    expect(bearer('Basic abc')).toBeUndefined();
    expect(bearer('Bearer a b')).toBeUndefined();
  });
});
