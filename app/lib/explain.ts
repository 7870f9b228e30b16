// The narration beside the views: for each step, a title and a few sentences written for
// learners, in English and 简体中文, with the RFC section that defines it. Pure.

import type { SshEvent } from '../../engine/index.ts';
import { pick, type Bilingual, type Lang } from './i18n.ts';
import { findField } from './hex.ts';
import { fieldDoc } from './field-docs-zh.ts';
import { disconnectReasonName } from '../../engine/wire/message-ids.ts';

export interface Explanation {
  title: string;
  body: string;
  rfc: string | null;
}

interface Entry {
  title: Bilingual;
  body: Bilingual;
  rfc: string | null;
}

const b = (en: string, zh: string): Bilingual => ({ en, zh });

/** Per message name. {from}/{to} are the sides, {n} the sequence number. */
export const MESSAGE_TEXT: Record<string, Entry> = {
  SSH_MSG_KEXINIT: {
    title: b('{from} lists its algorithms (KEXINIT)', '{from}列出自己支持的算法（KEXINIT）'),
    body: b(
      'A 16-byte random cookie, then ten name-lists: key exchange, host key, ciphers, MACs and compression in each direction, most preferred first. Both sides send one without waiting for the other. Nothing is secret yet: everything here is readable on the network.',
      '先是 16 字节的随机 cookie，然后是十个名称列表：密钥交换、主机密钥、每个方向的加密、MAC 和压缩算法，按偏好排序。双方各自发送，不必等待对方。此时还没有任何秘密：网络上的人都能读到这些内容。',
    ),
    rfc: 'RFC 4253 §7.1',
  },
  SSH_MSG_KEX_ECDH_INIT: {
    title: b('Client sends its ephemeral public key Q_C', '客户端发送临时公钥 Q_C'),
    body: b(
      'The client made a fresh key pair for this connection only (X25519 here) and sends the public half. The private half never leaves the client; it will be thrown away after the exchange (forward secrecy).',
      '客户端为本次连接临时生成了一对密钥（这里是 X25519），只发送公钥部分。私钥从不离开客户端，交换完成后即被丢弃（前向保密）。',
    ),
    rfc: 'RFC 5656 §4, RFC 8731 §3',
  },
  SSH_MSG_KEX_ECDH_REPLY: {
    title: b('Server replies: host key, Q_S and a signature over H', '服务器回复：主机公钥、Q_S 和对 H 的签名'),
    body: b(
      'The server sends its long-term host key K_S, its own ephemeral public key Q_S, and a signature over the exchange hash H made with the host key. Both sides can now compute the shared secret K; only the real server could have made this signature.',
      '服务器发送长期主机公钥 K_S、自己的临时公钥 Q_S，以及用主机私钥对交换哈希 H 的签名。现在双方都能算出共享密钥 K；只有真正的服务器才能做出这个签名。',
    ),
    rfc: 'RFC 5656 §4, RFC 4253 §8',
  },
  SSH_MSG_KEXDH_INIT: {
    title: b('Client sends e = g^x mod p', '客户端发送 e = g^x mod p'),
    body: b('Classic Diffie-Hellman: the client picks a secret x and sends e.', '经典 Diffie-Hellman：客户端选一个秘密 x，发送 e。'),
    rfc: 'RFC 4253 §8',
  },
  SSH_MSG_KEXDH_REPLY: {
    title: b('Server replies: host key, f and a signature over H', '服务器回复：主机公钥、f 和对 H 的签名'),
    body: b('The server sends K_S, f = g^y mod p and its signature over H.', '服务器发送 K_S、f = g^y mod p 以及对 H 的签名。'),
    rfc: 'RFC 4253 §8',
  },
  SSH_MSG_KEX_HYBRID_INIT: {
    title: b('Client sends its hybrid post-quantum + X25519 public key', '客户端发送混合（后量子 + X25519）公钥'),
    body: b(
      'Two key shares in one string: a post-quantum KEM public key (Streamlined NTRU Prime or ML-KEM) and an X25519 key. An attacker must break both to learn K — even one who records today and owns a quantum computer later.',
      '一个字符串里有两份密钥：后量子 KEM 公钥（Streamlined NTRU Prime 或 ML-KEM）和 X25519 公钥。攻击者必须同时攻破两者才能得到 K——即使他今天录下流量、将来拥有量子计算机也不行。',
    ),
    rfc: 'OpenSSH PROTOCOL §1.9, draft-josefsson-ntruprime-ssh',
  },
  SSH_MSG_KEX_HYBRID_REPLY: {
    title: b('Server replies: host key, KEM ciphertext + X25519 key, signature', '服务器回复：主机公钥、KEM 密文 + X25519 公钥、签名'),
    body: b(
      'The server encapsulates a secret to the client’s KEM key, adds its X25519 share, and signs the exchange hash H with its host key. K is the hash of both shared secrets.',
      '服务器用客户端的 KEM 公钥封装一个秘密，附上自己的 X25519 公钥，并用主机私钥对交换哈希 H 签名。K 是两个共享秘密合在一起的哈希。',
    ),
    rfc: 'OpenSSH PROTOCOL §1.9',
  },
  SSH_MSG_KEX_DH_GEX_REQUEST: {
    title: b('Client asks for a Diffie-Hellman group of a given size', '客户端请求指定大小的 Diffie-Hellman 群'),
    body: b('Minimum, preferred and maximum size of the prime, in bits.', '素数的最小、首选和最大位数。'),
    rfc: 'RFC 4419 §3',
  },
  SSH_MSG_KEX_DH_GEX_GROUP: {
    title: b('Server picks a group: prime p and generator g', '服务器选定群：素数 p 和生成元 g'),
    body: b('Taken from the server’s moduli file.', '取自服务器的 moduli 文件。'),
    rfc: 'RFC 4419 §3',
  },
  SSH_MSG_KEX_DH_GEX_INIT: {
    title: b('Client sends e = g^x mod p', '客户端发送 e = g^x mod p'),
    body: b('Diffie-Hellman in the group the server chose.', '在服务器选定的群中进行 Diffie-Hellman。'),
    rfc: 'RFC 4419 §3',
  },
  SSH_MSG_KEX_DH_GEX_REPLY: {
    title: b('Server replies: host key, f and a signature over H', '服务器回复：主机公钥、f 和对 H 的签名'),
    body: b('As in classic Diffie-Hellman, with p and g included in H.', '与经典 Diffie-Hellman 相同，只是 H 中还包含 p 和 g。'),
    rfc: 'RFC 4419 §3',
  },
  SSH_MSG_NEWKEYS: {
    title: b('{from} switches on the new keys (NEWKEYS)', '{from}启用新密钥（NEWKEYS）'),
    body: b(
      'From the next packet on, everything {from} sends is encrypted and authenticated with the keys just derived. Each direction switches separately. With strict key exchange the sequence numbers restart at 0.',
      '从下一个数据包开始，{from}发送的所有内容都用刚派生出的密钥加密并认证。两个方向各自切换。启用严格密钥交换时，序列号从 0 重新开始。',
    ),
    rfc: 'RFC 4253 §7.3',
  },
  SSH_MSG_EXT_INFO: {
    title: b('Server announces extensions (EXT_INFO)', '服务器宣告扩展（EXT_INFO）'),
    body: b(
      'The first encrypted packet: the server tells which signature algorithms it accepts for public-key login (server-sig-algs).',
      '第一个加密的数据包：服务器告知公钥登录时接受哪些签名算法（server-sig-algs）。',
    ),
    rfc: 'RFC 8308 §2.3',
  },
  SSH_MSG_SERVICE_REQUEST: {
    title: b('Client asks for the ssh-userauth service', '客户端请求 ssh-userauth 服务'),
    body: b('The encrypted tunnel is ready; now the client asks to start user authentication.', '加密通道已就绪；客户端请求开始用户认证。'),
    rfc: 'RFC 4253 §10',
  },
  SSH_MSG_SERVICE_ACCEPT: {
    title: b('Server accepts the service', '服务器接受服务请求'),
    body: b('The server agrees: user authentication can begin.', '服务器同意：可以开始用户认证了。'),
    rfc: 'RFC 4253 §10',
  },
  SSH_MSG_USERAUTH_FAILURE: {
    title: b('Server: not (yet) authenticated', '服务器：尚未认证成功'),
    body: b(
      'The server lists the methods that can continue ({methods}). After the "none" probe this is normal: it is how the client learns which methods are allowed.',
      '服务器列出可以继续使用的方法（{methods}）。在 "none" 探测之后这是正常的：客户端正是借此得知允许哪些方法。',
    ),
    rfc: 'RFC 4252 §5.1',
  },
  SSH_MSG_USERAUTH_SUCCESS: {
    title: b('Server: authentication succeeded', '服务器：认证成功'),
    body: b('The user is logged in. The connection protocol (channels) starts now.', '用户已登录。接下来开始连接协议（通道）。'),
    rfc: 'RFC 4252 §5.1',
  },
  SSH_MSG_USERAUTH_PK_OK: {
    title: b('Server: this key would be accepted', '服务器：这把公钥可以接受'),
    body: b(
      'The key is in authorized_keys. The client now has to prove it holds the private key by signing.',
      '这把公钥在 authorized_keys 中。客户端现在必须通过签名证明自己持有私钥。',
    ),
    rfc: 'RFC 4252 §7',
  },
  SSH_MSG_USERAUTH_BANNER: {
    title: b('Server shows a banner', '服务器显示横幅'),
    body: b('A message to show the user before login.', '登录前展示给用户的消息。'),
    rfc: 'RFC 4252 §5.4',
  },
  SSH_MSG_CHANNEL_OPEN: {
    title: b('Client opens a session channel', '客户端打开会话通道'),
    body: b(
      'Channels multiplex many streams over one connection. Each side says how much data it is ready to receive (the window) and the largest packet.',
      '通道让一个连接承载多个数据流。每一方声明自己准备接收多少数据（窗口）以及最大数据包大小。',
    ),
    rfc: 'RFC 4254 §5.1',
  },
  SSH_MSG_CHANNEL_OPEN_CONFIRMATION: {
    title: b('Server confirms the channel', '服务器确认通道'),
    body: b('The server gives its own channel number and window. The channel is open.', '服务器给出自己的通道号和窗口大小。通道已打开。'),
    rfc: 'RFC 4254 §5.1',
  },
  SSH_MSG_CHANNEL_SUCCESS: {
    title: b('Server: request accepted', '服务器：请求已接受'),
    body: b('The channel request that asked for a reply was accepted.', '需要回复的通道请求被接受了。'),
    rfc: 'RFC 4254 §5.4',
  },
  SSH_MSG_CHANNEL_FAILURE: {
    title: b('Server: request refused', '服务器：请求被拒绝'),
    body: b('The channel request was refused.', '通道请求被拒绝。'),
    rfc: 'RFC 4254 §5.4',
  },
  SSH_MSG_CHANNEL_DATA: {
    title: b('{from} sends data on the channel', '{from}在通道上发送数据'),
    body: b('The bytes of the program’s input or output, encrypted like everything else. They count against the receiver’s window.', '程序的输入或输出字节，和其他内容一样是加密的。它们会占用接收方的窗口。'),
    rfc: 'RFC 4254 §5.2',
  },
  SSH_MSG_CHANNEL_EXTENDED_DATA: {
    title: b('{from} sends stderr data', '{from}发送标准错误数据'),
    body: b('Like channel data, but for a second stream: type 1 is stderr.', '与通道数据类似，但属于第二个数据流：类型 1 表示标准错误。'),
    rfc: 'RFC 4254 §5.2',
  },
  SSH_MSG_CHANNEL_WINDOW_ADJUST: {
    title: b('{from} opens its receive window', '{from}扩大接收窗口'),
    body: b('Flow control: "you may send me this many more bytes".', '流量控制：“你还可以再给我发这么多字节”。'),
    rfc: 'RFC 4254 §5.2',
  },
  SSH_MSG_CHANNEL_EOF: {
    title: b('{from}: end of data', '{from}：数据结束'),
    body: b('{from} will send no more data on this channel (like closing a pipe’s write end).', '{from}不会再在此通道上发送数据（类似关闭管道的写端）。'),
    rfc: 'RFC 4254 §5.3',
  },
  SSH_MSG_CHANNEL_CLOSE: {
    title: b('{from} closes the channel', '{from}关闭通道'),
    body: b('The channel is finished once both sides have sent CLOSE.', '双方都发送 CLOSE 后，通道才算结束。'),
    rfc: 'RFC 4254 §5.3',
  },
  SSH_MSG_DISCONNECT: {
    title: b('{from} disconnects', '{from}断开连接'),
    body: b('The connection ends with a reason code and a description.', '连接结束，附带原因代码和描述。'),
    rfc: 'RFC 4253 §11.1',
  },
  SSH_MSG_IGNORE: {
    title: b('{from} sends an ignored message', '{from}发送可忽略的消息'),
    body: b('Padding traffic that the receiver must ignore; used against traffic analysis and as a keepalive.', '接收方必须忽略的填充流量；用于对抗流量分析，也可作保活。'),
    rfc: 'RFC 4253 §11.2',
  },
  SSH_MSG_GLOBAL_REQUEST: {
    title: b('{from} sends a global request', '{from}发送全局请求'),
    body: b('A request not tied to a channel, such as a keepalive or port forwarding.', '与通道无关的请求，例如保活或端口转发。'),
    rfc: 'RFC 4254 §4',
  },
};

