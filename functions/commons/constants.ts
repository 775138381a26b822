export { TOP_50_GLOBAL_PLAYLIST_ID } from './domain/sources';

export const DEFAULT_SPOTIFY_API_URL = 'https://api.spotify.com';
export const DEFAULT_SPOTIFY_ACCOUNTS_URL = 'https://accounts.spotify.com';

/** Largest batches the Web API accepts (documented limits). */
export const SPOTIFY_LIMITS = {
  legacyTracksPage: 100,
  itemsPage: 50,
  severalArtists: 50,
  audioFeatures: 100,
  topTracks: 50,
  recentlyPlayed: 50,
} as const;
