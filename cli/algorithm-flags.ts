// The algorithm preference flags shared by `connect` and `serve` (like ssh's and sshd's
// KexAlgorithms, HostKeyAlgorithms, Ciphers, MACs and Compression options).

import type { AlgorithmPrefs } from '../engine/core/config.ts';
import { getValue, parseList, type FlagSpec, type ParsedArgs } from './args.ts';

export const ALGORITHM_FLAGS: FlagSpec[] = [
  { name: 'kex', value: true, valueName: 'LIST', help: 'key exchange methods, comma-separated, preferred first' },
  { name: 'hostkey-algs', value: true, valueName: 'LIST', help: 'host key algorithms' },
  { name: 'ciphers', value: true, valueName: 'LIST', help: 'ciphers' },
  { name: 'macs', value: true, valueName: 'LIST', help: 'MACs' },
];

/** The preference lists given on the command line (categories not given keep the defaults). */
export function algorithmsFromFlags(p: ParsedArgs): Partial<AlgorithmPrefs> {
  const algorithms: Partial<AlgorithmPrefs> = {};
  const lists: [flag: string, key: keyof AlgorithmPrefs][] = [
    ['kex', 'kex'],
    ['hostkey-algs', 'hostKey'],
    ['ciphers', 'cipher'],
    ['macs', 'mac'],
    ['compression', 'compression'],
  ];
  for (const [flag, key] of lists) {
    const v = getValue(p, flag);
    if (v) algorithms[key] = parseList(v, `--${flag}`);
  }
  return algorithms;
}