const REQUEST_TEXT: Record<string, Entry> = {
  none: {
    title: b('Client tries the "none" method', '客户端尝试 "none" 方法'),
    body: b('No credentials at all: the client asks "who may I log in as, and how?". The server answers with the methods it allows.', '不带任何凭据：客户端在问“我可以怎样登录？”。服务器会回答允许的方法。'),
    rfc: 'RFC 4252 §5.2',
  },
  password: {
    title: b('Client sends the password', '客户端发送密码'),
    body: b(
      'The password travels inside the encrypted tunnel, so nobody on the network can read it — but the server receives it in clear. Compare with public-key login, where no secret is sent.',
      '密码在加密通道里传输，网络上没人能读到——但服务器会收到明文。对比公钥登录：那里不发送任何秘密。',
    ),
    rfc: 'RFC 4252 §8',
  },
  'publickey-query': {
    title: b('Client asks: would you accept this public key?', '客户端询问：你接受这把公钥吗？'),
    body: b('Only the public key, no signature yet. Cheap for both sides when the key is not authorised.', '只发送公钥，还没有签名。如果公钥未被授权，双方都省去了签名的开销。'),
    rfc: 'RFC 4252 §7',
  },
  'publickey-signed': {
    title: b('Client proves it holds the private key', '客户端证明自己持有私钥'),
    body: b(
      'The same request, now with a signature over the session identifier H followed by the request. Because H is unique to this connection, the signature cannot be replayed elsewhere.',
      '同样的请求，这次带上签名，签名覆盖会话标识 H 以及请求本身。由于 H 对本连接唯一，这个签名无法在别处重放。',
    ),
    rfc: 'RFC 4252 §7',
  },
};

