// Scenario 8: the host key changed — known_hosts says 'changed', ssh refuses (RFC 4251 §4.1, RFC 4253 §8).
import type { Scenario } from '../types.ts';

const me = { host: 'laptop', user: 'alice' };
const there = { host: 'db', user: 'alice' };

export const hostKeyChanged: Scenario = {
  id: 'host-key-changed',
  title: { en: 'WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED', zh: '警告：远程主机标识已改变' },
  summary: {
    en: 'known_hosts remembers db\'s host key. When db presents another key (reinstalled — or someone in the middle), the lookup says "changed" and ssh refuses to continue, even with the right password.',
    zh: 'known_hosts 记住了 db 的主机密钥。当 db 出示另一把密钥时（重装了系统——或者有人在中间冒充），查询结果是"已改变"，ssh 拒绝继续，即使密码正确也不行。',
  },
  rfc: ['RFC 4251 §4.1', 'RFC 4253 §7.2', 'RFC 4253 §8', 'RFC 5656 §4', 'RFC 4251 §9.3.4'],
  seed: 'host-key-changed',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'db', algorithms: { kex: ['curve25519-sha256'] }, users: [{ name: 'alice', password: 'db-pass' }] },
  ],
  steps: [
    {
      do: 'connect',
      from: me,
      to: there,
      passwords: ['db-pass'],
      expect: 'success',
      narration: { en: 'First visit: alice accepts db\'s host key; it goes into known_hosts.', zh: '第一次访问：alice 接受 db 的主机密钥，它被写入 known_hosts。' },
    },
    {
      do: 'new-host-key',
      host: 'db',
      narration: { en: 'db is reinstalled and generates a new host key (an attacker in the middle would look exactly the same to the client).', zh: 'db 重装了系统，生成了新的主机密钥（对客户端来说，中间人攻击看起来完全一样）。' },
    },
    {
      do: 'connect',
      from: me,
      to: there,
      passwords: ['db-pass'],
      expect: 'failure',
      highlight: ['SSH_MSG_KEX_ECDH_REPLY', 'SSH_MSG_DISCONNECT'],
      narration: {
        en: 'In SSH_MSG_KEX_ECDH_REPLY (RFC 5656 §4; db uses curve25519-sha256) the server sends its new host key and signs H with it (RFC 4253 §8); the signature is valid, but the key does not match known_hosts. ssh stops before authentication — the password is never sent (RFC 4251 §9.3.4 on man-in-the-middle).',
        zh: '在 SSH_MSG_KEX_ECDH_REPLY 中（RFC 5656 §4；db 使用 curve25519-sha256），服务器发送新的主机公钥并用它对 H 签名（RFC 4253 §8）；签名本身有效，但密钥与 known_hosts 不符。ssh 在认证之前就停止——密码根本不会被发送（中间人攻击见 RFC 4251 §9.3.4）。',
      },
    },
  ],
};
