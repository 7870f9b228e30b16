// 简体中文 for the one-line field docs of the engine's message table (engine/wire/messages-table.ts
// writes them in English). Keyed by the English text; a doc missing here is shown in English.
// field-docs-zh.test.ts checks that the docs of the teaching sessions are covered.

const ZH: Record<string, string> = {
  'Length of the packet in bytes, not including this field or the MAC (RFC 4253 §6).': '数据包长度（字节），不含本字段和 MAC（RFC 4253 §6）。',
  'Length of the random padding (at least 4 bytes).': '随机填充的长度（至少 4 字节）。',
  'Each side lists the algorithms it supports, most preferred first; the first client choice the server also has wins. (RFC 4253 §7.1)': '双方各自列出支持的算法，最偏好的在前；客户端列表中第一个服务器也支持的算法胜出。（RFC 4253 §7.1）',
  '16 random bytes, so that neither side alone decides the exchange hash.': '16 个随机字节，使任何一方都无法单独决定交换哈希。',
  'Key exchange methods, plus markers such as ext-info-c and kex-strict-*.': '密钥交换方法，以及 ext-info-c、kex-strict-* 之类的标记。',
  'Length in bytes of the contents that follow (uint32, RFC 4251 §5).': '后面内容的字节数（uint32，RFC 4251 §5）。',
  'The bytes of the value itself.': '值本身的字节。',
  'Host key / signature algorithms the server may prove its identity with.': '服务器可用来证明身份的主机密钥/签名算法。',
  'Ciphers for client-to-server traffic.': '客户端到服务器方向的加密算法。',
  'Ciphers for server-to-client traffic.': '服务器到客户端方向的加密算法。',
  'MACs for client-to-server traffic (ignored with AEAD ciphers).': '客户端到服务器方向的 MAC 算法（使用 AEAD 加密时忽略）。',
  'MACs for server-to-client traffic (ignored with AEAD ciphers).': '服务器到客户端方向的 MAC 算法（使用 AEAD 加密时忽略）。',
  'Compression for client-to-server traffic, usually none.': '客户端到服务器方向的压缩算法，通常为 none。',
  'Compression for server-to-client traffic, usually none.': '服务器到客户端方向的压缩算法，通常为 none。',
  'Language tags, almost always empty.': '语言标签，几乎总是空的。',
  'TRUE when a guessed key-exchange packet follows right away.': '为 TRUE 时，紧接着会有一个猜测的密钥交换数据包。',
  'Reserved for future extension; always 0.': '为将来扩展保留；总是 0。',
  'Random bytes that make the packet a multiple of the cipher block size.': '随机字节，使数据包长度成为加密块大小的整数倍。',
  "The client's ephemeral elliptic-curve public key. (RFC 5656 §4, RFC 8731 §3)": '客户端的临时椭圆曲线公钥。（RFC 5656 §4，RFC 8731 §3）',
  "Client's ephemeral public key (32 bytes for X25519, an uncompressed point for NIST curves).": '客户端的临时公钥（X25519 为 32 字节，NIST 曲线为未压缩的点）。',
  'The u-coordinate of the ephemeral Curve25519 point, little-endian (RFC 7748 §5).': '临时 Curve25519 点的 u 坐标，小端序（RFC 7748 §5）。',
  "The server's host key, its ephemeral public key, and its signature over the exchange hash. (RFC 5656 §4, RFC 8731 §3)": '服务器的主机公钥、临时公钥，以及对交换哈希的签名。（RFC 5656 §4，RFC 8731 §3）',
  "The server's public host key K_S; the client checks it against known_hosts.": '服务器的主机公钥 K_S；客户端会用 known_hosts 核对它。',
  'The public key algorithm this blob belongs to; the fields after it depend on it.': '此数据块所属的公钥算法；后面的字段取决于它。',
  'The 32-byte Ed25519 public key (a compressed curve point, RFC 8032 §5.1.5).': '32 字节的 Ed25519 公钥（压缩的曲线点，RFC 8032 §5.1.5）。',
  "Server's ephemeral public key.": '服务器的临时公钥。',
  "The server's signature over the exchange hash H, made with its host key.": '服务器用主机私钥对交换哈希 H 做的签名。',
  'The signature format, e.g. ssh-ed25519 or rsa-sha2-256 (RFC 8332).': '签名格式，例如 ssh-ed25519 或 rsa-sha2-256（RFC 8332）。',
  'The 64-byte Ed25519 signature R || S (RFC 8032 §5.1.6).': '64 字节的 Ed25519 签名 R || S（RFC 8032 §5.1.6）。',
  'From the next packet on, this direction uses the new keys. (RFC 4253 §7.3)': '从下一个数据包起，这个方向使用新密钥。（RFC 4253 §7.3）',
  'Extensions announced right after NEWKEYS, e.g. the signature algorithms the server accepts. (RFC 8308 §2.3)': '紧跟在 NEWKEYS 之后宣告的扩展，例如服务器接受的签名算法。（RFC 8308 §2.3）',
  'Name/value pairs, preceded by their count (uint32 nr-extensions).': '名称/值对，前面是它们的个数（uint32 nr-extensions）。',
  'How many extensions follow.': '后面有多少个扩展。',
  'Extension name, e.g. server-sig-algs.': '扩展名称，例如 server-sig-algs。',
  'Extension value; its format depends on the name (RFC 8308 §3).': '扩展的值；格式取决于名称（RFC 8308 §3）。',
  'Comma-separated names (RFC 4251 §5 name-list contents).': '逗号分隔的名称（RFC 4251 §5 name-list 的内容）。',
  'Message authentication code (or AEAD tag) over the sequence number and the packet.': '对序列号和数据包计算的消息认证码（或 AEAD 标签）。',
  'Asks for a service after key exchange, usually "ssh-userauth". (RFC 4253 §10)': '密钥交换后请求一项服务，通常是 "ssh-userauth"。（RFC 4253 §10）',
  'The service wanted: "ssh-userauth", later "ssh-connection".': '请求的服务："ssh-userauth"，之后是 "ssh-connection"。',
  'The server agrees to run the requested service. (RFC 4253 §10)': '服务器同意运行所请求的服务。（RFC 4253 §10）',
  'The service accepted, repeated from the request.': '被接受的服务，与请求中的相同。',
  'One authentication attempt: who, for which service, with which method. (RFC 4252 §5)': '一次认证尝试：谁、为哪项服务、用哪种方法。（RFC 4252 §5）',
  'User name to log in as (UTF-8).': '要登录的用户名（UTF-8）。',
  'Service to start after authentication, normally "ssh-connection".': '认证后要启动的服务，通常是 "ssh-connection"。',
  'Authentication method: none, password, publickey, hostbased, keyboard-interactive.': '认证方法：none、password、publickey、hostbased、keyboard-interactive。',
  'The attempt failed (or was only a partial success); lists the methods that can continue. (RFC 4252 §5.1)': '本次尝试失败（或仅部分成功）；列出可以继续使用的方法。（RFC 4252 §5.1）',
  'Methods that may productively continue the authentication.': '可以继续进行认证的方法。',
  'TRUE: this method succeeded but more are required.': 'TRUE：此方法成功了，但还需要其他方法。',
  'The fields that only the "password" method has (RFC 4252 §8).': '只有 "password" 方法才有的字段（RFC 4252 §8）。',
  'FALSE for a normal login; TRUE when the client sends a new password too.': '普通登录为 FALSE；客户端同时发送新密码时为 TRUE。',
  'The password in plaintext (UTF-8) — protected only by the transport encryption.': '明文密码（UTF-8）——只受传输层加密保护。',
  'Authentication is complete; the requested service starts. (RFC 4252 §5.1)': '认证完成；所请求的服务开始运行。（RFC 4252 §5.1）',
  'Opens a channel: a session, or a forwarded TCP connection. (RFC 4254 §5.1)': '打开一个通道：会话，或转发的 TCP 连接。（RFC 4254 §5.1）',
  'Kind of channel: session, direct-tcpip, forwarded-tcpip, x11.': '通道类型：session、direct-tcpip、forwarded-tcpip、x11。',
  "Sender's own number for this channel.": '发送方为此通道分配的编号。',
  'How many bytes the peer may send before it must wait for a window adjust.': '对方在等待窗口调整之前最多可以发送的字节数。',
  'Largest data packet the sender accepts on this channel.': '发送方在此通道上接受的最大数据包。',
  'The channel is open; both sides now know each other’s channel number. (RFC 4254 §5.1)': '通道已打开；双方现在都知道对方的通道编号。（RFC 4254 §5.1）',
  "The receiver's number for this channel (the sender channel it chose at open).": '接收方为此通道分配的编号（它在打开时选定的发送方通道号）。',
  "The confirming side's own number for this channel.": '确认方为此通道分配的编号。',
  'Channel-type-specific data, usually empty.': '与通道类型相关的数据，通常为空。',
  'A request on one channel: pty, shell, exec, env, window change, exit status… (RFC 4254 §5.4)': '针对某个通道的请求：pty、shell、exec、env、窗口大小变化、退出状态……（RFC 4254 §5.4）',
  'What is asked, e.g. pty-req, shell, exec, exit-status.': '请求的内容，例如 pty-req、shell、exec、exit-status。',
  'TRUE: the peer must answer with CHANNEL_SUCCESS or CHANNEL_FAILURE.': 'TRUE：对方必须回复 CHANNEL_SUCCESS 或 CHANNEL_FAILURE。',
  'The fields that only the "exec" request has (RFC 4254 §6.5).': '只有 "exec" 请求才有的字段（RFC 4254 §6.5）。',
  'The command line to run (text when valid UTF-8, otherwise raw bytes).': '要执行的命令行（合法 UTF-8 时为文本，否则为原始字节）。',
  'The sender will send no more data on this channel. (RFC 4254 §5.3)': '发送方不会再在此通道上发送数据。（RFC 4254 §5.3）',
  'The channel request succeeded. (RFC 4254 §5.4)': '通道请求成功。（RFC 4254 §5.4）',
  'Data on a channel (stdin to the server, stdout to the client). (RFC 4254 §5.2)': '通道上的数据（发往服务器的是标准输入，发往客户端的是标准输出）。（RFC 4254 §5.2）',
  'The data bytes; they count against the window.': '数据字节；它们会占用窗口。',
  'The fields that only the "exit-status" request has (RFC 4254 §6.10).': '只有 "exit-status" 请求才有的字段（RFC 4254 §6.10）。',
  'Exit status of the command (0 means success).': '命令的退出状态（0 表示成功）。',
  'The channel is closing; each side sends CLOSE once. (RFC 4254 §5.3)': '通道正在关闭；双方各发送一次 CLOSE。（RFC 4254 §5.3）',
  'Ends the connection immediately, with a reason code and a description. (RFC 4253 §11.1)': '立即结束连接，附带原因代码和描述。（RFC 4253 §11.1）',
  'Why the connection ends: one of the SSH_DISCONNECT_* codes of RFC 4253 §11.1.': '连接结束的原因：RFC 4253 §11.1 中的某个 SSH_DISCONNECT_* 代码。',
  'Human-readable explanation (UTF-8).': '给人看的说明（UTF-8）。',
  'Language tag (RFC 3066) of the text before it; almost always empty.': '前面文本的语言标签（RFC 3066）；几乎总是空的。',
  'The fields that only the "publickey" method has (RFC 4252 §7).': '只有 "publickey" 方法才有的字段（RFC 4252 §7）。',
  'FALSE: only asks whether this key would be accepted; TRUE: the signature follows.': 'FALSE：只询问这把公钥是否会被接受；TRUE：后面附有签名。',
  'Public key algorithm, e.g. ssh-ed25519 or rsa-sha2-256.': '公钥算法，例如 ssh-ed25519 或 rsa-sha2-256。',
  'The public key blob being offered.': '所提供的公钥数据块。',
  'The server would accept this public key: the client may now sign. (RFC 4252 §7)': '服务器会接受这把公钥：客户端现在可以签名了。（RFC 4252 §7）',
  'Public key algorithm, repeated from the query.': '公钥算法，与询问中的相同。',
  'The public key blob, repeated from the query.': '公钥数据块，与询问中的相同。',
  'Signature over session id and this request, proving possession of the private key.': '对会话标识和本请求的签名，证明持有私钥。',
};

/** The doc in `lang`: Chinese when known, else the English original. */
export function fieldDoc(doc: string, lang: 'en' | 'zh'): string {
  if (lang === 'en') return doc;
  const direct = ZH[doc];
  if (direct) return direct;
  // "Message number 20: SSH_MSG_KEXINIT (RFC 4253 §7.1). <message doc>"
  const m = /^Message number (\d+): (\S+) \(([^)]+)\)\. (.*)$/s.exec(doc);
  if (m) {
    const rest = ZH[`${m[4]} (${m[3]})`] ?? ZH[m[4]!];
    return `消息编号 ${m[1]}：${m[2]}（${m[3]}）。${rest ? rest.replace(/（RFC[^）]*）$/, '') : m[4]}`;
  }
  const ext = /^extension number (\d+)\.$/.exec(doc);
  if (ext) return `第 ${ext[1]} 个扩展。`;
  return doc;
}

/** How many of `docs` have a Chinese version (for the coverage test). */
export function translatedShare(docs: readonly string[]): number {
  if (docs.length === 0) return 1;
  return docs.filter((d) => fieldDoc(d, 'zh') !== d).length / docs.length;
}
