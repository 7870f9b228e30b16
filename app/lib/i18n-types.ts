// The shapes shared by every string table (i18n.ts and app/lib/strings/*.ts).

export type Lang = 'en' | 'zh';

export interface Bilingual {
  en: string;
  zh: string;
}
