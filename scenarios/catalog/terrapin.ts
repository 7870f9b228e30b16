// Scenario 14: Terrapin (CVE-2023-48795) — a man in the middle shifts the client's receive sequence
// number with an injected SSH_MSG_IGNORE and deletes the server's first encrypted packet (EXT_INFO,
// RFC 8308 §2.4). Unnoticed with chacha20-poly1305 when strict KEX is off; detected by AES-GCM's own
// packet counter; garbled by CTR with an -etm MAC; impossible with strict KEX (OpenSSH PROTOCOL §1.10).
import type { Scenario } from '../types.ts';

const laptop = { host: 'laptop', user: 'alice' };
const oldServer = { host: 'old-server', user: 'alice' };
const newServer = { host: 'new-server', user: 'alice' };

export const terrapin: Scenario = {
  id: 'terrapin',
  title: { en: 'Terrapin (CVE-2023-48795): deleting a packet nobody misses', zh: 'Terrapin（CVE-2023-48795）：删掉一个没人发现少了的数据包' },
  summary: {
    en: 'The MAC of every packet covers an implicit sequence number (RFC 4253 §6.4), so a deleted packet should be noticed. But before 2023 the counters kept running through the key exchange, where the man in the middle can add an unauthenticated IGNORE. One injected IGNORE plus one deleted encrypted packet leaves the counters in line: the server\'s EXT_INFO silently disappears. Strict KEX resets the counters at NEWKEYS and forbids stray messages during the first key exchange.',
    zh: '每个数据包的 MAC 都覆盖一个隐含的序列号（RFC 4253 §6.4），所以删掉一个数据包本应被发现。但在 2023 年之前，计数器在密钥交换期间一直累加，而这时中间人可以插入未经认证的 IGNORE 消息。注入一个 IGNORE、再删掉一个加密数据包，两边的计数又对上了：服务器的 EXT_INFO 悄无声息地消失。严格密钥交换（strict KEX）在 NEWKEYS 时把计数器清零，并禁止第一次密钥交换期间出现任何多余的消息。',
  },
  rfc: ['RFC 4253 §6.4', 'RFC 4253 §11.2', 'RFC 8308 §2.4', 'RFC 8308 §3.1', 'RFC 5647 §7.1', 'OpenSSH PROTOCOL §1.5', 'OpenSSH PROTOCOL §1.10', 'OpenSSH PROTOCOL.chacha20poly1305'],
  seed: 'terrapin',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'old-server', strictKex: false, users: [{ name: 'alice', password: 'turtle' }] },
    { name: 'new-server', users: [{ name: 'alice', password: 'turtle' }] },
  ],
  steps: [
    {
      do: 'note',
      narration: {
        en: 'How a packet is protected: its MAC (or AEAD tag) is computed over the sequence number — a uint32 each side counts, starting at 0 with the first packet and never sent (RFC 4253 §6.4). chacha20-poly1305@openssh.com even derives its nonce from it. Deleting or reordering packets after NEWKEYS therefore breaks the check. The gap Terrapin uses: the messages before NEWKEYS are not authenticated, yet they are counted.',
        zh: '数据包是如何被保护的：它的 MAC（或 AEAD 标签）覆盖序列号——一个双方各自计数的 uint32，从第一个数据包的 0 开始，从不在网络上发送（RFC 4253 §6.4）。chacha20-poly1305@openssh.com 甚至用它生成 nonce。因此在 NEWKEYS 之后删除或重排数据包都会让校验失败。Terrapin 利用的缺口是：NEWKEYS 之前的消息没有认证，却被计入了序号。',
      },
    },
    {
      do: 'connect',
      from: laptop,
      to: oldServer,
      strictKex: false,
      mitm: 'terrapin',
      algorithms: { cipher: ['chacha20-poly1305@openssh.com'] },
      passwords: ['turtle'],
      highlight: ['SSH_MSG_IGNORE', 'SSH_MSG_NEWKEYS', 'SSH_MSG_EXT_INFO', 'SSH_MSG_SERVICE_ACCEPT'],
      expect: 'success',
      narration: {
        en: 'chacha20-poly1305, strict KEX off on both sides. During the key exchange the attacker sends the client one SSH_MSG_IGNORE (RFC 4253 §11.2) it never got from the server: the client\'s receive counter is now one ahead. Right after the server\'s NEWKEYS the attacker deletes the next packet — the server\'s EXT_INFO (RFC 8308 §2.4), which carries server-sig-algs (RFC 8308 §3.1). The next packet, SERVICE_ACCEPT, arrives with exactly the number the client expects, its tag verifies, and the login goes on. Compare the sequence numbers on the two sides: the client\'s view of the server\'s packets is shifted by one until the gap.',
        zh: '使用 chacha20-poly1305，双方都关闭了严格密钥交换。密钥交换期间，攻击者向客户端发送一个服务器从未发过的 SSH_MSG_IGNORE（RFC 4253 §11.2）：客户端的接收计数器因此多了 1。服务器的 NEWKEYS 刚过，攻击者就删掉下一个数据包——服务器的 EXT_INFO（RFC 8308 §2.4），其中带有 server-sig-algs（RFC 8308 §3.1）。下一个数据包 SERVICE_ACCEPT 到达时，序号正好是客户端期望的那个，标签验证通过，登录继续。对比两边的序列号：在缺口之前，客户端看到的服务器数据包序号整体偏移了 1。',
      },
    },
    {
      do: 'connect',
      from: laptop,
      to: oldServer,
      strictKex: false,
      mitm: 'terrapin',
      algorithms: { cipher: ['aes256-gcm@openssh.com'] },
      passwords: ['turtle'],
      highlight: ['SSH_MSG_IGNORE', 'SSH_MSG_NEWKEYS'],
      expect: 'failure',
      narration: {
        en: 'The same attack against aes256-gcm@openssh.com, still without strict KEX. AES-GCM in SSH (RFC 5647 §7.1) does not use the sequence number for its nonce: it keeps its own invocation counter, which counts only encrypted packets. After the deletion the client decrypts SERVICE_ACCEPT with the counter meant for EXT_INFO, the tag fails, and the connection ends with MAC_ERROR. The attack is detected — by luck of the cipher design, not by the protocol.',
        zh: '同样的攻击，换成 aes256-gcm@openssh.com，仍然没有严格密钥交换。SSH 中的 AES-GCM（RFC 5647 §7.1）不用序列号生成 nonce，而是维护自己的调用计数器，只对加密的数据包计数。删除之后，客户端用本属于 EXT_INFO 的计数器值去解密 SERVICE_ACCEPT，标签校验失败，连接以 MAC_ERROR 结束。攻击被发现了——靠的是这个加密算法的设计，而不是协议本身。',
      },
    },
    {
      do: 'connect',
      from: laptop,
      to: oldServer,
      strictKex: false,
      mitm: 'terrapin',
      algorithms: { cipher: ['aes128-ctr'], mac: ['hmac-sha2-256-etm@openssh.com'] },
      passwords: ['turtle'],
      highlight: ['SSH_MSG_IGNORE', 'SSH_MSG_NEWKEYS'],
      expect: 'failure',
      narration: {
        en: 'Once more with aes128-ctr and an encrypt-then-MAC MAC, hmac-sha2-256-etm@openssh.com (OpenSSH PROTOCOL §1.5). The MAC is checked first, over the sequence number and the ciphertext — and it passes: the number is the one the client expects, the bytes are the server\'s own. But CTR mode continues its keystream from packet to packet, so the client decrypts SERVICE_ACCEPT with the keystream meant for the deleted EXT_INFO: garbage (a padding length larger than the packet), and the client gives up. With CBC instead of CTR only the first block is garbled, and the attack works with some probability.',
        zh: '再换成 aes128-ctr 加"先加密后 MAC"的 hmac-sha2-256-etm@openssh.com（OpenSSH PROTOCOL §1.5）。MAC 先被校验，它覆盖序列号和密文——而且校验通过了：序号正是客户端期望的，字节也确实是服务器发出的。但 CTR 模式的密钥流是跨数据包连续的，客户端用本属于被删除的 EXT_INFO 的那段密钥流去解密 SERVICE_ACCEPT：得到乱码（填充长度比整个数据包还大），客户端放弃连接。如果用 CBC 而不是 CTR，只有第一个分组被破坏，攻击有一定概率成功。',
      },
    },
    {
      do: 'connect',
      from: laptop,
      to: newServer,
      mitm: 'terrapin',
      algorithms: { cipher: ['chacha20-poly1305@openssh.com'] },
      passwords: ['turtle'],
      highlight: ['SSH_MSG_KEXINIT', 'SSH_MSG_DISCONNECT'],
      expect: 'failure',
      narration: {
        en: 'The fix, strict KEX (OpenSSH 9.6; PROTOCOL §1.10): the client lists kex-strict-c-v00@openssh.com and the server kex-strict-s-v00@openssh.com among their KEX algorithms. When both do, any message other than the key exchange ones during the first key exchange is fatal, and both sequence numbers restart at 0 after each NEWKEYS. The injected IGNORE is refused at once: the client disconnects with PROTOCOL_ERROR and nothing is deleted.',
        zh: '修复方法是严格密钥交换（OpenSSH 9.6；PROTOCOL §1.10）：客户端在 KEX 算法列表里加入 kex-strict-c-v00@openssh.com，服务器加入 kex-strict-s-v00@openssh.com。双方都加入时，第一次密钥交换期间出现任何非密钥交换消息都是致命错误，而且每次 NEWKEYS 之后两个方向的序列号都从 0 重新开始。注入的 IGNORE 立刻被拒绝：客户端以 PROTOCOL_ERROR 断开连接，什么也删不掉。',
      },
    },
  ],
};
