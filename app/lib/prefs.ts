// Display preferences remembered between visits (localStorage may be unavailable: private
// windows, file:// pages, blocked storage — then nothing is remembered and nothing breaks).

export function loadPref(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(`sshscope-${key}`) ?? null;
  } catch {
    return null;
  }
}

export function savePref(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(`sshscope-${key}`, value);
  } catch {
    // storage blocked: preferences last for this page only
  }
}
