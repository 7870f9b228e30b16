// Scenario 3: publickey authentication — query, PK_OK, signed request (RFC 4252 §7).
import type { Scenario } from '../types.ts';

export const publickeyLogin: Scenario = {
  id: 'publickey-login',
  title: { en: 'Public-key login: query, PK_OK, signature', zh: '公钥登录：询问、PK_OK、签名' },
  summary: {
    en: 'The client first asks whether a key would be acceptable (no signature), the server answers SSH_MSG_USERAUTH_PK_OK, then the client sends a request signed over data that begins with the session identifier. The private key never leaves the client.',
    zh: '客户端先询问某个公钥是否可用（不带签名），服务器回复 SSH_MSG_USERAUTH_PK_OK，然后客户端发送一个签名请求，被签名的数据以会话标识符开头。私钥从不离开客户端。',
  },
  rfc: ['RFC 4252 §7', 'RFC 8709 §6', 'RFC 4253 §7.2'],
  seed: 'publickey-login',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'server', users: [{ name: 'alice' }] },
  ],
  steps: [
    {
      do: 'keygen',
      on: { host: 'laptop', user: 'alice' },
      narration: { en: 'alice makes an Ed25519 key pair on her laptop.', zh: 'alice 在笔记本上生成一对 Ed25519 密钥。' },
    },
    {
      do: 'authorize',
      from: { host: 'laptop', user: 'alice' },
      to: { host: 'server', user: 'alice' },
      narration: {
        en: 'The administrator of server puts alice\'s public key into ~alice/.ssh/authorized_keys (in the next scenarios ssh-copy-id does this over the wire).',
        zh: 'server 的管理员把 alice 的公钥放进 ~alice/.ssh/authorized_keys（后面的场景会用 ssh-copy-id 通过网络完成这一步）。',
      },
    },
    {
      do: 'connect',
      from: { host: 'laptop', user: 'alice' },
      to: { host: 'server', user: 'alice' },
      auth: ['publickey'],
      highlight: ['SSH_MSG_USERAUTH_REQUEST', 'SSH_MSG_USERAUTH_PK_OK', 'SSH_MSG_USERAUTH_SUCCESS'],
      expect: 'success',
      narration: {
        en: 'alice logs in with the key. Look for three phase-3 packets: a USERAUTH_REQUEST with FALSE and no signature, the server\'s USERAUTH_PK_OK, and a USERAUTH_REQUEST with TRUE and a signature over (session identifier, the request fields) — RFC 4252 §7. The server verifies it with the public key from authorized_keys.',
        zh: 'alice 用密钥登录。注意阶段 3 的三个数据包：一个布尔值为 FALSE、没有签名的 USERAUTH_REQUEST；服务器的 USERAUTH_PK_OK；以及一个布尔值为 TRUE、带签名的 USERAUTH_REQUEST，签名覆盖（会话标识符，请求各字段）——RFC 4252 §7。服务器用 authorized_keys 里的公钥验证签名。',
      },
    },
  ],
};
