/** Spotify's "Top 50 - Global" playlist. */
export const TOP_50_GLOBAL_PLAYLIST_ID = '37i9dQZEVXbMDoHDwVN2tF';

export const DEFAULT_SPOTIFY_API_URL = 'https://api.spotify.com';
export const DEFAULT_SPOTIFY_ACCOUNTS_URL = 'https://accounts.spotify.com';

/** Largest batches the Web API accepts (documented limits). */
export const SPOTIFY_LIMITS = {
  legacyTracksPage: 100,
  itemsPage: 50,
  severalArtists: 50,
  audioFeatures: 100,
} as const;

export const CSV_FILE_NAME = 'spotify_data.csv';
export const MULTI_VALUE_SEPARATOR = '|';
