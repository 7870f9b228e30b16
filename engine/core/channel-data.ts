// Decoding channel data without building a tree, for bulk transfers with tracing off.

import { DecodeError } from '../wire/codec.ts';
import type { SshMessage } from '../wire/messages.ts';

/**
 * The bulk-data fast path for received SSH_MSG_CHANNEL_DATA / EXTENDED_DATA (RFC 4254 §5.2): the
 * same checks as the message table, without building a tree. Offsets are into the packet (+5).
 */
export function readChannelData(payload: Uint8Array): SshMessage & { id: number } {
  const extended = payload[0] === 95;
  const header = extended ? 13 : 9;
  const name = extended ? 'SSH_MSG_CHANNEL_EXTENDED_DATA' : 'SSH_MSG_CHANNEL_DATA';
  if (payload.length < header) throw new DecodeError(`payload.${payload.length < 5 ? 'recipientChannel' : extended && payload.length < 9 ? 'dataTypeCode' : 'data.length'}`, 5 + Math.min(payload.length, header - 4), `${name} is truncated (${payload.length} bytes)`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const length = view.getUint32(header - 4);
  if (length !== payload.length - header) {
    throw new DecodeError('payload.data', 5 + header - 4, length > payload.length - header ? `length ${length} exceeds the ${payload.length - header} bytes left` : `${payload.length - header - length} unexpected trailing bytes`);
  }
  const msg: SshMessage & { id: number } = { name, id: payload[0]!, recipientChannel: view.getUint32(1), data: payload.subarray(header) };
  if (extended) msg.dataTypeCode = view.getUint32(5);
  return msg;
}


/**
 * The flow-control fast path for a received SSH_MSG_CHANNEL_WINDOW_ADJUST (RFC 4254 §5.2): byte 93,
 * uint32 recipient channel, uint32 bytes to add — the message table's result without a tree.
 * Returns null when the payload is not exactly 9 bytes (the table then reports the error).
 */
export function readWindowAdjust(payload: Uint8Array): (SshMessage & { id: number }) | null {
  if (payload.length !== 9 || payload[0] !== 93) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { name: 'SSH_MSG_CHANNEL_WINDOW_ADJUST', id: 93, recipientChannel: view.getUint32(1), bytesToAdd: view.getUint32(5) };
}
