// Scenario 6: ssh-copy-id and the first login — TOFU, password, authorized_keys, then key login.
import type { Scenario } from '../types.ts';

const me = { host: 'laptop', user: 'alice' };
const there = { host: 'web1', user: 'alice' };

export const copyIdFirstLogin: Scenario = {
  id: 'copy-id-first-login',
  title: { en: 'ssh-copy-id and the first key login', zh: 'ssh-copy-id 与第一次密钥登录' },
  summary: {
    en: 'The first connection meets an unknown host key: saying yes writes it to known_hosts (trust on first use). ssh-copy-id logs in with the password and appends the public key to authorized_keys; from then on the key logs in without a password.',
    zh: '第一次连接遇到未知的主机密钥：回答 yes 后它被写入 known_hosts（首次使用即信任）。ssh-copy-id 用密码登录，把公钥追加到 authorized_keys；此后用密钥登录，不再需要密码。',
  },
  rfc: ['RFC 4251 §4.1', 'RFC 4253 §7.2', 'RFC 4252 §8', 'RFC 4252 §7'],
  seed: 'copy-id-first-login',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'web1', users: [{ name: 'alice', password: 'w3b-pass' }] },
  ],
  steps: [
    { do: 'keygen', on: me, narration: { en: 'alice creates her key pair.', zh: 'alice 生成自己的密钥对。' } },
    {
      do: 'connect',
      from: me,
      to: there,
      hostKeyAnswer: 'no',
      passwords: ['w3b-pass'],
      expect: 'failure',
      narration: {
        en: 'First a plain `ssh alice@web1`: ssh prints web1\'s host key fingerprint and asks "Are you sure you want to continue connecting (yes/no)?". alice is not sure and answers no: the connection ends after the key exchange, before any password is sent, and known_hosts stays empty.',
        zh: '先直接运行 `ssh alice@web1`：ssh 显示 web1 的主机密钥指纹并询问"Are you sure you want to continue connecting (yes/no)?"。alice 不确定，回答 no：连接在密钥交换之后、发送任何密码之前就结束了，known_hosts 仍然是空的。',
      },
    },
    {
      do: 'copy-id',
      from: me,
      to: there,
      passwords: ['w3b-pass'],
      hostKeyAnswer: 'yes',
      expect: 'success',
      narration: {
        en: 'ssh-copy-id alice@web1. web1 is not in known_hosts, so ssh shows the host key fingerprint and asks; alice answers yes and ssh records it (RFC 4251 §4.1 allows this "no database" first-use model). Then a password login (RFC 4252 §8) runs `cat >> .ssh/authorized_keys` and the .pub line travels as channel data.',
        zh: 'ssh-copy-id alice@web1。web1 不在 known_hosts 中，ssh 显示主机密钥指纹并询问；alice 回答 yes，ssh 把它记下来（RFC 4251 §4.1 允许这种首次使用时接受的做法）。接着用密码登录（RFC 4252 §8），运行 `cat >> .ssh/authorized_keys`，公钥行作为通道数据发送过去。',
      },
    },
    {
      do: 'connect',
      from: me,
      to: there,
      auth: ['publickey', 'password'],
      passwords: [],
      expect: 'success',
      narration: {
        en: 'ssh alice@web1 again: the host key is now "known", the key is in authorized_keys, and the publickey method succeeds — no password prompt (RFC 4252 §7).',
        zh: '再次 ssh alice@web1：主机密钥已是"已知"，公钥已在 authorized_keys 中，publickey 方法成功——不再提示输入密码（RFC 4252 §7）。',
      },
    },
  ],
};
