import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeMessage, encodeMessage } from '../wire/messages.ts';
import { DecodeError } from '../wire/codec.ts';
import { readChannelData } from './channel-data.ts';

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
