// Scenario 10: algorithm negotiation — the client's preference wins (RFC 4253 §7.1).
import type { Scenario } from '../types.ts';

const me = { host: 'laptop', user: 'alice' };
const there = { host: 'server', user: 'alice' };

export const negotiation: Scenario = {
  id: 'negotiation',
  title: { en: 'Algorithm negotiation: whose preference wins?', zh: '算法协商：听谁的？' },
  summary: {
    en: 'Client and server list the same ciphers in opposite orders. For each category the chosen algorithm is the first one on the client\'s list that the server also supports — the server\'s order does not matter.',
    zh: '客户端和服务器以相反的顺序列出同样的加密算法。每一类选中的都是客户端列表中第一个服务器也支持的算法——服务器列表的顺序不起作用。',
  },
  rfc: ['RFC 4253 §7.1'],
  seed: 'negotiation',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'server', algorithms: { cipher: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr'] }, users: [{ name: 'alice', password: 'pw' }] },
  ],
  steps: [
    {
      do: 'connect',
      from: me,
      to: there,
      algorithms: { cipher: ['aes128-ctr', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com'] },
      highlight: ['SSH_MSG_KEXINIT'],
      passwords: ['pw'],
      expect: 'success',
      narration: {
        en: 'The client prefers aes128-ctr, the server prefers chacha20-poly1305. Both KEXINITs list all three; the negotiated cipher is aes128-ctr, the client\'s first choice (RFC 4253 §7.1).',
        zh: '客户端最想用 aes128-ctr，服务器最想用 chacha20-poly1305。两个 KEXINIT 都列出了这三种算法；协商结果是 aes128-ctr，即客户端的首选（RFC 4253 §7.1）。',
      },
    },
    {
      do: 'connect',
      from: me,
      to: there,
      algorithms: { cipher: ['aes192-ctr', 'aes256-gcm@openssh.com', 'aes128-ctr'] },
      passwords: ['pw'],
      expect: 'success',
      narration: {
        en: 'Now the client\'s first choice, aes192-ctr, is not offered by the server, so the next one on the client\'s list that the server has wins: aes256-gcm@openssh.com.',
        zh: '这次客户端的首选 aes192-ctr 服务器不支持，于是客户端列表中下一个服务器也有的算法胜出：aes256-gcm@openssh.com。',
      },
    },
  ],
};
