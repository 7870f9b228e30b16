// Scenario 12: inside key exchange — curve25519-sha256 (RFC 8731), classic Diffie-Hellman group14
// (RFC 4253 §8, RFC 8268 §3) and the post-quantum hybrid mlkem768x25519-sha256
// (draft-kampanakis-curdle-ssh-pq-ke): what K and H are, and how the six keys A–F come from them
// (RFC 4253 §7.2). The views show each connection's 'keys' event: the kexTrace of K and every hash round.
import type { Scenario } from '../types.ts';

const laptop = { host: 'laptop', user: 'alice' };
const server = { host: 'server', user: 'alice' };
// aes128-ctr with hmac-sha2-256 needs all six keys (chacha20-poly1305 and aes-gcm need no IV or MAC key).
const CIPHER = { cipher: ['aes128-ctr'], mac: ['hmac-sha2-256'] };

export const insideKeyExchange: Scenario = {
  id: 'inside-key-exchange',
  title: { en: 'Inside key exchange: K, H and the six keys', zh: '密钥交换内部：K、H 与六个密钥' },
  summary: {
    en: 'Three logins to the same server, each with a different key exchange method: X25519 elliptic-curve Diffie-Hellman, classic finite-field Diffie-Hellman over the 2048-bit group 14, and the post-quantum hybrid ML-KEM-768 + X25519. Each gives a shared secret K that never travels; K, the exchange hash H and the session identifier feed one hash per key, six keys in all.',
    zh: '同一台服务器登录三次，每次使用不同的密钥交换方法：X25519 椭圆曲线 Diffie-Hellman、基于 2048 位第 14 组的经典有限域 Diffie-Hellman，以及后量子混合方法 ML-KEM-768 + X25519。每种方法都得到一个从不在网络上传输的共享秘密 K；K、交换哈希 H 和会话标识符再经过哈希，为每个密钥各算一次，一共六个密钥。',
  },
  rfc: ['RFC 4253 §7.2', 'RFC 4253 §8', 'RFC 8731 §3', 'RFC 5656 §4', 'RFC 8268 §3', 'RFC 3526 §3'],
  seed: 'inside-key-exchange',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'server', algorithms: { kex: ['curve25519-sha256', 'diffie-hellman-group14-sha256', 'mlkem768x25519-sha256'] }, users: [{ name: 'alice', password: 'k3x-demo' }] },
  ],
  steps: [
    {
      do: 'note',
      narration: {
        en: 'Every method ends with the same three things. K: the shared secret, computed on both sides and never sent. H: the exchange hash — a hash of both identification lines, both KEXINITs, the server\'s host key, both public values and K (RFC 4253 §7.2, §8); the server signs H with its host key. The session identifier: the H of the first key exchange. Then each of the six keys is HASH(K || H || letter || session_id), extended by further hash rounds when the hash is shorter than the key: A and B are the initial IVs, C and D the encryption keys, E and F the integrity keys (client→server, then server→client).',
        zh: '每种方法最后都得到同样的三样东西。K：共享秘密，双方各自算出，从不发送。H：交换哈希——对双方的标识行、双方的 KEXINIT、服务器主机公钥、双方的公开值以及 K 做哈希（RFC 4253 §7.2、§8）；服务器用主机密钥对 H 签名。会话标识符：第一次密钥交换的 H。然后六个密钥各自等于 HASH(K || H || 字母 || session_id)，哈希输出比密钥短时再追加哈希轮次：A、B 是初始 IV，C、D 是加密密钥，E、F 是完整性（MAC）密钥（先客户端→服务器，再服务器→客户端）。',
      },
    },
    {
      do: 'connect',
      from: laptop,
      to: server,
      algorithms: { kex: ['curve25519-sha256'], ...CIPHER },
      passwords: ['k3x-demo'],
      showKeys: true,
      highlight: ['SSH_MSG_KEX_ECDH_INIT', 'SSH_MSG_KEX_ECDH_REPLY', 'SSH_MSG_NEWKEYS'],
      expect: 'success',
      narration: {
        en: 'curve25519-sha256 (RFC 8731 §3): the client sends a 32-byte X25519 public key Q_C in KEX_ECDH_INIT, the server answers with its own Q_S, its host key and the signature of H in KEX_ECDH_REPLY (RFC 5656 §4). Each side multiplies the other\'s public point by its own private scalar: the same 32 bytes, which become K as an mpint.',
        zh: 'curve25519-sha256（RFC 8731 §3）：客户端在 KEX_ECDH_INIT 中发送 32 字节的 X25519 公钥 Q_C，服务器在 KEX_ECDH_REPLY 中回复自己的 Q_S、主机公钥以及对 H 的签名（RFC 5656 §4）。双方各用自己的私有标量去乘对方的公开点，得到相同的 32 字节，以 mpint 形式成为 K。',
      },
    },
    {
      do: 'connect',
      from: laptop,
      to: server,
      algorithms: { kex: ['diffie-hellman-group14-sha256'], ...CIPHER },
      passwords: ['k3x-demo'],
      showKeys: true,
      highlight: ['SSH_MSG_KEXDH_INIT', 'SSH_MSG_KEXDH_REPLY', 'SSH_MSG_NEWKEYS'],
      expect: 'success',
      narration: {
        en: 'diffie-hellman-group14-sha256 (RFC 8268 §3; the group is the 2048-bit MODP prime of RFC 3526 §3): the client sends e = g^x mod p, the server f = g^y mod p (RFC 4253 §8). Both compute K = g^(xy) mod p — 256 bytes instead of 32, for the same purpose. The public values are much larger, and so is the computation.',
        zh: 'diffie-hellman-group14-sha256（RFC 8268 §3；所用的群是 RFC 3526 §3 中 2048 位的 MODP 素数）：客户端发送 e = g^x mod p，服务器发送 f = g^y mod p（RFC 4253 §8）。双方都算出 K = g^(xy) mod p——256 字节而不是 32 字节，作用相同。公开值大得多，计算量也大得多。',
      },
    },
    {
      do: 'connect',
      from: laptop,
      to: server,
      algorithms: { kex: ['mlkem768x25519-sha256'], ...CIPHER },
      passwords: ['k3x-demo'],
      showKeys: true,
      highlight: ['SSH_MSG_KEX_HYBRID_INIT', 'SSH_MSG_KEX_HYBRID_REPLY', 'SSH_MSG_NEWKEYS'],
      expect: 'success',
      narration: {
        en: 'mlkem768x25519-sha256, the default of OpenSSH 10: the client\'s Q_C is an ML-KEM-768 encapsulation key (1184 bytes) followed by an X25519 public key; the server encapsulates a secret to it and returns the 1088-byte ciphertext plus its own X25519 key. K = SHA-256(ML-KEM secret || X25519 secret), sent into H as a string: someone who records the traffic today and builds a quantum computer later must break both halves.',
        zh: 'mlkem768x25519-sha256 是 OpenSSH 10 的默认方法：客户端的 Q_C 是一个 ML-KEM-768 封装公钥（1184 字节）后接一个 X25519 公钥；服务器用它封装一个秘密，返回 1088 字节的密文以及自己的 X25519 公钥。K = SHA-256(ML-KEM 秘密 || X25519 秘密)，以字符串形式进入 H：今天录下流量、将来造出量子计算机的人，必须同时攻破两半。',
      },
    },
  ],
};