const CHANNEL_REQUEST_TEXT: Record<string, Entry> = {
  exec: {
    title: b('Client asks to run a command: {command}', '客户端请求执行命令：{command}'),
    body: b('An "exec" request: run one command, without a terminal, and send back its output.', '“exec” 请求：执行一条命令（不分配终端），并把输出发回。'),
    rfc: 'RFC 4254 §6.5',
  },
  shell: {
    title: b('Client asks for a shell', '客户端请求一个 shell'),
    body: b('Start the user’s login shell on this channel.', '在此通道上启动用户的登录 shell。'),
    rfc: 'RFC 4254 §6.5',
  },
  'pty-req': {
    title: b('Client asks for a terminal (pty)', '客户端请求伪终端（pty）'),
    body: b('Terminal type, size and modes, so that interactive programs work.', '终端类型、大小和模式，让交互式程序能正常工作。'),
    rfc: 'RFC 4254 §6.2',
  },
  env: {
    title: b('Client passes an environment variable', '客户端传递环境变量'),
    body: b('Servers accept only the variables they were told to (AcceptEnv).', '服务器只接受配置允许的变量（AcceptEnv）。'),
    rfc: 'RFC 4254 §6.4',
  },
  'exit-status': {
    title: b('Server reports the exit status: {status}', '服务器报告退出状态：{status}'),
    body: b('The command finished; 0 means success.', '命令已结束；0 表示成功。'),
    rfc: 'RFC 4254 §6.10',
  },
};

