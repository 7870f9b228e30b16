import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesToHex, hexToBytes, parseRecording, RecordingError, recordingToJson } from './recording.ts';
import { DEFAULT_SCENARIO, runScenario } from './scenario.ts';
import { LiveSession } from './live-session.ts';
import type { SshEvent } from '../../engine/index.ts';

/** Exactly what TopBar.exportJson writes (copied from it, so the test does not use the code under test). */
function topBarExport(config: unknown, events: SshEvent[]): string {
  return JSON.stringify({ config, events }, (_k, v) => (v instanceof Uint8Array ? Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('') : v), 2);
}

/** Every Uint8Array in a value, with its path. */
function byteFields(v: unknown, path = ''): string[] {
  if (v instanceof Uint8Array) return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => byteFields(x, `${path}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => byteFields(x, `${path}.${k}`));
  return [];
}

describe('recordings: Export JSON read back', () => {
  it('restores every event of a password session byte for byte', () => {
    const run = runScenario(DEFAULT_SCENARIO);
    const rec = parseRecording(topBarExport(run.config, run.events));
    expect(rec.events).toEqual(run.events);
    expect(byteFields(rec.events)).toEqual(byteFields(run.events));
    expect(rec.config).toEqual({ ...run.config, tamper: null });
  });

  it('restores a public-key session and a live shell (channel data, pty modes)', () => {
    const run = runScenario({ ...DEFAULT_SCENARIO, auth: 'publickey', cipher: 'chacha20-poly1305@openssh.com', seed: 'rec' });
    expect(parseRecording(topBarExport(run.config, run.events)).events).toEqual(run.events);
    const live = new LiveSession(DEFAULT_SCENARIO, { cols: 80, rows: 24 });
    live.send('ls\r');
    const fields = byteFields(live.events);
    expect(fields.some((f) => f.endsWith('.detail.data'))).toBe(true);
    const back = parseRecording(topBarExport(DEFAULT_SCENARIO, live.events));
    expect(back.events).toEqual(live.events);
    expect(byteFields(back.events)).toEqual(fields);
  });

  it('recordingToJson writes what TopBar writes', () => {
    const run = runScenario(DEFAULT_SCENARIO);
    expect(recordingToJson(run)).toBe(topBarExport(run.config, run.events));
  });

  it('hex round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const hex = bytesToHex(b);
        expect(hex).toBe(Buffer.from(b).toString('hex'));
        expect(hexToBytes(hex)).toEqual(b);
      }),
    );
  });

  it('names what is wrong with a bad file', () => {
    const run = runScenario(DEFAULT_SCENARIO);
    const good = JSON.parse(topBarExport(run.config, run.events)) as { events: Record<string, unknown>[] };
    const err = (text: string) => {
      try {
        parseRecording(text);
      } catch (e) {
        expect(e).toBeInstanceOf(RecordingError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(err('not json')).toMatch(/not JSON/);
    expect(err('[1,2]')).toMatch(/expected an object/);
    expect(err('{"config":{}}')).toMatch(/events: missing/);
    expect(err('{"events":[]}')).toMatch(/empty/);
    const pi = good.events.findIndex((e) => e['type'] === 'packet');
    const bad = structuredClone(good);
    bad.events[pi]!['wire'] = 'xyz';
    expect(err(JSON.stringify(bad))).toBe(`event ${pi} (packet): wire: not a hex string`);
    const bad2 = structuredClone(good);
    bad2.events[3]!['type'] = 'teleport';
    expect(err(JSON.stringify(bad2))).toMatch(/event 3: unknown type "teleport"/);
    const bad3 = structuredClone(good);
    (bad3.events[pi]!['tree'] as { end: number }).end = 1e6;
    expect(err(JSON.stringify(bad3))).toMatch(/tree: byte range/);
    const bad4 = structuredClone(good);
    bad4.events[0]!['phase'] = 9;
    expect(err(JSON.stringify(bad4))).toMatch(/event 0 \(version\): phase/);
  });
});

describe('files recovered from a log without them', () => {
  it('host key and client key lines equal the ones the scenario wrote (type and base64)', async () => {
    const { filesFromEvents } = await import('./recording-files.ts');
    const run = runScenario({ ...DEFAULT_SCENARIO, auth: 'publickey' });
    const f = filesFromEvents(run.events);
    const two = (l: string | null | undefined) => (l ?? '').split(' ').slice(0, 2).join(' ');
    expect(f.hostPublicKey).toBe(two(run.files.hostPublicKey));
    expect(f.clientPublicKey).toBe(two(run.files.clientPublicKey));
    expect(filesFromEvents(runScenario(DEFAULT_SCENARIO).events).clientPublicKey).toBeUndefined();
  });
});
