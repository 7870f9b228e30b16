// Scenario 7: mutual trust (ssh互信) — keys copied both ways, known_hosts on both sides; then a cluster of three.
import type { Scenario } from '../types.ts';

const A = { host: 'node-a', user: 'ops' };
const B = { host: 'node-b', user: 'ops' };
const C = { host: 'node-c', user: 'ops' };
const pw = 'cluster-pw';

export const mutualTrust: Scenario = {
  id: 'mutual-trust',
  title: { en: 'Mutual trust (ssh互信) between two hosts, then a cluster of three', zh: 'SSH 互信：两台主机，然后三台组成的集群' },
  summary: {
    en: 'Trust is one-directional: copying A\'s key to B lets A log in to B, not B to A. "Mutual trust" needs every host\'s key in every other host\'s authorized_keys and every host key in every other host\'s known_hosts. A trust matrix built from real login attempts shows it.',
    zh: '信任是单向的：把 A 的公钥复制到 B，只让 A 能登录 B，而不是 B 能登录 A。所谓"互信"需要每台主机的公钥都在其他每台主机的 authorized_keys 中，并且每台主机的主机密钥都在其他每台主机的 known_hosts 中。下面用真实的登录尝试构建一张信任矩阵来说明。',
  },
  rfc: ['RFC 4252 §7', 'RFC 4251 §4.1', 'RFC 4253 §7.2'],
  seed: 'mutual-trust',
  hosts: [
    { name: 'node-a', users: [{ name: 'ops', password: pw }] },
    { name: 'node-b', users: [{ name: 'ops', password: pw }] },
    { name: 'node-c', users: [{ name: 'ops', password: pw }] },
  ],
  steps: [
    { do: 'keygen', on: A, narration: { en: 'ssh-keygen on node-a.', zh: '在 node-a 上运行 ssh-keygen。' } },
    { do: 'keygen', on: B, narration: { en: 'ssh-keygen on node-b.', zh: '在 node-b 上运行 ssh-keygen。' } },
    {
      do: 'copy-id',
      from: A,
      to: B,
      passwords: [pw],
      expect: 'success',
      narration: { en: 'On node-a: ssh-copy-id ops@node-b (answers yes to node-b\'s host key, types the password).', zh: '在 node-a 上：ssh-copy-id ops@node-b（对 node-b 的主机密钥回答 yes，输入密码）。' },
    },
    {
      do: 'trust-matrix',
      hosts: ['node-a', 'node-b'],
      user: 'ops',
      narration: {
        en: 'Try a key-only, non-interactive login (like ssh -o BatchMode=yes) in both directions. node-a → node-b works; node-b → node-a fails: node-b has never seen node-a\'s host key and node-a\'s authorized_keys does not hold node-b\'s key.',
        zh: '双向尝试只用密钥、非交互的登录（类似 ssh -o BatchMode=yes）。node-a → node-b 成功；node-b → node-a 失败：node-b 从未见过 node-a 的主机密钥，node-a 的 authorized_keys 里也没有 node-b 的公钥。',
      },
    },
    {
      do: 'connect',
      from: B,
      to: A,
      passwords: [pw],
      expect: 'success',
      narration: {
        en: 'On node-b, an ordinary `ssh ops@node-a` with the password: the host-key prompt is answered yes, so node-b\'s known_hosts now holds node-a. Only the host half of the trust is there.',
        zh: '在 node-b 上用密码普通地执行一次 `ssh ops@node-a`：主机密钥提示回答 yes，于是 node-b 的 known_hosts 里有了 node-a。现在只具备了信任中"主机"这一半。',
      },
    },
    {
      do: 'trust-matrix',
      hosts: ['node-a', 'node-b'],
      user: 'ops',
      expect: 'failure',
      narration: {
        en: 'node-b → node-a still fails, now for the other reason: the host key is known, but node-a\'s authorized_keys does not list node-b\'s public key (RFC 4252 §7), so the publickey method is refused.',
        zh: 'node-b → node-a 仍然失败，但原因变了：主机密钥已知，可是 node-a 的 authorized_keys 里没有 node-b 的公钥（RFC 4252 §7），所以 publickey 方法被拒绝。',
      },
    },
    {
      do: 'copy-id',
      from: B,
      to: A,
      passwords: [pw],
      expect: 'success',
      narration: { en: 'The reverse copy, on node-b: ssh-copy-id ops@node-a.', zh: '反向复制，在 node-b 上：ssh-copy-id ops@node-a。' },
    },
    {
      do: 'trust-matrix',
      hosts: ['node-a', 'node-b'],
      user: 'ops',
      expect: 'success',
      narration: { en: 'The matrix again: now both directions log in without a password — that is mutual trust.', zh: '再看矩阵：现在两个方向都能免密登录——这才是互信。' },
    },
    { do: 'keygen', on: C, narration: { en: 'A third machine joins: ssh-keygen on node-c.', zh: '第三台机器加入：在 node-c 上运行 ssh-keygen。' } },
    { do: 'copy-id', from: A, to: C, passwords: [pw], expect: 'success', narration: { en: 'Copy from node-a to node-c.', zh: '从 node-a 复制到 node-c。' } },
    { do: 'copy-id', from: B, to: C, passwords: [pw], expect: 'success', narration: { en: 'Copy from node-b to node-c.', zh: '从 node-b 复制到 node-c。' } },
    {
      do: 'trust-matrix',
      hosts: ['node-a', 'node-b', 'node-c'],
      user: 'ops',
      expect: 'failure',
      narration: {
        en: 'Half done: node-c can reach no one yet. For n hosts, full mutual trust needs n×(n−1) authorized_keys lines and as many known_hosts entries.',
        zh: '只完成了一半：node-c 还登录不了任何主机。n 台主机的完全互信需要 n×(n−1) 条 authorized_keys 记录，以及同样数量的 known_hosts 记录。',
      },
    },
    { do: 'copy-id', from: C, to: A, passwords: [pw], expect: 'success', narration: { en: 'Copy from node-c to node-a.', zh: '从 node-c 复制到 node-a。' } },
    { do: 'copy-id', from: C, to: B, passwords: [pw], expect: 'success', narration: { en: 'Copy from node-c to node-b.', zh: '从 node-c 复制到 node-b。' } },
    {
      do: 'trust-matrix',
      hosts: ['node-a', 'node-b', 'node-c'],
      user: 'ops',
      expect: 'success',
      narration: { en: 'Every cell is ok: the three-node cluster trusts itself in all six directions.', zh: '每一格都成功：三节点集群在全部六个方向上互信。' },
    },
  ],
};