const EVENT_TEXT: Record<string, Entry> = {
  version: {
    title: b('{from} sends its version line', '{from}发送版本字符串'),
    body: b(
      'Before any packet, each side sends one line of text: "SSH-2.0-" and its software name. These exact bytes (V_C and V_S) go into the exchange hash later, so a tampered line breaks the handshake.',
      '在任何数据包之前，双方各发一行文本：“SSH-2.0-”加软件名。这些确切的字节（V_C 和 V_S）之后会进入交换哈希，所以篡改这一行会使握手失败。',
    ),
    rfc: 'RFC 4253 §4.2',
  },
  negotiated: {
    title: b('Both sides pick the same algorithms', '双方选出相同的算法'),
    body: b(
      'Each side runs the same rule on the two KEXINIT lists — the first client choice the server also supports — so they agree without another message. Open the Negotiation view to see every category.',
      '双方对两个 KEXINIT 列表执行同一规则——选客户端偏好中第一个服务器也支持的——因此无需额外消息就能达成一致。打开“算法协商”视图查看每一类。',
    ),
    rfc: 'RFC 4253 §7.1',
  },
  'exchange-hash': {
    title: b('Exchange hash H computed', '计算出交换哈希 H'),
    body: b(
      'H = {hash} over everything that defined this exchange: both version lines, both KEXINITs, the host key, both ephemeral keys and the shared secret K. The first H becomes the session identifier.',
      'H = {hash}，覆盖了定义本次交换的一切：双方版本字符串、双方 KEXINIT、主机公钥、双方临时公钥以及共享密钥 K。第一次的 H 成为会话标识。',
    ),
    rfc: 'RFC 4253 §8',
  },
  'host-key-check': {
    title: b('Client checks the host key: {result}', '客户端检查主机公钥：{result}'),
    body: b(
      'Fingerprint {fingerprint}. The client looks it up in known_hosts. Unknown: trust on first use (ssh asks "Are you sure…?"). Changed: a possible man-in-the-middle, and ssh refuses.',
      '指纹 {fingerprint}。客户端在 known_hosts 中查找它。未知：首次使用时信任（ssh 会问 “Are you sure…?”）。已变化：可能存在中间人攻击，ssh 会拒绝连接。',
    ),
    rfc: 'RFC 4251 §4.1',
  },
  keys: {
    title: b('Six keys derived from K and H', '由 K 和 H 派生出六个密钥'),
    body: b(
      'Two IVs, two encryption keys and two integrity keys (A–F), one per direction, each = HASH(K ‖ H ‖ letter ‖ session_id). Open the Key derivation view to see every round.',
      '两个初始向量、两个加密密钥、两个完整性密钥（A–F），每个方向各一套，每个 = HASH(K ‖ H ‖ 字母 ‖ session_id)。打开“密钥派生”视图查看每一轮计算。',
    ),
    rfc: 'RFC 4253 §7.2',
  },
  banner: { title: b('Banner from the server', '来自服务器的横幅'), body: b('{message}', '{message}'), rfc: 'RFC 4252 §5.4' },
  closed: {
    title: b('{side}: connection closed', '{side}：连接已关闭'),
    body: b('{message}', '{message}'),
    rfc: 'RFC 4253 §11.1',
  },
  error: { title: b('{side}: error', '{side}：错误'), body: b('{message}', '{message}'), rfc: null },
  decision: { title: b('The engine asks a question', '引擎提出一个问题'), body: b('{message}', '{message}'), rfc: null },
};

const AUTH_TEXT: Record<string, Entry> = {
  attempt: { title: b('Server checks {method} for {user}', '服务器检查 {user} 的{method}'), body: b('{detail}', '{detail}'), rfc: 'RFC 4252 §5' },
  'pk-ok': { title: b('Server finds the key in authorized_keys', '服务器在 authorized_keys 中找到公钥'), body: b('{detail}', '{detail}'), rfc: 'RFC 4252 §7' },
  success: { title: b('Server accepts {user} ({method})', '服务器接受 {user}（{method}）'), body: b('Authentication is complete.', '认证完成。'), rfc: 'RFC 4252 §5.1' },
  failure: { title: b('Server rejects {method} for {user}', '服务器拒绝 {user} 的{method}'), body: b('Methods that can continue: {methods}. {detail}', '可以继续的方法：{methods}。{detail}'), rfc: 'RFC 4252 §5.1' },
  partial: { title: b('Partial success: another method is required', '部分成功：还需要另一种方法'), body: b('Methods that can continue: {methods}.', '可以继续的方法：{methods}。'), rfc: 'RFC 4252 §5.1' },
};

