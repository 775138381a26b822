/**
 * spotify-web-api-node's request builders (not covered by @types/spotify-web-api-node). We use them
 * to build requests with our own hosts: the library hard-codes api.spotify.com/accounts.spotify.com
 * in these modules and offers no timeout or retry in its HTTP layer.
 */
declare module 'spotify-web-api-node/src/base-request' {
  export interface SpotifyRequest {
    getURL(): string;
    getHeaders(): Record<string, string> | undefined;
    getBodyParameters(): Record<string, string> | undefined;
  }
  export interface SpotifyRequestBuilder {
    withHost(host: string): SpotifyRequestBuilder;
    withPort(port: number): SpotifyRequestBuilder;
    withScheme(scheme: string): SpotifyRequestBuilder;
    withPath(path: string): SpotifyRequestBuilder;
    withQueryParameters(parameters: Record<string, string | number>): SpotifyRequestBuilder;
    withBodyParameters(parameters: Record<string, string>): SpotifyRequestBuilder;
    withHeaders(headers: Record<string, string>): SpotifyRequestBuilder;
    build(): SpotifyRequest;
  }
}

declare module 'spotify-web-api-node/src/webapi-request' {
  import type { SpotifyRequestBuilder } from 'spotify-web-api-node/src/base-request';
  export function builder(accessToken?: string): SpotifyRequestBuilder;
}

declare module 'spotify-web-api-node/src/authentication-request' {
  import type { SpotifyRequestBuilder } from 'spotify-web-api-node/src/base-request';
  export function builder(): SpotifyRequestBuilder;
}
