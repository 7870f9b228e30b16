import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeMessage, encodeMessage } from '../wire/messages.ts';
import { DecodeError } from '../wire/codec.ts';
import { readChannelData, readWindowAdjust } from './channel-data.ts';

describe('readChannelData (fast path) agrees with the message table', () => {
  it('on well-formed messages', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.uint8Array({ maxLength: 300 }), fc.option(fc.nat({ max: 0xffffffff }), { nil: null }), (recipient, data, code) => {
        const msg = code === null ? { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: recipient, data } : { name: 'SSH_MSG_CHANNEL_EXTENDED_DATA', recipientChannel: recipient, dataTypeCode: code, data };
        const payload = encodeMessage(msg);
        const fast = readChannelData(payload);
        const slow = decodeMessage(payload).msg;
        expect(fast).toEqual(slow);
      }),
    );
  });

  it('on malformed messages: both throw DecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(94, 95), fc.uint8Array({ maxLength: 40 }), (id, rest) => {
        const payload = new Uint8Array([id, ...rest]);
        let slow: unknown = null;
        let fast: unknown = null;
        try {
          slow = decodeMessage(payload).msg;
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
          slow = 'error';
        }
        try {
          fast = readChannelData(payload);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
          fast = 'error';
        }
        expect(fast === 'error').toBe(slow === 'error');
        if (fast !== 'error') expect(fast).toEqual(slow);
      }),
      { numRuns: 500 },
    );
  });
});

describe('readWindowAdjust (fast path) agrees with the message table', () => {
  it('on well-formed messages', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (recipient, bytesToAdd) => {
        const payload = encodeMessage({ name: 'SSH_MSG_CHANNEL_WINDOW_ADJUST', recipientChannel: recipient, bytesToAdd });
        const slow = decodeMessage(payload).msg;
        expect(readWindowAdjust(payload)).toEqual(slow);
      }),
    );
  });

  it('leaves every other length to the table (null), which refuses it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }).filter((b) => b.length !== 8), (rest) => {
        const payload = new Uint8Array([93, ...rest]);
        expect(readWindowAdjust(payload)).toBeNull();
        expect(() => decodeMessage(payload)).toThrow(DecodeError);
      }),
    );
    expect(readWindowAdjust(new Uint8Array(9).fill(94))).toBeNull();
  });
});
