// UI strings of "Open a file": saved recordings (JSON) and captures (pcap/pcapng) with key logs.
import type { Bilingual } from '../i18n-types.ts';

export const OPEN_FILE_STRINGS = {
  'source.openFile': { en: 'Open a file', zh: '打开文件' },
} as const satisfies Record<string, Bilingual>;
