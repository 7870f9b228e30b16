// UI strings of the lesson picker and the lesson bar (the scenarios of scenarios/catalog). Owned by the scenarios work.
import type { Bilingual } from '../i18n-types.ts';

export const LESSON_STRINGS = {
  'source.lessons': { en: 'Lessons', zh: '课程场景' },
  'lesson.intro': {
    en: 'Each lesson is a small story run right here in the page: real SSH client and server engines, the same bytes every time. Pick one; then step through it with the buttons or PageDown / PageUp.',
    zh: '每个课程场景都是一个在本页中运行的小故事：真实的 SSH 客户端和服务器引擎，每次都产生相同的字节。选择一个场景，然后用按钮或 PageDown / PageUp 逐步浏览。',
  },
  'lesson.loadingCatalog': { en: 'Loading the lessons…', zh: '正在加载课程场景…' },
  'lesson.running': { en: 'Running…', zh: '正在运行…' },
  'lesson.error': { en: 'The lesson could not run: {why}', zh: '课程场景无法运行：{why}' },
  'lesson.rfc': { en: 'Teaches', zh: '涉及规范' },
  'lesson.stepsCount': { en: '{n} {n|step|steps}', zh: '{n} 步' },
  'lesson.step': { en: 'Step {n} of {total}', zh: '第 {n} 步，共 {total} 步' },
  'lesson.prev': { en: '◀ Previous step', zh: '◀ 上一步' },
  'lesson.next': { en: 'Next step ▶', zh: '下一步 ▶' },
  'lesson.stepList': { en: 'Lesson steps', zh: '课程步骤' },
  'lesson.outcome': { en: 'What happened', zh: '实际结果' },
  'lesson.connections': { en: 'Connections in this step:', zh: '本步骤中的连接：' },
  'lesson.noTraffic': { en: 'No network traffic in this step: the views still show the last connection.', zh: '本步骤没有网络流量：各视图仍显示上一个连接。' },
  'lesson.noConnection': { en: 'This lesson makes no connection: everything happens in files.', zh: '本课程场景不建立连接：一切都发生在文件中。' },
  'lesson.keys': { en: 'PageDown / PageUp: next / previous lesson step', zh: 'PageDown / PageUp：下一步 / 上一步' },
  'lesson.asClaimed': { en: 'as the lesson says', zh: '与课程描述一致' },
  'lesson.notAsClaimed': { en: 'NOT as the lesson says', zh: '与课程描述不一致' },
  'lesson.region': { en: 'Lesson', zh: '课程场景' },
  'lesson.collapse': { en: 'Hide text ▴', zh: '收起说明 ▴' },
  'lesson.expand': { en: 'Show text ▾', zh: '展开说明 ▾' },
} as const satisfies Record<string, Bilingual>;