/** Known engine notes, translated; the engine's English text is the fallback. */
const INFO_TEXT: { match: RegExp; entry: Entry }[] = [
  {
    match: /^key exchange \d+ not decrypted/,
    entry: {
      title: b('This key exchange cannot be decrypted', '这次密钥交换无法解密'),
      body: b('{message}. Without the shared secret K (or an ephemeral private key) from a key log, nobody watching the network can compute the keys: that is the point of the key exchange.', '{message}。没有密钥日志提供的共享密钥 K（或临时私钥），网络上的旁观者无法算出密钥：这正是密钥交换的意义所在。'),
      rfc: 'RFC 4253 §7.2',
    },
  },
  {
    match: /^capture: /,
    entry: { title: b('A problem in the capture', '抓包文件中的问题'), body: b('{message}', '{message}'), rfc: null },
  },
  {
    match: /^strict key exchange/,
    entry: {
      title: b('Strict key exchange is on', '启用了严格密钥交换'),
      body: b('Both sides offered kex-strict: sequence numbers restart at NEWKEYS and any stray message during the handshake is fatal. This closes the Terrapin attack.', '双方都提供了 kex-strict：序列号在 NEWKEYS 时重置，握手期间任何多余消息都是致命错误。这堵住了 Terrapin 攻击。'),
      rfc: 'OpenSSH PROTOCOL §1.10',
    },
  },
  {
    match: /^key exchange complete/,
    entry: { title: b('Key exchange complete', '密钥交换完成'), body: b('Both directions are now encrypted and authenticated.', '两个方向现在都已加密并认证。'), rfc: 'RFC 4253 §7.3' },
  },
  {
    match: /^extensions from the peer/,
    entry: { title: b('Client reads the server’s extensions', '客户端读取服务器的扩展'), body: b('{message}', '{message}'), rfc: 'RFC 8308' },
  },
  {
    match: /^signing/,
    entry: {
      title: b('Client signs with its private key', '客户端用私钥签名'),
      body: b('{message}. The data begins with the session identifier, so this signature is only valid for this connection.', '{message}。被签名的数据以会话标识开头，所以这个签名只对本连接有效。'),
      rfc: 'RFC 4252 §7',
    },
  },
];

const OPAQUE_TEXT: Entry = {
  title: b('{from} sends an encrypted packet (no key)', '{from}发送了一个加密数据包（没有密钥）'),
  body: b(
    'The bytes crossed the network encrypted, and this capture does not reveal the keys. An eavesdropper sees exactly this: the length on the wire and random-looking bytes. Open the connection’s SSH key log to decrypt it.',
    '这些字节是加密后在网络上传输的，而本抓包文件没有透露密钥。窃听者看到的正是这些：线路上的长度和看似随机的字节。打开这个连接的 SSH 密钥日志即可解密。',
  ),
  rfc: 'RFC 4253 §6',
};

const SIDE = { client: b('Client', '客户端'), server: b('Server', '服务器') };
const AUTH_METHOD = { password: b('password', '密码'), publickey: b('public key', '公钥'), none: b('"none"', '"none"') } as Record<string, Bilingual>;
const RESULT = { unknown: b('unknown host', '未知主机'), known: b('known host', '已知主机'), changed: b('KEY CHANGED', '密钥已变化'), accepted: b('accepted', '已接受'), rejected: b('rejected', '已拒绝') } as Record<string, Bilingual>;

/**
 * Engine-made English (auth details, error and disconnect messages, notes) rendered in 简体中文 where
 * the text is ours: known templates, most specific first; $1… are the captured parts, translated
 * again (a message may wrap another). Text from the peer (a DISCONNECT description, a banner) and
 * unknown templates stay as they are.
 */
