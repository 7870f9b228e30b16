// Every label of the app in English and 简体中文. A string without its translation is a failing
// test (i18n.test.ts), not a blank on the projector. Placeholders: {name}.

import type { Bilingual, Lang } from './i18n-types.ts';
import { LESSON_STRINGS } from './strings/lessons.ts';
import { OPEN_FILE_STRINGS } from './strings/open-file.ts';
import { REAL_SERVER_STRINGS } from './strings/real-server.ts';
import { CLASSROOM_STRINGS } from './strings/classroom.ts';

export type { Bilingual, Lang } from './i18n-types.ts';
export const LANGS: readonly Lang[] = ['en', 'zh'];

/** The strings of the core views; each source of event logs keeps its own table in strings/. */
const CORE_STRINGS = {
  'app.tagline': { en: 'SSH-2, byte by byte', zh: '逐字节看懂 SSH-2' },
  'app.loading': { en: 'Running the SSH engines…', zh: '正在运行 SSH 引擎…' },
  'app.summary': { en: '{events} {events|step|steps} · {packets} {packets|packet|packets} · exit status {status}', zh: '{events} 步 · {packets} 个数据包 · 退出状态 {status}' },
  'app.noexit': { en: 'none', zh: '无' },

  'phase.1': { en: 'Version exchange', zh: '版本交换' },
  'phase.2': { en: 'Key exchange', zh: '密钥交换' },
  'phase.3': { en: 'Authentication', zh: '用户认证' },
  'phase.4': { en: 'Session request', zh: '会话请求' },
  'phase.5': { en: 'Interactive session', zh: '交互会话' },
  'phase.bar': { en: 'Phases of the connection', zh: '连接的各个阶段' },
  'phase.goto': { en: 'Go to phase {n}: {name}', zh: '跳到第 {n} 阶段：{name}' },

  'ctl.settings': { en: 'Scenario', zh: '场景' },
  'ctl.auth': { en: 'Authentication', zh: '认证方式' },
  'ctl.auth.password': { en: 'password', zh: '密码' },
  'ctl.auth.publickey': { en: 'public key', zh: '公钥' },
  'ctl.kex': { en: 'Key exchange', zh: '密钥交换' },
  'ctl.cipher': { en: 'Cipher', zh: '加密算法' },
  'ctl.mac': { en: 'MAC', zh: '消息认证码' },
  'ctl.user': { en: 'User', zh: '用户名' },
  'ctl.seed': { en: 'Seed', zh: '随机种子' },
  'ctl.run': { en: 'Run', zh: '运行' },
  'ctl.newseed': { en: 'New seed', zh: '换个种子' },
  'ctl.lang': { en: '简体中文', zh: 'English' },
  'ctl.lang.label': { en: 'Switch language', zh: '切换语言' },
  'ctl.theme.dark': { en: 'Dark', zh: '深色' },
  'ctl.theme.light': { en: 'Light', zh: '浅色' },
  'ctl.theme.label': { en: 'Switch light / dark theme', zh: '切换浅色/深色主题' },
  'ctl.projector': { en: 'Projector', zh: '投影模式' },
  'ctl.projector.label': { en: 'Large fonts for a projector', zh: '投影用大字体' },
  'ctl.help': { en: 'Keys', zh: '快捷键' },
  'ctl.export': { en: 'Export JSON', zh: '导出 JSON' },
  'ctl.aeadnote': { en: 'AEAD cipher: the MAC is not used', zh: 'AEAD 加密：不使用单独的 MAC' },

  'step.prev': { en: 'Previous step', zh: '上一步' },
  'step.next': { en: 'Next step', zh: '下一步' },
  'step.prevPhase': { en: 'Previous phase', zh: '上一阶段' },
  'step.nextPhase': { en: 'Next phase', zh: '下一阶段' },
  'step.play': { en: 'Play', zh: '播放' },
  'step.pause': { en: 'Pause', zh: '暂停' },
  'step.speed': { en: 'Speed', zh: '速度' },
  'step.counter': { en: 'Step {n} of {total}', zh: '第 {n} 步，共 {total} 步' },
  'step.toolbar': { en: 'Stepping', zh: '单步控制' },
  'step.first': { en: 'First step', zh: '第一步' },
  'step.last': { en: 'Last step', zh: '最后一步' },

  'view.packets': { en: 'Packets', zh: '数据包' },
  'view.negotiation': { en: 'Negotiation', zh: '算法协商' },
  'view.keys': { en: 'Key derivation', zh: '密钥派生' },
  'view.auth': { en: 'Authentication', zh: '认证' },
  'view.hosts': { en: 'Hosts & files', zh: '主机与文件' },
  'view.terminal': { en: 'Terminal', zh: '终端' },
  'term.title': { en: 'An interactive shell over SSH', zh: '通过 SSH 的交互式 shell' },
  'term.start': { en: 'Start an interactive session', zh: '开始交互会话' },
  'term.intro': {
    en: 'Run the session yourself. Choose what ssh asks for on its session channel, start, and type: everything you send travels as encrypted SSH_MSG_CHANNEL_DATA, and the timeline grows as you type. Try in the shell: help, ls, cat README.txt, exit.',
    zh: '亲自运行一个会话。选择 ssh 在会话通道上请求什么，开始后输入：你发送的一切都作为加密的 SSH_MSG_CHANNEL_DATA 传输，时序图随着输入而增长。在 shell 中试试：help、ls、cat README.txt、exit。',
  },
  'term.loading': { en: 'Loading the terminal…', zh: '正在加载终端…' },
  'term.closed': { en: 'The session has ended. Start a new one to type again.', zh: '会话已结束。开始新的会话才能继续输入。' },
  'term.packets': { en: '{n} {n|packet|packets} so far', zh: '目前共 {n} 个数据包' },
  'term.mode': { en: 'ssh asks for', zh: 'ssh 请求' },
  'term.command': { en: 'command', zh: '命令' },
  'term.mode.shell-pty': { en: 'a pty and a shell (ssh host)', zh: 'pty 和 shell（ssh host）' },
  'term.mode.shell': { en: 'a shell, no pty (ssh -T host)', zh: 'shell，无 pty（ssh -T host）' },
  'term.mode.exec': { en: 'exec a command, no pty (ssh host cmd)', zh: '执行命令，无 pty（ssh host cmd）' },
  'term.mode.exec-pty': { en: 'a pty, then exec (ssh -t host cmd)', zh: '先 pty，再执行命令（ssh -t host cmd）' },
  'term.help.shell-pty': {
    en: 'CHANNEL_REQUEST "pty-req" then "shell" (RFC 4254 §6.2, §6.5). The server\'s terminal echoes every key and edits the line: each keystroke is a packet.',
    zh: 'CHANNEL_REQUEST "pty-req"，然后 "shell"（RFC 4254 §6.2、§6.5）。服务器端的终端回显每个按键并负责行编辑：每次按键都是一个数据包。',
  },
  'term.help.shell': {
    en: 'Only "shell", no "pty-req": your own terminal edits and echoes the line and ssh sends it when you press Enter, so no prompt and no remote echo. Ctrl-D on an empty line sends CHANNEL_EOF and the shell exits.',
    zh: '只有 "shell"，没有 "pty-req"：由你自己的终端编辑并回显这一行，按回车时 ssh 才把整行发出，所以没有提示符，也没有远程回显。在空行按 Ctrl-D 会发送 CHANNEL_EOF，shell 随之退出。',
  },
  'term.help.exec': {
    en: 'Only "exec" with the command line: no pty, so the bytes pass unchanged (binary-safe, what scp, rsync and tar pipes rely on). The exit status comes back as "exit-status" (RFC 4254 §6.10). With cat, type lines and end with Ctrl-D.',
    zh: '只有带命令行的 "exec"：没有 pty，所以字节原样通过（二进制安全，scp、rsync 和 tar 管道都依赖这一点）。退出码通过 "exit-status" 返回（RFC 4254 §6.10）。用 cat 时输入几行，再按 Ctrl-D 结束。',
  },
  'term.help.exec-pty': {
    en: '"pty-req" then "exec": the command runs on a terminal, so it echoes, turns Enter into a newline and Ctrl-C into an interrupt (cat then exits with 130). This is what -t is for: running an interactive program as a command.',
    zh: '"pty-req"，然后 "exec"：命令运行在终端上，所以会回显，把回车变成换行，把 Ctrl-C 变成中断（此时 cat 以 130 退出）。这就是 -t 的用途：把交互式程序当作命令来运行。',
  },
  'view.tabs': { en: 'Views', zh: '视图' },

  'timeline.title': { en: 'Timeline', zh: '时序图' },
  'timeline.client': { en: 'Client', zh: '客户端' },
  'timeline.server': { en: 'Server', zh: '服务器' },
  'timeline.plain': { en: 'plaintext', zh: '明文' },
  'timeline.encrypted': { en: 'encrypted', zh: '已加密' },
  'timeline.zoom': { en: 'Scroll to zoom, drag to pan', zh: '滚轮缩放，拖动平移' },
  'export.svg': { en: 'SVG', zh: 'SVG' },
  'export.svg.label': { en: 'Save this diagram as an SVG file', zh: '把这张图保存为 SVG 文件' },
  'timeline.reset': { en: 'Reset zoom', zh: '重置缩放' },
  'timeline.event': { en: 'event', zh: '事件' },

  'note.negotiated': { en: 'algorithms agreed', zh: '算法已选定' },
  'note.hash': { en: 'H = {hash}(…)', zh: 'H = {hash}(…)' },
  'note.keys': { en: 'keys A–F derived', zh: '派生密钥 A–F' },
  'note.hostkey': { en: 'host key: {result}', zh: '主机公钥：{result}' },
  'note.auth': { en: 'auth {method}: {result}', zh: '认证 {method}：{result}' },
  'note.channel': { en: 'channel {id}: {change}', zh: '通道 {id}：{change}' },
  'note.info': { en: 'note', zh: '说明' },
  'note.closed': { en: 'closed', zh: '已关闭' },
  'note.error': { en: 'error', zh: '错误' },
  'note.banner': { en: 'banner', zh: '横幅' },
  'note.decision': { en: 'asks: {kind}', zh: '询问：{kind}' },
  'packets.list': { en: 'Packet list', zh: '数据包列表' },
  'packets.seq': { en: 'seq', zh: '序号' },
  'packets.none': { en: 'No packet yet. Press → to take the first step.', zh: '还没有数据包。按 → 开始第一步。' },
  'packets.future': { en: 'not sent yet', zh: '尚未发送' },
  'packets.tree': { en: 'Decoded fields', zh: '解码后的字段' },
  'packets.hex': { en: 'Bytes', zh: '字节' },
  'packets.wire': { en: 'on the wire', zh: '线路上的字节' },
  'packets.decrypted': { en: 'decrypted', zh: '解密后' },
  'packets.bytes': { en: '{n} {n|byte|bytes}', zh: '{n} 字节' },
  'packets.selected': { en: 'Selected: {label} — bytes {start}–{end} ({n} {n|byte|bytes})', zh: '已选中：{label} — 第 {start}–{end} 字节（共 {n} 字节）' },
  'packets.hexhint': { en: 'Hover a field to see its bytes; click a byte to find its field.', zh: '悬停字段可看到对应字节；点击字节可找到所属字段。' },
  'packets.truncated': { en: 'Showing the first {n} {n|byte|bytes}.', zh: '只显示前 {n} 个字节。' },
  'packets.encrypted': {
    en: 'This packet crossed the network encrypted with {cipher}, key {key} ({dir}). The tree shows what it decrypts to: the {msg} payload below.',
    zh: '这个数据包在网络上用 {cipher} 加密传输，密钥为 {key}（{dir}）。下面的字段树是解密后的内容：{msg} 的载荷。',
  },
  'packets.mac': { en: 'Integrity: {mac}, key {key}.', zh: '完整性保护：{mac}，密钥 {key}。' },
  'packets.aead': { en: 'Integrity: the cipher’s own authentication tag (AEAD).', zh: '完整性保护：加密算法自带的认证标签（AEAD）。' },
  'packets.plainnote': { en: 'Sent in plaintext: no keys exist yet.', zh: '以明文发送：此时还没有任何密钥。' },
  'packets.unknownbyte': { en: '·· = padding or MAC, not kept after decryption', zh: '·· = 填充或 MAC，解密后不保留' },
  'packets.version': { en: 'Identification line (plain text, no packet framing)', zh: '标识字符串（纯文本，没有数据包封装）' },
  'packets.dir.c2s': { en: 'client → server', zh: '客户端 → 服务器' },
  'packets.dir.s2c': { en: 'server → client', zh: '服务器 → 客户端' },
  'packets.copy': { en: 'Copy hex', zh: '复制十六进制' },
  'packets.copied': { en: 'Copied', zh: '已复制' },

  'tamper.button': { en: 'Flip this byte in transit', zh: '在传输途中翻转这个字节' },
  'tamper.hint': { en: 'Experiment: change one bit of byte {offset} on its way to the {to}, then step on to see who notices.', zh: '实验：在发往{to}的途中改变第 {offset} 字节的一个比特，然后继续单步，看看谁会发现。' },
  'tamper.banner': { en: 'Tamper experiment: one bit of byte {offset} of {msg} ({dir}) was flipped in transit.', zh: '篡改实验：{msg}（{dir}）第 {offset} 字节的一个比特在传输途中被翻转。' },
  'tamper.undo': { en: 'Undo', zh: '撤销' },
  'tamper.mark': { en: 'tampered', zh: '已篡改' },
  'neg.title': { en: 'Algorithm negotiation (RFC 4253 §7.1)', zh: '算法协商（RFC 4253 §7.1）' },
  'neg.category': { en: 'Category', zh: '类别' },
  'neg.client': { en: 'Client prefers', zh: '客户端偏好' },
  'neg.server': { en: 'Server supports', zh: '服务器支持' },
  'neg.chosen': { en: 'Chosen', zh: '选定' },
  'neg.rule': { en: 'Why', zh: '原因' },
  'neg.none': { en: 'Negotiation happens after both KEXINIT messages. Step to phase 2.', zh: '双方交换 KEXINIT 之后才进行协商。请前进到第 2 阶段。' },
  'neg.explain': {
    en: 'For each category the winner is the first algorithm on the client’s list that the server also supports. Greyed names are signals (ext-info, strict KEX), never chosen.',
    zh: '每一类中，胜出的是客户端列表里第一个服务器也支持的算法。灰色名称只是信号（ext-info、严格密钥交换），不会被选中。',
  },
  'neg.rule.generic': { en: 'the client’s first choice {chosen} that the server also supports (RFC 4253 §7.1)', zh: '客户端列表中第一个服务器也支持的算法：{chosen}（RFC 4253 §7.1）' },
  'neg.rule.none': { en: 'no algorithm in common: the connection fails', zh: '没有共同支持的算法：连接失败' },
  'neg.nothing': { en: '(none)', zh: '（无）' },
  'neg.cat.kex': { en: 'Key exchange', zh: '密钥交换' },
  'neg.cat.host key': { en: 'Host key', zh: '主机密钥' },
  'neg.cat.encryption c2s': { en: 'Cipher C→S', zh: '加密 C→S' },
  'neg.cat.encryption s2c': { en: 'Cipher S→C', zh: '加密 S→C' },
  'neg.cat.mac c2s': { en: 'MAC C→S', zh: 'MAC C→S' },
  'neg.cat.mac s2c': { en: 'MAC S→C', zh: 'MAC S→C' },
  'neg.cat.compression c2s': { en: 'Compression C→S', zh: '压缩 C→S' },
  'neg.cat.compression s2c': { en: 'Compression S→C', zh: '压缩 S→C' },
  'neg.cat.language c2s': { en: 'Language C→S', zh: '语言 C→S' },
  'neg.cat.language s2c': { en: 'Language S→C', zh: '语言 S→C' },

  'kdf.title': { en: 'Exchange hash and key derivation (RFC 4253 §7.2, §8)', zh: '交换哈希与密钥派生（RFC 4253 §7.2、§8）' },
  'kdf.inputs': { en: 'Exchange hash input', zh: '交换哈希的输入' },
  'kdf.keys': { en: 'Six derived keys', zh: '派生出的六个密钥' },
  'kdf.pending': { en: 'not known yet', zh: '尚未得知' },
  'kdf.none': { en: 'The keys appear once both sides have exchanged their ephemeral keys. Step into phase 2.', zh: '双方交换临时公钥之后才会出现密钥。请前进到第 2 阶段。' },
  'kdf.H': { en: 'H = {hash}(inputs)', zh: 'H = {hash}(输入)' },
  'kdf.sessionid': { en: 'session_id = H of the first exchange', zh: 'session_id = 第一次交换的 H' },
  'kdf.notneeded': { en: 'not needed by this cipher', zh: '此加密算法不需要' },
  'kdf.round': { en: 'round {n}', zh: '第 {n} 轮' },
  'kdf.key.A': { en: 'IV client→server', zh: '初始向量 客户端→服务器' },
  'kdf.key.B': { en: 'IV server→client', zh: '初始向量 服务器→客户端' },
  'kdf.key.C': { en: 'encryption key client→server', zh: '加密密钥 客户端→服务器' },
  'kdf.key.D': { en: 'encryption key server→client', zh: '加密密钥 服务器→客户端' },
  'kdf.key.E': { en: 'integrity key client→server', zh: '完整性密钥 客户端→服务器' },
  'kdf.key.F': { en: 'integrity key server→client', zh: '完整性密钥 服务器→客户端' },
  'kdf.in.V_C': { en: 'client version line', zh: '客户端版本字符串' },
  'kdf.in.V_S': { en: 'server version line', zh: '服务器版本字符串' },
  'kdf.in.I_C': { en: 'client KEXINIT payload', zh: '客户端 KEXINIT 载荷' },
  'kdf.in.I_S': { en: 'server KEXINIT payload', zh: '服务器 KEXINIT 载荷' },
  'kdf.in.K_S': { en: 'server host key', zh: '服务器主机公钥' },
  'kdf.in.Q_C': { en: 'client ephemeral public key', zh: '客户端临时公钥' },
  'kdf.in.Q_S': { en: 'server ephemeral public key', zh: '服务器临时公钥' },
  'kdf.in.e': { en: 'client DH value e', zh: '客户端 DH 值 e' },
  'kdf.in.f': { en: 'server DH value f', zh: '服务器 DH 值 f' },
  'kdf.in.K': { en: 'shared secret', zh: '共享密钥' },
  'kdf.in.other': { en: 'exchange-hash field', zh: '交换哈希字段' },
  'kdf.formula': { en: 'X = HASH(K ‖ H ‖ letter ‖ session_id), extended by HASH(K ‖ H ‖ X so far)', zh: 'X = HASH(K ‖ H ‖ 字母 ‖ session_id)，不够长时继续 HASH(K ‖ H ‖ 已有的 X)' },

  'auth.title': { en: 'User authentication (RFC 4252)', zh: '用户认证（RFC 4252）' },
  'auth.password': { en: 'Password (RFC 4252 §8)', zh: '密码认证（RFC 4252 §8）' },
  'auth.publickey': { en: 'Public key (RFC 4252 §7)', zh: '公钥认证（RFC 4252 §7）' },
  'auth.sends': { en: 'The client sends', zh: '客户端发送' },
  'auth.checks': { en: 'The server checks', zh: '服务器检查' },
  'auth.signed': { en: 'What the client signs', zh: '客户端签名的内容' },
  'auth.continue': { en: 'Methods that can continue', zh: '可以继续尝试的方法' },
  'auth.result': { en: 'Result', zh: '结果' },
  'auth.notrun': { en: 'Not used in this run.', zh: '本次运行未使用。' },
  'auth.tryit': { en: 'Run with {method}', zh: '改用{method}运行' },
  'auth.pending': { en: 'Authentication starts in phase 3.', zh: '认证从第 3 阶段开始。' },
  'auth.pw.sends': {
    en: 'The password itself, inside an encrypted packet: the transport’s keys protect it, so it is never in plaintext on the network — but the server sees it.',
    zh: '密码本身，放在加密的数据包里：由传输层密钥保护，网络上看不到明文——但服务器能看到密码。',
  },
  'auth.pw.checks': { en: 'Compares it with its user table (the shadow file). A wrong user and a wrong password get the same answer, on purpose.', zh: '与用户表（shadow 文件）比对。用户名错误和密码错误得到同样的回答，这是有意的。' },
  'auth.pk.sends': {
    en: 'First a query with the public key only; after SSH_MSG_USERAUTH_PK_OK, the same request with a signature. The private key never leaves the client.',
    zh: '先只发送公钥询问；收到 SSH_MSG_USERAUTH_PK_OK 后，再发送带签名的同一请求。私钥从不离开客户端。',
  },
  'auth.pk.checks': { en: 'Looks the key up in authorized_keys, then verifies the signature with it.', zh: '在 authorized_keys 中查找这把公钥，然后用它验证签名。' },
  'auth.pk.replay': {
    en: 'The signed data starts with the session identifier H — unique to this connection. A recorded signature is useless in any other connection: a replay cannot work.',
    zh: '被签名的数据以会话标识 H 开头——它对这个连接是唯一的。录下来的签名在任何其他连接中都无效：重放攻击行不通。',
  },
  'auth.success': { en: 'success', zh: '成功' },
  'auth.failure': { en: 'failure', zh: '失败' },
  'auth.partial': { en: 'partial success', zh: '部分成功' },
  'auth.pk-ok': { en: 'key acceptable', zh: '公钥可接受' },
  'auth.attempt': { en: 'checking', zh: '检查中' },
  'auth.hidden': { en: '(hidden; encrypted on the wire)', zh: '（已隐藏；线路上是加密的）' },

  'hosts.title': { en: 'The files each side reads', zh: '双方读取的文件' },
  'hosts.client': { en: 'Client (alice’s laptop)', zh: '客户端（alice 的电脑）' },
  'hosts.server': { en: 'Server (server.example)', zh: '服务器（server.example）' },
  'hosts.client.browser': { en: 'Client (our engine in this browser)', zh: '客户端（本浏览器中的我们的引擎）' },
  'hosts.client.other': { en: 'Client', zh: '客户端' },
  'hosts.server.named': { en: 'Server ({name})', zh: '服务器（{name}）' },
  'hosts.server.classroom': { en: 'Server (the classroom server, our engine)', zh: '服务器（课堂服务器，我们的引擎）' },
  'hosts.server.other': { en: 'Server', zh: '服务器' },
  'hosts.notvisible': { en: 'Not visible from this recording: this file stays on its own machine.', zh: '这份记录中看不到：该文件只留在它所在的机器上。' },
  'hosts.known': { en: 'known_hosts line written after trust on first use', zh: '首次信任后写入的 known_hosts 行' },
  'hosts.hostkey': { en: 'host public key', zh: '主机公钥' },
  'hosts.authorized': { en: 'authorized_keys', zh: 'authorized_keys 文件' },
  'hosts.clientkey': { en: 'the client’s public key', zh: '客户端公钥' },
  'hosts.nokey': { en: 'Password login: the client uses no key file.', zh: '密码登录：客户端不使用密钥文件。' },
  'hosts.fingerprint': { en: 'Host key fingerprint the client was shown', zh: '客户端看到的主机密钥指纹' },
  'hosts.prompt': { en: 'What OpenSSH’s ssh asks the first time (trust on first use):', zh: 'OpenSSH 的 ssh 第一次连接时会问（首次使用即信任）：' },
  'hosts.randomart': { en: 'The same fingerprint as a picture (ssh -o VisualHostKey=yes): easier to compare by eye.', zh: '同一个指纹画成图（ssh -o VisualHostKey=yes）：更便于用眼睛比对。' },
  'hosts.reading': { en: 'being read now', zh: '正在读取' },
  'hosts.output': { en: 'Remote command output', zh: '远程命令输出' },

  'explain.title': { en: 'What is happening', zh: '正在发生什么' },
  'explain.look': { en: 'Look at', zh: '看一看' },
  'explain.engine': { en: 'Engine log', zh: '引擎日志' },
  'explain.side.client': { en: 'client', zh: '客户端' },
  'explain.side.server': { en: 'server', zh: '服务器' },
  'explain.empty': { en: 'Press → (or Next) to step through the connection.', zh: '按 →（或“下一步”）逐步查看连接过程。' },

  'help.title': { en: 'Keyboard shortcuts', zh: '键盘快捷键' },
  'help.next': { en: 'next step', zh: '下一步' },
  'help.prev': { en: 'previous step', zh: '上一步' },
  'help.nextPhase': { en: 'next phase', zh: '下一阶段' },
  'help.prevPhase': { en: 'previous phase', zh: '上一阶段' },
  'help.play': { en: 'play / pause', zh: '播放 / 暂停' },
  'help.packet': { en: 'next / previous packet', zh: '下一个 / 上一个数据包' },
  'help.home': { en: 'first / last step', zh: '第一步 / 最后一步' },
  'help.views': { en: 'switch view', zh: '切换视图' },
  'help.lang': { en: 'switch language', zh: '切换语言' },
  'help.theme': { en: 'light / dark', zh: '浅色 / 深色' },
  'help.projector': { en: 'projector mode', zh: '投影模式' },
  'help.help': { en: 'this help', zh: '显示本帮助' },
  'help.close': { en: 'Close', zh: '关闭' },
  'help.open': { en: 'open a lesson, file, real server or classroom', zh: '打开课程场景、文件、真实服务器或课堂实况' },
  'source.open': { en: 'Open…', zh: '打开…' },
  'source.open.label': { en: 'Choose what to watch: a lesson, a file, a real server or the classroom', zh: '选择要观看的内容：课程场景、文件、真实服务器或课堂实况' },
  'source.title': { en: 'What to watch', zh: '选择观看内容' },
  'source.simulation': { en: 'Simulation', zh: '模拟' },
  'source.back': { en: 'Back to the simulation', zh: '返回模拟' },
  'source.showing': { en: 'Showing: {what}', zh: '正在显示：{what}' },
} as const satisfies Record<string, Bilingual>;

export const STRINGS = { ...CORE_STRINGS, ...LESSON_STRINGS, ...OPEN_FILE_STRINGS, ...REAL_SERVER_STRINGS, ...CLASSROOM_STRINGS } as const satisfies Record<string, Bilingual>;

export type StringKey = keyof typeof STRINGS;

/**
 * Fills {name} placeholders, and {name|one|other} choices: `one` when the parameter is 1, `other`
 * otherwise (English plurals: '{n} {n|packet|packets}'; 简体中文 needs none).
 */
export function fill(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template
    .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (m, k: string, one: string, other: string) => (k in params ? (Number(params[k]) === 1 ? one : other) : m))
    .replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function translate(lang: Lang, key: StringKey, params?: Record<string, string | number>): string {
  const entry: Bilingual = STRINGS[key];
  return fill(entry[lang], params);
}

/** Picks one language of a bilingual text (used by explanations). */
export function pick(lang: Lang, text: Bilingual, params?: Record<string, string | number>): string {
  return fill(text[lang], params);
}
