// Scenario 9: authentication paths — banner, partial success with two required methods (RFC 4252 §5.1, §5.4).
import type { Scenario } from '../types.ts';

const me = { host: 'laptop', user: 'alice' };
const vault = { host: 'vault', user: 'alice' };

export const authFailures: Scenario = {
  id: 'auth-failures',
  title: { en: 'Banner, failure and partial success', zh: '登录横幅、失败与部分成功' },
  summary: {
    en: 'A server shows a banner before authentication and demands two methods: the key alone gives "partial success" with password as the way to continue; only both together log in.',
    zh: '服务器在认证前显示登录横幅，并要求两种方法：只有密钥时得到"部分成功"，继续方法为 password；两者都完成才能登录。',
  },
  rfc: ['RFC 4252 §5.4', 'RFC 4252 §5.1', 'RFC 4252 §5.2', 'RFC 4252 §7', 'RFC 4252 §8'],
  seed: 'auth-failures',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'vault', banner: 'Authorised users only. Activity is logged.\n', requiredMethods: [['publickey', 'password']], users: [{ name: 'alice', password: 'v4ult' }] },
  ],
  steps: [
    { do: 'keygen', on: me, narration: { en: 'alice has a key pair…', zh: 'alice 有一对密钥……' } },
    { do: 'authorize', from: me, to: vault, narration: { en: '…and it is in vault\'s authorized_keys.', zh: '……并且公钥已在 vault 的 authorized_keys 中。' } },
    {
      do: 'connect',
      from: me,
      to: vault,
      auth: ['publickey'],
      passwords: [],
      expect: 'failure',
      narration: {
        en: 'With the key only: the "none" request fails and lists the methods (RFC 4252 §5.2), the banner arrives (SSH_MSG_USERAUTH_BANNER, RFC 4252 §5.4), the key is accepted but the answer is USERAUTH_FAILURE with partial success TRUE and "password" to continue (RFC 4252 §5.1). alice has no password method enabled, so she is not logged in.',
        zh: '只用密钥：none 请求失败并列出可用方法（RFC 4252 §5.2），收到登录横幅（SSH_MSG_USERAUTH_BANNER，RFC 4252 §5.4）；密钥被接受，但回复是 partial success 为 TRUE 的 USERAUTH_FAILURE，继续方法为 "password"（RFC 4252 §5.1）。alice 没有启用密码方法，因此没有登录。',
      },
    },
    {
      do: 'connect',
      from: me,
      to: vault,
      auth: ['publickey', 'password'],
      passwords: ['v4ult'],
      highlight: ['SSH_MSG_USERAUTH_BANNER', 'SSH_MSG_USERAUTH_PK_OK', 'SSH_MSG_USERAUTH_FAILURE', 'SSH_MSG_USERAUTH_SUCCESS'],
      expect: 'success',
      narration: { en: 'Key, then password: partial success, then USERAUTH_SUCCESS.', zh: '先密钥、再密码：先部分成功，然后 USERAUTH_SUCCESS。' },
    },
  ],
};