const DETAIL_ZH: [RegExp, string][] = [
  // wrappers (connection.ts fail/disconnect, the peer's DISCONNECT, the capture reader)
  [/^peer disconnected: (.*)$/s, '对方断开了连接：$1'],
  [/^corrupted packet: (.*)$/s, '数据包已损坏：$1'],
  [/^malformed packet: (.*)$/s, '数据包格式错误：$1'],
  [/^internal error: (.*)$/s, '内部错误：$1'],
  [/^capture: (.*)$/s, '抓包文件：$1'],
  [/^key exchange (\d+) not decrypted: (.*)$/s, '第 $1 次密钥交换未能解密：$2'],
  // MAC / AEAD checks (RFC 4253 §6.4, RFC 5647, PROTOCOL.chacha20poly1305)
  [/^(\S+): MAC mismatch on packet (\d+)$/, '$1：第 $2 个数据包的 MAC 不匹配'],
  [/^(\S+): authentication tag mismatch on packet (\d+)$/, '$1：第 $2 个数据包的认证标签不匹配'],
  [/^(\S+): Poly1305 tag mismatch on packet (\d+)$/, '$1：第 $2 个数据包的 Poly1305 标签不匹配'],
  [/^(\S+): first block changed since readLength on packet (\d+)$/, '$1：第 $2 个数据包的第一个分组在读取长度后被改动'],
  // framing (RFC 4253 §6)
  [/^packet_length (\d+) exceeds the (\d+)-byte limit$/, 'packet_length $1 超过了 $2 字节的上限'],
  [/^packet_length (\d+) is too short to hold padding$/, 'packet_length $1 太短，放不下填充'],
  [/^packet_length (\d+) is not a multiple of the block size (\d+)$/, 'packet_length $1 不是分组大小 $2 的整数倍'],
  [/^padding_length (\d+) exceeds packet_length (\d+) - 1$/, 'padding_length $1 超过了 packet_length $2 - 1'],
  [/^padding_length (\d+) is less than 4$/, 'padding_length $1 小于 4'],
  [/^empty payload: no message number$/, '载荷为空：没有消息编号'],
  // protocol flow
  [/^strict KEX: unexpected (\S+) during the initial key exchange$/, '严格密钥交换：初始密钥交换期间出现了意外的 $1'],
  [/^strict KEX: SSH_MSG_KEXINIT was not the first packet$/, '严格密钥交换：第一个数据包不是 SSH_MSG_KEXINIT'],
  [/^unexpected (\S+) at this point of the protocol$/, '协议此时不应出现 $1'],
  [/^SSH_MSG_NEWKEYS before the key exchange finished$/, '密钥交换尚未完成就收到了 SSH_MSG_NEWKEYS'],
  [/^a second SSH_MSG_KEXINIT during key exchange$/, '密钥交换期间收到了第二个 SSH_MSG_KEXINIT'],
  [/^the host key changed during key re-exchange$/, '重新交换密钥时主机密钥变了'],
  [/^no matching (.+?) algorithm: (.*)$/s, '没有双方都支持的 $1 算法：$2'],
  [/^key exchange (\S+) is not implemented$/, '未实现密钥交换算法 $1'],
  [/^host key algorithm (\S+) is not implemented$/, '未实现主机密钥算法 $1'],
  [/^service not available: (.*)$/, '服务不可用：$1'],
  [/^protocol version not supported: (.*)$/, '不支持的协议版本：$1'],
  [/^expected an SSH identification line, got (.*)$/, '应为 SSH 版本标识行，实际收到 $1'],
  [/^cannot decompress the payload: (.*)$/s, '无法解压载荷：$1'],
  // authentication (RFC 4252)
  [/^Permission denied \((.*)\)\.$/, '拒绝访问（$1）。'],
  [/^password compared with the server's user table$/, '把密码与服务器的用户表比对'],
  [/^no such user \(the reply looks the same, on purpose\)$/, '没有这个用户（回复故意与密码错误时一样）'],
  [/^wrong password or unknown user$/, '密码错误或用户不存在'],
  [/^method (\S+) is not supported$/, '不支持 $1 方法'],
  [/^the "none" method only asks which methods can continue$/, '"none" 方法只是询问哪些方法可以继续'],
  [/^the key is (\S+), not a key for (\S+)$/, '这是一把 $1 密钥，不能用于 $2'],
  [/^key type does not match the algorithm$/, '密钥类型与算法不符'],
  [/^algorithm (\S+) is not accepted$/, '不接受算法 $1'],
  [/^authorized_keys: (.*)$/s, 'authorized_keys：$1'],
  [/^the user has no authorized_keys$/, '该用户没有 authorized_keys'],
  [/^authorized_keys line (\d+) matches(.*)$/, 'authorized_keys 第 $1 行匹配$2'],
  [/^signature over the session identifier verified with the key on authorized_keys line (\d+)$/, '对会话标识的签名已用 authorized_keys 第 $1 行的公钥验证通过'],
  [/^the signature does not verify$/, '签名验证失败'],
  [/^bad signature$/, '签名无效'],
  [/^the server would accept this key; now prove possession by signing$/, '服务器会接受这把公钥；现在要通过签名证明持有私钥'],
  [/^server asks for a password change: (.*)$/s, '服务器要求修改密码：$1'],
  // our own DISCONNECT description when a session ends normally (session-runner.ts, scenarios/drive.ts)
  [/^session finished$/, '会话结束'],
  // notes
  [/^strict key exchange: both sides offered it, so sequence numbers restart at NEWKEYS and stray messages are fatal$/, '严格密钥交换：双方都提供了它，所以序列号在 NEWKEYS 时重置，多余的消息都是致命错误'],
  [/^key exchange complete: both directions are now encrypted$/, '密钥交换完成：两个方向现在都已加密'],
  [/^key re-exchange (\d+) complete$/, '第 $1 次重新密钥交换完成'],
  [/^re-keying after (\d+) bytes under the same keys$/, '同一组密钥已传输 $1 字节，开始重新交换密钥'],
  [/^peer guessed its first key exchange packet: right, it will be used$/, '对方猜测了第一个密钥交换数据包：猜对了，会被使用'],
  [/^peer guessed its first key exchange packet: wrong, it will be ignored$/, '对方猜测了第一个密钥交换数据包：猜错了，会被忽略'],
  [/^ignored (\S+): it followed a wrong guess$/, '忽略了 $1：它跟在一次错误的猜测之后'],
  [/^unrecognised message (\d+): answered with SSH_MSG_UNIMPLEMENTED$/, '无法识别的消息 $1：已回复 SSH_MSG_UNIMPLEMENTED'],
  [/^peer debug message: (.*)$/s, '对方的调试消息：$1'],
  [/^skipping the (\S+) key: no signature algorithm for it that the server accepts \(server-sig-algs\)$/, '跳过 $1 密钥：服务器接受的签名算法（server-sig-algs）中没有适用于它的'],
  [/^signing (\d+) bytes that begin with the session identifier, with the (\S+) private key$/, '用 $2 私钥对以会话标识开头的 $1 字节数据签名'],
  [/^extensions from the peer: (.*)$/, '对方的扩展：$1'],
  [/^channel (\d+): data after EOF$/, '通道 $1：EOF 之后又收到数据'],
  [/^channel (\d+) is not open$/, '通道 $1 没有打开'],
];

/** An engine message in `lang` (English: unchanged). */
export function translateDetail(text: string, lang: Lang): string {
  if (lang === 'en' || !text) return text;
  for (const [re, zh] of DETAIL_ZH) {
    const m = re.exec(text);
    if (m) return zh.replace(/\$(\d)/g, (_s, d: string) => translateDetail(m[Number(d)] ?? '', lang));
  }
  return text;
}

/** SSH_MSG_DISCONNECT reason codes, RFC 4253 §11.1 (RFC 4250 §4.2.2). */
const DISCONNECT_TEXT: Record<number, Bilingual> = {
  1: b('the host is not allowed to connect', '不允许该主机连接'),
  2: b('protocol error', '协议错误'),
  3: b('key exchange failed', '密钥交换失败'),
  4: b('reserved', '保留'),
  5: b('MAC error: a packet failed its integrity check', 'MAC 错误：有数据包没有通过完整性校验'),
  6: b('compression error', '压缩错误'),
  7: b('service not available', '服务不可用'),
  8: b('protocol version not supported', '不支持该协议版本'),
  9: b('host key not verifiable', '无法验证主机密钥'),
  10: b('connection lost', '连接丢失'),
  11: b('closed by the application', '应用程序主动断开'),
  12: b('too many connections', '连接过多'),
  13: b('authentication cancelled by the user', '用户取消了认证'),
  14: b('no more authentication methods available', '没有更多可用的认证方法'),
  15: b('illegal user name', '非法用户名'),
};

/** "Reason 5 (SSH_DISCONNECT_MAC_ERROR): …" in `lang`, or '' when there is no code. */
export function disconnectReason(reason: number | undefined, lang: Lang): string {
  if (reason === undefined) return '';
  const text = DISCONNECT_TEXT[reason];
  return pick(lang, b('Reason {code} ({name}): {text}.', '原因 {code}（{name}）：{text}。'), { code: reason, name: disconnectReasonName(reason), text: text ? pick(lang, text) : '?' });
}

function render(lang: Lang, e: Entry, params: Record<string, string | number>): Explanation {
  return { title: pick(lang, e.title, params), body: pick(lang, e.body, params), rfc: e.rfc };
}

/** The learner's explanation of one step. */
export function explainEvent(e: SshEvent, lang: Lang): Explanation {
  const side = pick(lang, SIDE[e.side]);
  const params: Record<string, string | number> = { side };
  if (e.type === 'packet' || e.type === 'version') {
    params['from'] = pick(lang, e.dir === 'c2s' ? SIDE.client : SIDE.server);
    params['to'] = pick(lang, e.dir === 'c2s' ? SIDE.server : SIDE.client);
  }
  switch (e.type) {
    case 'version':
      return render(lang, EVENT_TEXT['version']!, params);
    case 'packet': {
      const payload = e.tree.children?.find((c) => c.path === 'payload');
      const field = (name: string) => (payload ? findField(payload, name) : null);
      if (e.msg === 'SSH_MSG_USERAUTH_REQUEST') {
        const method = String(field('method')?.value ?? '');
        const key = method === 'publickey' ? (field('hasSignature')?.value === true ? 'publickey-signed' : 'publickey-query') : method;
        const entry = REQUEST_TEXT[key];
        if (entry) return render(lang, entry, params);
      }
      if (e.msg === 'SSH_MSG_CHANNEL_REQUEST') {
        const type = String(field('requestType')?.value ?? '');
        const entry = CHANNEL_REQUEST_TEXT[type];
        params['command'] = String(field('command')?.value ?? '');
        params['status'] = String(field('exitStatus')?.value ?? '');
        if (entry) return render(lang, entry, params);
      }
      if (e.msg === 'SSH_MSG_USERAUTH_FAILURE') params['methods'] = String(field('methods')?.value ?? '');
      // a captured packet whose keys we do not have: only its ciphertext is known
      if (e.encrypted && e.payload.length === 0 && e.id < 0) return render(lang, OPAQUE_TEXT, params);
      const entry = MESSAGE_TEXT[e.msg];
      if (entry) return render(lang, entry, params);
      // any other message: the message table's own one-line doc (English)
      return { title: e.msg, body: fieldDoc(payload?.doc ?? '', lang), rfc: /\((RFC [^)]+)\)/.exec(payload?.doc ?? '')?.[1] ?? null };
    }
    case 'negotiated':
    case 'keys':
      return render(lang, EVENT_TEXT[e.type]!, params);
    case 'exchange-hash':
      return render(lang, EVENT_TEXT['exchange-hash']!, { ...params, hash: e.hash.toUpperCase() });
    case 'host-key-check':
      return render(lang, EVENT_TEXT['host-key-check']!, { ...params, result: pick(lang, RESULT[e.result] ?? b(e.result, e.result)), fingerprint: e.fingerprint });
    case 'auth': {
      const entry = AUTH_TEXT[e.result];
      const methods = (e.continue ?? []).join(', ');
      if (entry) return render(lang, entry, { ...params, method: pick(lang, AUTH_METHOD[e.method] ?? b(e.method, e.method)), user: e.user ?? '', detail: translateDetail(e.detail ?? '', lang), methods });
      break;
    }
    case 'info': {
      const hit = INFO_TEXT.find((i) => i.match.test(e.message));
      if (hit) return render(lang, hit.entry, { ...params, message: translateDetail(e.message, lang) });
      return { title: side, body: translateDetail(e.message, lang), rfc: null };
    }
    case 'channel':
      return { title: pick(lang, b('{side}: channel {id} — {change}', '{side}：通道 {id} — {change}'), { side, id: e.id, change: pick(lang, CHANNEL_CHANGE_NAME[e.change] ?? b(e.change, e.change)) }), body: describeChannel(e, lang), rfc: 'RFC 4254 §5' };
    case 'banner':
      return render(lang, EVENT_TEXT['banner']!, { ...params, message: e.message });
    case 'closed':
    case 'error': {
      const reason = disconnectReason(e.reason, lang);
      const message = translateDetail(e.message, lang);
      return render(lang, EVENT_TEXT[e.type]!, { ...params, message: reason ? `${message} ${reason}` : message });
    }
    case 'decision':
      return render(lang, EVENT_TEXT['decision']!, { ...params, message: e.kind });
    default:
      break;
  }
  return { title: e.type, body: '', rfc: null };
}

