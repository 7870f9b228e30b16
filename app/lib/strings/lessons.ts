// UI strings of the lesson picker (the scenarios of scenarios/catalog). Owned by the scenarios work.
import type { Bilingual } from '../i18n-types.ts';

export const LESSON_STRINGS = {
  'source.lessons': { en: 'Lessons', zh: '课程场景' },
} as const satisfies Record<string, Bilingual>;
