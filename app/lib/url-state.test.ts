import { describe, expect, it } from 'vitest';
import { formatUrlState, parseUrlState } from './url-state.ts';
import { DEFAULT_SCENARIO } from './scenario.ts';

describe('URL state', () => {
  it('round-trips scenario, seed, cursor, view and language', () => {
    const s = { config: { ...DEFAULT_SCENARIO, auth: 'publickey' as const, kex: 'ecdh-sha2-nistp256', cipher: 'aes256-gcm@openssh.com', mac: 'hmac-sha2-512', user: 'bob', seed: 'x y' }, step: 17, view: 'keys' as const, lang: 'zh' as const, lesson: { id: 'mutual-trust', step: 3 } };
    expect(parseUrlState(formatUrlState(s))).toEqual(s);
  });

  it('falls back to defaults for unknown or hostile values', () => {
    const s = parseUrlState('?scenario=rsh&cipher=rot13&mac=crc&user=%3Cscript%3E&step=-4&view=evil&lang=fr');
    expect(s.config).toEqual(DEFAULT_SCENARIO);
    expect(s.step).toBe(0);
    expect(s.view).toBeNull();
    expect(s.lang).toBeNull();
    expect(parseUrlState('?lesson=../../etc&lstep=x').lesson).toBeNull();
    expect(parseUrlState('?lesson=terrapin&lstep=-1').lesson).toEqual({ id: 'terrapin', step: 0 });
  });
});
