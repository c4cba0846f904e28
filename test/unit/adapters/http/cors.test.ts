import { describe, expect, it } from 'vitest';
import { CorsAttribution, clientCors, preflight, publicCors, withCors } from '#adapters/http/cors';
import { HttpRequest } from '#adapters/http/request';
import { apiEvent } from '../../../fakes/events.ts';

const request = (headers: Record<string, string>, method = 'GET') =>
  new HttpRequest(apiEvent({ method, path: '/x', headers }));

describe('CORS', () => {
  it('answers a public document to every origin with *, never with credentials', () => {
    const answer = withCors(
      { status: 200 },
      {
        policy: publicCors(['GET']),
        request: request({ origin: 'https://a.example' }),
        attribution: new CorsAttribution(),
      },
    );
    expect(answer.headers).toEqual({ 'Access-Control-Allow-Origin': '*' });
  });

  it('lets any origin read an answer given before the client is known, and only its origins after', () => {
    const attribution = new CorsAttribution();
    const from = (origin: string) =>
      withCors({ status: 400 }, { policy: clientCors(['POST']), request: request({ origin }), attribution })
        .headers;
    expect(from('https://a.example')).toMatchObject({
      'Access-Control-Allow-Origin': 'https://a.example',
      Vary: 'Origin',
    });
    attribution.toClient({ redirectUris: ['https://app.example/cb'] });
    expect(from('https://a.example')).toEqual({ Vary: 'Origin' });
    expect(from('https://app.example')).toEqual({
      'Access-Control-Allow-Origin': 'https://app.example',
      'Access-Control-Expose-Headers': 'WWW-Authenticate',
      Vary: 'Origin',
    });
  });

  it('answers a preflight with 204, the methods, the headers and a lifetime', () => {
    const answer = preflight(clientCors(['POST']), request({ origin: 'https://spa.example' }, 'OPTIONS'));
    expect(answer).toEqual({
      status: 204,
      headers: {
        Allow: 'OPTIONS, POST',
        'Access-Control-Allow-Origin': 'https://spa.example',
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type',
        'Access-Control-Max-Age': '7200',
        Vary: 'Origin',
      },
    });
  });
});