const CHANNEL_CHANGE_NAME: Record<string, Bilingual> = {
  'open-request': b('open requested', '请求打开'),
  open: b('open', '已打开'),
  'open-failed': b('open failed', '打开失败'),
  request: b('request', '请求'),
  'request-success': b('request accepted', '请求被接受'),
  'request-failure': b('request refused', '请求被拒绝'),
  data: b('data', '数据'),
  'extended-data': b('stderr data', '标准错误数据'),
  'window-adjust': b('window adjusted', '窗口调整'),
  eof: b('end of data', '数据结束'),
  close: b('close', '关闭'),
  closed: b('closed', '已关闭'),
  'exit-status': b('exit status', '退出状态'),
  'exit-signal': b('exit signal', '退出信号'),
};

const CHANNEL_CHANGE: Record<string, Bilingual> = {
  'open-request': b('The client asked for a new channel.', '客户端请求打开新通道。'),
  open: b('The channel is open in both directions.', '通道在两个方向上都已打开。'),
  request: b('The server received a channel request.', '服务器收到一个通道请求。'),
  'request-success': b('The server accepted the request.', '服务器接受了请求。'),
  'request-failure': b('The server refused the request.', '服务器拒绝了请求。'),
  data: b('The client received data: the command’s output.', '客户端收到数据：命令的输出。'),
  'extended-data': b('The client received stderr data.', '客户端收到标准错误数据。'),
  'exit-status': b('The client learned the exit status.', '客户端得知了退出状态。'),
  eof: b('No more data will come from the other side.', '对方不会再发送数据。'),
  close: b('The other side closed the channel.', '对方关闭了通道。'),
  closed: b('Both sides closed: the channel is gone.', '双方都已关闭：通道结束。'),
  'window-adjust': b('The window was enlarged.', '窗口被扩大。'),
  'open-failed': b('The server refused to open the channel.', '服务器拒绝打开通道。'),
  'exit-signal': b('The program was ended by a signal.', '程序被信号终止。'),
};

