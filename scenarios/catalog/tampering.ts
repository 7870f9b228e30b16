// Scenario 13: tampering — one flipped bit on the wire → MAC_ERROR (RFC 4253 §6.4, §11.1; OpenSSH PROTOCOL.chacha20poly1305).
import type { Scenario } from '../types.ts';

export const tampering: Scenario = {
  id: 'tampering',
  title: { en: 'Tampering: one flipped bit is detected', zh: '篡改：翻转一个比特也会被发现' },
  summary: {
    en: 'After NEWKEYS every packet carries a MAC (or an AEAD tag). Flip one bit of a client packet on the wire and the server\'s check fails: our server disconnects with reason 5, MAC_ERROR; a real OpenSSH sshd sends no DISCONNECT at all, it logs "message authentication code incorrect" and closes the TCP connection.',
    zh: 'NEWKEYS 之后每个数据包都带有 MAC（或 AEAD 认证标签）。在网络上翻转客户端数据包的一个比特，服务器的校验就会失败：我们的服务器以原因码 5（MAC_ERROR）断开连接；真实的 OpenSSH sshd 则根本不发送 DISCONNECT，只在日志里记下 "message authentication code incorrect"，然后关闭 TCP 连接。',
  },
  rfc: ['RFC 4253 §6.4', 'RFC 4253 §11.1', 'OpenSSH PROTOCOL.chacha20poly1305'],
  seed: 'tampering',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'server', users: [{ name: 'alice', password: 'pw' }] },
  ],
  steps: [
    {
      do: 'connect',
      from: { host: 'laptop', user: 'alice' },
      to: { host: 'server', user: 'alice' },
      algorithms: { cipher: ['aes128-ctr'], mac: ['hmac-sha2-256'] },
      passwords: ['pw'],
      tamper: true,
      expect: 'failure',
      narration: {
        en: 'aes128-ctr with hmac-sha2-256: the MAC is computed over the sequence number and the unencrypted packet (RFC 4253 §6.4). A man in the middle flips one bit of the client\'s first encrypted packet; decryption still "works" (CTR mode flips the same plaintext bit) but the MAC no longer matches, and the server disconnects with MAC_ERROR (5). (That DISCONNECT is our server\'s choice, from the reason codes of RFC 4253 §11.1; OpenSSH drops the connection without one.)',
        zh: '使用 aes128-ctr 和 hmac-sha2-256：MAC 是对序列号和未加密数据包计算的（RFC 4253 §6.4）。中间人翻转客户端第一个加密数据包中的一个比特；解密仍然"成功"（CTR 模式只会翻转明文中对应的比特），但 MAC 不再匹配，服务器以 MAC_ERROR（5）断开连接。（发送这个 DISCONNECT 是我们服务器的选择，原因码取自 RFC 4253 §11.1；OpenSSH 会不发 DISCONNECT 直接断开连接。）',
      },
    },
    {
      do: 'connect',
      from: { host: 'laptop', user: 'alice' },
      to: { host: 'server', user: 'alice' },
      algorithms: { cipher: ['chacha20-poly1305@openssh.com'] },
      passwords: ['pw'],
      tamper: true,
      expect: 'failure',
      narration: {
        en: 'The same with chacha20-poly1305@openssh.com, an AEAD cipher whose Poly1305 tag plays the MAC\'s role (OpenSSH PROTOCOL.chacha20poly1305): the tag check fails and the reason is again MAC_ERROR.',
        zh: '换成 chacha20-poly1305@openssh.com 再试一次，这是一种 AEAD 算法，由 Poly1305 标签承担 MAC 的作用（OpenSSH PROTOCOL.chacha20poly1305）：标签校验失败，原因仍是 MAC_ERROR。',
      },
    },
  ],
};
