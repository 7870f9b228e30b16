// Scenario 5: ssh-keygen — a key pair, its SHA256 fingerprint and randomart (RFC 8709, RFC 4716 §4, OpenSSH sshkey.c).
import type { Scenario } from '../types.ts';

export const sshKeygen: Scenario = {
  id: 'ssh-keygen',
  title: { en: 'ssh-keygen: a key pair, its fingerprint and its randomart', zh: 'ssh-keygen：密钥对、指纹与随机图' },
  summary: {
    en: 'ssh-keygen makes a private key (kept secret) and a public key (given away). The fingerprint is SHA-256 of the public key blob, written in base64; the randomart is a picture of the same digest, easier for humans to compare.',
    zh: 'ssh-keygen 生成一个私钥（保密）和一个公钥（可以公开）。指纹是公钥数据块的 SHA-256 摘要，用 base64 书写；随机图（randomart）是同一个摘要画成的图，便于人眼比较。',
  },
  rfc: ['RFC 8709 §4', 'RFC 4253 §6.6', 'RFC 4716 §4'],
  seed: 'ssh-keygen',
  hosts: [{ name: 'laptop', users: [{ name: 'alice' }] }],
  steps: [
    {
      do: 'keygen',
      on: { host: 'laptop', user: 'alice' },
      type: 'ed25519',
      narration: {
        en: 'alice runs `ssh-keygen -t ed25519`. The public key is the blob string "ssh-ed25519" + 32-byte key (RFC 8709 §4); its fingerprint is "SHA256:" + base64(SHA-256(blob)) without padding, and the randomart is a drunken-bishop walk over that digest. RFC 4716 §4 describes the older MD5 fingerprint.',
        zh: 'alice 运行 `ssh-keygen -t ed25519`。公钥数据块是字符串 "ssh-ed25519" 加 32 字节公钥（RFC 8709 §4）；指纹是 "SHA256:" 加上 SHA-256(数据块) 的无填充 base64，随机图则是"醉酒主教"在该摘要上随机行走画出的图。RFC 4716 §4 描述的是较早的 MD5 指纹。',
      },
    },
    {
      do: 'keygen',
      on: { host: 'laptop', user: 'alice' },
      type: 'ecdsa',
      narration: {
        en: 'A second key, ECDSA P-256 (RFC 5656 §3.1). A different key gives a completely different fingerprint and picture.',
        zh: '再生成一个 ECDSA P-256 密钥（RFC 5656 §3.1）。不同的密钥得到完全不同的指纹和图案。',
      },
    },
  ],
};
