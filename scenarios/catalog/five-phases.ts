// Scenario 1: the five phases of one SSH-2 login (RFC 4253 §4.2, §7, RFC 4252 §5, RFC 4254 §6).
import type { Scenario } from '../types.ts';

export const fivePhases: Scenario = {
  id: 'five-phases',
  title: { en: 'The five phases of an SSH connection', zh: 'SSH 连接的五个阶段' },
  summary: {
    en: 'alice runs one command on server. Watch the connection go through version exchange, key exchange, user authentication, the session request and the interactive data, in that order.',
    zh: 'alice 在 server 上执行一条命令。观察连接依次经历：版本交换、密钥交换、用户认证、会话请求、交互数据。',
  },
  rfc: ['RFC 4253 §4.2', 'RFC 4253 §7', 'RFC 4253 §10', 'RFC 4252 §5', 'RFC 4254 §6.5', 'RFC 4254 §5.3'],
  seed: 'five-phases',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'server', users: [{ name: 'alice', password: 'correct horse' }] },
  ],
  steps: [
    {
      do: 'note',
      narration: {
        en: 'Phase 1 (RFC 4253 §4.2): each side sends one identification line "SSH-2.0-software", in plain text. Phase 2 (RFC 4253 §7): KEXINIT lists, a Diffie-Hellman-style exchange, the server signs the exchange hash H with its host key, NEWKEYS turns encryption on. Phase 3 (RFC 4252): the client asks for the ssh-userauth service and proves who the user is. Phase 4 (RFC 4254 §6): a session channel is opened and a command requested. Phase 5: data flows, then exit-status, EOF and close.',
        zh: '阶段 1（RFC 4253 §4.2）：双方各发送一行明文标识 "SSH-2.0-软件名"。阶段 2（RFC 4253 §7）：交换 KEXINIT 算法列表，做一次 Diffie-Hellman 类的密钥交换，服务器用主机密钥对交换哈希 H 签名，NEWKEYS 之后开始加密。阶段 3（RFC 4252）：客户端请求 ssh-userauth 服务并证明用户身份。阶段 4（RFC 4254 §6）：打开会话通道并请求执行命令。阶段 5：数据往来，随后是 exit-status、EOF 和关闭。',
      },
    },
    {
      do: 'connect',
      from: { host: 'laptop', user: 'alice' },
      to: { host: 'server', user: 'alice' },
      command: 'echo hello',
      highlight: ['SSH_MSG_KEXINIT', 'SSH_MSG_NEWKEYS', 'SSH_MSG_SERVICE_REQUEST', 'SSH_MSG_USERAUTH_SUCCESS', 'SSH_MSG_CHANNEL_OPEN', 'SSH_MSG_CHANNEL_DATA', 'SSH_MSG_CHANNEL_CLOSE'],
      passwords: ['correct horse'],
      expect: 'success',
      narration: {
        en: 'alice types `ssh alice@server "echo hello"`, accepts the new host key and types her password. Every packet below is tagged with its phase.',
        zh: 'alice 输入 `ssh alice@server "echo hello"`，接受新的主机密钥并输入密码。下面每个数据包都标注了所属阶段。',
      },
    },
  ],
};
