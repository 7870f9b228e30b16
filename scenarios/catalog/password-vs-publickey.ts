// Scenario 4: password vs publickey side by side — what an eavesdropper and what a malicious server
// learn (RFC 4252 §8, §7; RFC 4251 §9.4.5), and why a replayed signature fails (RFC 4251 §9.3.3).
import type { Scenario } from '../types.ts';

const laptop = { host: 'laptop', user: 'alice' };
const server = { host: 'server', user: 'alice' };
const PASSWORD = 'Sunflower-1987';

export const passwordVsPublickey: Scenario = {
  id: 'password-vs-publickey',
  title: { en: 'Password vs public key: who learns what', zh: '密码与公钥对比：谁能知道什么' },
  summary: {
    en: 'alice logs in to the same server twice, once with her password and once with her key. An eavesdropper sees only ciphertext both times. But the server — or whoever controls it — reads the password in clear, and could use it anywhere; from the key login it gets only a signature bound to that one connection\'s session identifier, which is useless in another connection.',
    zh: 'alice 两次登录同一台服务器：一次用密码，一次用密钥。两次窃听者都只能看到密文。但服务器（或控制它的人）能读到明文密码，并且可以拿它去任何地方登录；而密钥登录只给它一个与这一次连接的会话标识符绑定的签名，放到另一个连接里毫无用处。',
  },
  rfc: ['RFC 4252 §8', 'RFC 4252 §7', 'RFC 4253 §7.2', 'RFC 4251 §9.4.5', 'RFC 4251 §9.3.3'],
  seed: 'password-vs-publickey',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'server', users: [{ name: 'alice', password: PASSWORD }] },
    { name: 'mallory-box', users: [{ name: 'mallory' }] },
  ],
  steps: [
    { do: 'keygen', on: laptop, narration: { en: 'alice has a key pair on her laptop…', zh: 'alice 的笔记本上有一对密钥……' } },
    { do: 'authorize', from: laptop, to: server, narration: { en: '…and her public key is in authorized_keys on server. Her password works there too.', zh: '……她的公钥在 server 的 authorized_keys 中。她的密码在那里也能用。' } },
    {
      do: 'connect',
      from: laptop,
      to: server,
      auth: ['password'],
      passwords: [PASSWORD],
      reveal: true,
      highlight: ['SSH_MSG_USERAUTH_REQUEST', 'SSH_MSG_USERAUTH_SUCCESS'],
      expect: 'success',
      narration: {
        en: 'Login 1, with the password (RFC 4252 §8). The USERAUTH_REQUEST carries the password as a plain string field — protected only by the transport encryption. On the wire an eavesdropper sees ciphertext. But the server must decrypt it to compare: it reads the password itself. A compromised or fake server (one whose host key alice accepted carelessly) now knows it (RFC 4251 §9.4.5 warns about exactly this).',
        zh: '第 1 次登录，用密码（RFC 4252 §8）。USERAUTH_REQUEST 中密码就是一个普通的字符串字段——只受传输层加密保护。线路上的窃听者只看到密文。但服务器必须解密才能比对：它读到的就是密码本身。被入侵的服务器或冒牌服务器（alice 随手接受了它的主机密钥）现在就知道了这个密码（RFC 4251 §9.4.5 正是对此提出警告）。',
      },
    },
    {
      do: 'connect',
      from: laptop,
      to: server,
      auth: ['publickey'],
      reveal: true,
      highlight: ['SSH_MSG_USERAUTH_REQUEST', 'SSH_MSG_USERAUTH_PK_OK', 'SSH_MSG_USERAUTH_SUCCESS'],
      expect: 'success',
      narration: {
        en: 'Login 2, with the key (RFC 4252 §7). The signed USERAUTH_REQUEST holds the public key and a signature over data that begins with this connection\'s session identifier — H of its key exchange (RFC 4253 §7.2). Again the eavesdropper sees only ciphertext, and the server learns no secret at all: the private key never left the laptop.',
        zh: '第 2 次登录，用密钥（RFC 4252 §7）。带签名的 USERAUTH_REQUEST 包含公钥和一个签名，被签名的数据以本次连接的会话标识符开头——也就是本次密钥交换的 H（RFC 4253 §7.2）。窃听者同样只看到密文，而服务器也得不到任何秘密：私钥从未离开笔记本。',
      },
    },
    {
      do: 'connect',
      from: { host: 'mallory-box', user: 'mallory' },
      to: server,
      auth: ['password'],
      passwords: [PASSWORD],
      expect: 'success',
      narration: {
        en: 'Suppose server was malicious (or broken into) during login 1. Whoever runs it replays the password from another machine: it simply works. A password, once seen by a server, can be used anywhere it is valid — the reason to use a different password per server, or keys.',
        zh: '假设第 1 次登录时 server 是恶意的（或已被入侵）。控制它的人从另一台机器用这个密码登录：直接就成功了。密码一旦被某台服务器看到，就可以在任何接受它的地方使用——这就是每台服务器要用不同密码、或者改用密钥的原因。',
      },
    },
    {
      do: 'replay',
      of: 3,
      from: { host: 'mallory-box', user: 'mallory' },
      to: server,
      highlight: ['SSH_MSG_USERAUTH_REQUEST', 'SSH_MSG_USERAUTH_FAILURE'],
      expect: 'failure',
      narration: {
        en: 'Now the same with login 2: the attacker sends the captured signed USERAUTH_REQUEST, byte for byte, in a new connection of its own. That connection ran its own key exchange, so its session identifier is different; the server checks the signature over the NEW session id and it does not verify → USERAUTH_FAILURE. Each side contributes fresh randomness to H, so nobody can make two connections share a session id (RFC 4251 §9.3.3, replay).',
        zh: '对第 2 次登录做同样的事：攻击者在自己新建的连接里逐字节重放截获的带签名 USERAUTH_REQUEST。这个连接做了自己的密钥交换，会话标识符不同；服务器用新的会话标识符验证签名，验证失败 → USERAUTH_FAILURE。双方都为 H 贡献新的随机数，因此谁也无法让两个连接拥有相同的会话标识符（重放见 RFC 4251 §9.3.3）。',
      },
    },
  ],
};
