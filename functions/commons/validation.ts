/**
 * External JSON is validated with zod/mini: the handlers' bundles stay small (classic zod adds
 * about 450 KB and doubles their cold start). zod/mini ships no messages, so importing this module
 * (every schema module does) configures the English ones.
 *
 * Modules import `* as z from 'zod/mini'` themselves: re-exporting the namespace from here would
 * keep all of zod in the bundle.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.cjs';

config(en());