/** A channel change's short name in `lang` ("window adjusted", "窗口调整"). */
export function channelChangeName(change: string, lang: Lang): string {
  const n = CHANNEL_CHANGE_NAME[change];
  return n ? pick(lang, n) : change;
}

function describeChannel(e: Extract<SshEvent, { type: 'channel' }>, lang: Lang): string {
  const text = CHANNEL_CHANGE[e.change];
  return text ? pick(lang, text) : e.change;
}

/** Fields worth pointing at, per message: the explanation panel offers them as shortcuts into the packet view. */
export const FOCUS_FIELDS: Record<string, string[]> = {
  SSH_MSG_KEXINIT: ['cookie', 'kexAlgorithms', 'encryptionC2S', 'firstKexPacketFollows'],
  SSH_MSG_KEX_ECDH_INIT: ['qC'],
  SSH_MSG_KEX_ECDH_REPLY: ['hostKey', 'qS', 'signature'],
  SSH_MSG_KEX_HYBRID_INIT: ['qC', 'cInit'],
  SSH_MSG_KEX_HYBRID_REPLY: ['hostKey', 'qS', 'sReply', 'signature'],
  SSH_MSG_KEXDH_INIT: ['e'],
  SSH_MSG_KEXDH_REPLY: ['hostKey', 'f', 'signature'],
  SSH_MSG_NEWKEYS: ['msgId', 'padding'],
  SSH_MSG_EXT_INFO: ['extensions', 'mac'],
  SSH_MSG_SERVICE_REQUEST: ['serviceName', 'mac'],
  SSH_MSG_USERAUTH_REQUEST: ['user', 'method', 'password', 'hasSignature', 'publicKey', 'signature'],
  SSH_MSG_USERAUTH_FAILURE: ['methods', 'partialSuccess'],
  SSH_MSG_USERAUTH_PK_OK: ['publicKey'],
  SSH_MSG_CHANNEL_OPEN: ['channelType', 'senderChannel', 'initialWindowSize', 'maximumPacketSize'],
  SSH_MSG_CHANNEL_OPEN_CONFIRMATION: ['recipientChannel', 'senderChannel', 'initialWindowSize'],
  SSH_MSG_CHANNEL_REQUEST: ['requestType', 'wantReply', 'command', 'exitStatus'],
  SSH_MSG_CHANNEL_DATA: ['data', 'mac'],
  SSH_MSG_DISCONNECT: ['reasonCode', 'description'],
};

/** All bilingual texts of this file, for the translation test. */
export function allExplanationTexts(): Bilingual[] {
  const entries = [...Object.values(MESSAGE_TEXT), ...Object.values(REQUEST_TEXT), ...Object.values(CHANNEL_REQUEST_TEXT), ...Object.values(EVENT_TEXT), ...Object.values(AUTH_TEXT), ...INFO_TEXT.map((i) => i.entry), OPAQUE_TEXT];
  return [...entries.flatMap((e) => [e.title, e.body]), ...Object.values(DISCONNECT_TEXT), ...Object.values(SIDE), ...Object.values(AUTH_METHOD), ...Object.values(RESULT), ...Object.values(CHANNEL_CHANGE), ...Object.values(CHANNEL_CHANGE_NAME)];
}
