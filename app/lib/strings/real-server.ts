// UI strings of "Connect to a real server" (our client in the page, through the local bridge).
import type { Bilingual } from '../i18n-types.ts';

export const REAL_SERVER_STRINGS = {
  'source.realServer': { en: 'Real server', zh: '真实服务器' },
} as const satisfies Record<string, Bilingual>;
