// Scenario 2: password authentication, failures and the attempt limit (RFC 4252 §8, §5.1, §4).
import type { Scenario } from '../types.ts';

export const passwordLogin: Scenario = {
  id: 'password-login',
  title: { en: 'Password login: a typo, a retry, and the attempt limit', zh: '密码登录：输错、重试与次数上限' },
  summary: {
    en: 'A wrong password is answered with USERAUTH_FAILURE listing the methods that can continue ("publickey,password"); the right one gets USERAUTH_SUCCESS. A server with MaxAuthTries 2 disconnects after two failures.',
    zh: '密码错误时服务器回复 USERAUTH_FAILURE，并列出还可以继续尝试的方法（"publickey,password"）；密码正确则回复 USERAUTH_SUCCESS。MaxAuthTries 为 2 的服务器在两次失败后断开连接。',
  },
  rfc: ['RFC 4252 §8', 'RFC 4252 §5.1', 'RFC 4252 §4', 'RFC 4253 §11.1'],
  seed: 'password-login',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'server', users: [{ name: 'bob', password: 'tr0ub4dor' }] },
    { name: 'strict', maxAuthTries: 2, users: [{ name: 'bob', password: 'tr0ub4dor' }] },
  ],
  steps: [
    {
      do: 'connect',
      from: { host: 'laptop', user: 'alice' },
      to: { host: 'server', user: 'bob' },
      passwords: ['troubador', 'tr0ub4dor'],
      highlight: ['SSH_MSG_USERAUTH_REQUEST', 'SSH_MSG_USERAUTH_FAILURE', 'SSH_MSG_USERAUTH_SUCCESS'],
      expect: 'success',
      narration: {
        en: 'alice logs in as bob and mistypes the password first. The password travels inside the encrypted transport (RFC 4252 §8), so only the server sees it. The server answers SSH_MSG_USERAUTH_FAILURE with the list of methods that may continue (RFC 4252 §5.1); ssh asks again, and the second try succeeds.',
        zh: 'alice 以 bob 身份登录，第一次把密码输错了。密码在已加密的传输层里发送（RFC 4252 §8），只有服务器能看到。服务器回复 SSH_MSG_USERAUTH_FAILURE，并附上还可以继续的方法列表（RFC 4252 §5.1）；ssh 再次提示输入，第二次成功。',
      },
    },
    {
      do: 'connect',
      from: { host: 'laptop', user: 'alice' },
      to: { host: 'strict', user: 'bob' },
      passwords: ['guess1', 'guess2', 'guess3'],
      highlight: ['SSH_MSG_USERAUTH_FAILURE', 'SSH_MSG_DISCONNECT'],
      expect: 'failure',
      narration: {
        en: 'Now a server configured with MaxAuthTries 2. Every wrong password is one failure; at the limit sshd sends SSH_MSG_DISCONNECT (reason 2, "Too many authentication failures") — RFC 4252 §4 lets a server limit attempts and close the connection.',
        zh: '换一台配置了 MaxAuthTries 2 的服务器。每输错一次算一次失败；达到上限时 sshd 发送 SSH_MSG_DISCONNECT（原因码 2，"Too many authentication failures"）——RFC 4252 §4 允许服务器限制尝试次数并关闭连接。',
      },
    },
  ],
};
