// Scenario 11: no common algorithm — negotiation fails with KEY_EXCHANGE_FAILED (RFC 4253 §7.1, §11.1).
import type { Scenario } from '../types.ts';

export const noCommonAlgorithm: Scenario = {
  id: 'no-common-algorithm',
  title: { en: 'No algorithm in common', zh: '没有共同的算法' },
  summary: {
    en: 'Each side lists the ciphers it accepts in KEXINIT. The client\'s first choice that the server also lists wins; when there is none, the connection ends. Our engines say so with SSH_MSG_DISCONNECT reason 3 (KEY_EXCHANGE_FAILED), whose message shows both offers; OpenSSH sends no DISCONNECT: each side notices on its own ("Unable to negotiate … no matching cipher found. Their offer: …") and closes the TCP connection.',
    zh: '双方在 KEXINIT 中列出各自接受的加密算法。选中的是客户端列表中第一个服务器也支持的算法；如果一个都没有，连接就此结束。我们的引擎会发送 SSH_MSG_DISCONNECT 原因码 3（KEY_EXCHANGE_FAILED），消息中给出双方的列表；OpenSSH 则不发送 DISCONNECT：双方各自发现协商失败（"Unable to negotiate … no matching cipher found. Their offer: …"），然后关闭 TCP 连接。',
  },
  rfc: ['RFC 4253 §7.1', 'RFC 4253 §11.1'],
  seed: 'no-common-algorithm',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'legacy', algorithms: { cipher: ['aes256-gcm@openssh.com'] }, users: [{ name: 'alice', password: 'pw' }] },
  ],
  steps: [
    {
      do: 'connect',
      from: { host: 'laptop', user: 'alice' },
      to: { host: 'legacy', user: 'alice' },
      algorithms: { cipher: ['aes128-ctr', 'chacha20-poly1305@openssh.com'] },
      highlight: ['SSH_MSG_KEXINIT', 'SSH_MSG_DISCONNECT'],
      passwords: ['pw'],
      expect: 'failure',
      narration: {
        en: 'The client allows only aes128-ctr and chacha20-poly1305; the server only aes256-gcm. Compare the encryption_algorithms name-lists in the two KEXINIT packets (RFC 4253 §7.1): no name appears in both, so key exchange fails before any key is derived.',
        zh: '客户端只允许 aes128-ctr 和 chacha20-poly1305；服务器只允许 aes256-gcm。比较两个 KEXINIT 包里的 encryption_algorithms 名称列表（RFC 4253 §7.1）：没有任何名称同时出现，因此在派生任何密钥之前密钥交换就失败了。',
      },
    },
  ],
};
