// UI strings of the classroom live view (real ssh clients against `sshscope start --ssh-port`).
import type { Bilingual } from '../i18n-types.ts';

export const CLASSROOM_STRINGS = {
  'source.classroom': { en: 'Classroom', zh: '课堂实况' },
} as const satisfies Record<string, Bilingual>;
