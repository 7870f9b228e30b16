// Runs a client and a server connection against each other in memory (DESIGN.md: memory pair).

import type { Connection } from '../core/connection.ts';
import type { SshEvent } from '../events.ts';

export interface PumpResult {
  /** Every event of both sides, in the order they were produced. */
  events: SshEvent[];
  /** Bytes moved in this pump. */
  bytes: number;
}

/**
 * Moves bytes between the two connections until neither has anything to send, collecting both
 * sides' events. `onEvent` may issue commands or answer decisions; the pump continues after it.
 */
export function pumpPair(client: Connection, server: Connection, onEvent?: (e: SshEvent, from: Connection) => void, maxRounds = 1_000_000): PumpResult {
  const events: SshEvent[] = [];
  let bytes = 0;
  for (let round = 0; round < maxRounds; round++) {
    let moved = false;
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      let e: SshEvent | null;
      while ((e = from.pollEvent())) {
        events.push(e);
        onEvent?.(e, from);
        moved = true;
      }
      const out = from.pollTransmit();
      if (out) {
        bytes += out.length;
        to.receive(out);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return { events, bytes };
}
