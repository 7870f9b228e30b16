// Scenario 10: exec vs shell, pty vs no pty (RFC 4254 §6.2 pty-req, §6.5 shell/exec, §6.10
// exit-status); what ssh(1) asks for with and without a command, -t and -T; escape characters.
import type { Scenario } from '../types.ts';

const account = { from: { host: 'laptop', user: 'alice' }, to: { host: 'server', user: 'alice' } };
const PASSWORD = 'tea for two';
/** "hello", Enter (CR, as a terminal sends it), Ctrl-C, then a line with the escape sequence ~. */
const KEYS = 'hello\r\x03more\n~.\n';

export const execVsShell: Scenario = {
  id: 'exec-vs-shell',
  title: { en: 'exec vs shell, pty vs no pty', zh: 'exec 与 shell，有 pty 与无 pty' },
  summary: {
    en: 'The same login four ways: `ssh server cmd`, `ssh server`, `ssh -T server` and `ssh -t server cmd`. Which channel requests ssh sends, where the exit status comes from, what a pty does to the bytes, and why escape characters never reach the server.',
    zh: '同一个登录的四种方式：`ssh server cmd`、`ssh server`、`ssh -T server` 和 `ssh -t server cmd`。ssh 发送了哪些通道请求、退出码从哪里来、pty 对字节做了什么，以及为什么转义字符永远不会到达服务器。',
  },
  rfc: ['RFC 4254 §6.1', 'RFC 4254 §6.2', 'RFC 4254 §6.5', 'RFC 4254 §6.10', 'RFC 4254 §5.2'],
  seed: 'exec-vs-shell',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    { name: 'server', users: [{ name: 'alice', password: PASSWORD }], virtualShell: true },
  ],
  steps: [
    {
      do: 'note',
      narration: {
        en: 'After authentication the client opens a "session" channel (RFC 4254 §6.1) and sends CHANNEL_REQUESTs on it. "pty-req" (§6.2) asks the server for a pseudo-terminal: a terminal type, a size and terminal modes. Then exactly one of "exec" (run this command line) or "shell" (start the user\'s login shell), §6.5. ssh(1) decides: with a command it sends exec and no pty; without a command it sends shell, with a pty when its own standard input is a terminal. -t forces a pty, -T refuses one.',
        zh: '认证之后，客户端打开一个 "session" 通道（RFC 4254 §6.1），并在其上发送 CHANNEL_REQUEST。"pty-req"（§6.2）请求服务器分配一个伪终端：终端类型、窗口大小和终端模式。然后发送 "exec"（执行这条命令行）或 "shell"（启动用户的登录 shell）二者之一，§6.5。由 ssh(1) 决定：带命令时发送 exec 且不要 pty；不带命令时发送 shell，并且当它自己的标准输入是终端时请求 pty。-t 强制请求 pty，-T 不要 pty。',
      },
    },
    {
      do: 'connect',
      ...account,
      command: 'echo hello; exit 3',
      passwords: [PASSWORD],
      expect: 'success',
      highlight: ['SSH_MSG_CHANNEL_OPEN', 'SSH_MSG_CHANNEL_REQUEST', 'SSH_MSG_CHANNEL_DATA', 'SSH_MSG_CHANNEL_EOF', 'SSH_MSG_CHANNEL_CLOSE'],
      narration: {
        en: '`ssh alice@server \'echo hello; exit 3\'`: one CHANNEL_REQUEST "exec" carrying the command line as a string, no pty-req. The server\'s shell runs the line, sends "hello\\n" as CHANNEL_DATA, then a CHANNEL_REQUEST "exit-status" with the value 3 (§6.10), EOF and CLOSE. ssh exits with that same status, 3, which is how scripts see a remote failure.',
        zh: '`ssh alice@server \'echo hello; exit 3\'`：只有一个 CHANNEL_REQUEST "exec"，命令行作为字符串放在其中，没有 pty-req。服务器的 shell 执行这行命令，用 CHANNEL_DATA 发回 "hello\\n"，再发送值为 3 的 CHANNEL_REQUEST "exit-status"（§6.10），然后是 EOF 和 CLOSE。ssh 以同样的状态码 3 退出，脚本正是这样得知远程命令失败的。',
      },
    },
    {
      do: 'connect',
      ...account,
      shell: true,
      tty: true,
      stdin: 'echo hi\rexit\r',
      passwords: [PASSWORD],
      expect: 'success',
      highlight: ['SSH_MSG_CHANNEL_REQUEST', 'SSH_MSG_CHANNEL_DATA'],
      narration: {
        en: '`ssh alice@server` typed at a terminal: "pty-req" (term xterm-256color, 80×24, modes), then "shell". Everything alice types goes out as CHANNEL_DATA, one packet per keystroke in a real session, Enter as CR. The server\'s terminal does the rest: it echoes each character back, turns CR into a newline for the shell and every "\\n" of the output into "\\r\\n", and prints a prompt. "exit" ends the shell; its status 0 comes back as exit-status.',
        zh: '在终端里输入 `ssh alice@server`：先发 "pty-req"（终端类型 xterm-256color、80×24、终端模式），再发 "shell"。alice 输入的一切都作为 CHANNEL_DATA 发出，真实会话中每次按键一个数据包，回车键发送 CR。剩下的由服务器端的终端完成：回显每个字符、把 CR 变成 shell 读到的换行、把输出中的每个 "\\n" 变成 "\\r\\n"，并打印提示符。"exit" 结束 shell，其状态 0 以 exit-status 返回。',
      },
    },
    {
      do: 'connect',
      ...account,
      shell: true,
      stdin: 'echo hi\nwhoami\n',
      passwords: [PASSWORD],
      expect: 'success',
      highlight: ['SSH_MSG_CHANNEL_REQUEST', 'SSH_MSG_CHANNEL_EOF'],
      narration: {
        en: '`ssh -T alice@server` (or any shell login whose input is a pipe): "shell" without "pty-req". The shell reads plain lines: no prompt, no echo, "\\n" stays "\\n". When ssh reaches the end of its input it sends CHANNEL_EOF, the shell sees end of file and exits with status 0.',
        zh: '`ssh -T alice@server`（或输入来自管道的任何 shell 登录）：发送 "shell"，但不发 "pty-req"。shell 读到的是普通的行：没有提示符，没有回显，"\\n" 仍是 "\\n"。ssh 读完输入后发送 CHANNEL_EOF，shell 读到文件结尾，以状态 0 退出。',
      },
    },
    {
      do: 'connect',
      ...account,
      command: 'cat',
      tty: true,
      stdin: KEYS,
      passwords: [PASSWORD],
      expect: 'success',
      highlight: ['SSH_MSG_CHANNEL_REQUEST', 'SSH_MSG_CHANNEL_DATA'],
      narration: {
        en: '`ssh -t alice@server cat`, then alice types "hello", Enter, Ctrl-C. With a pty the bytes are keystrokes, not data: the terminal echoes "hello", turns CR into a newline (cat prints the line back, so it appears twice, with "\\r\\n"), and the byte 0x03 is not delivered at all: the terminal turns it into SIGINT and cat dies. Nothing after it arrives. Our pretend shell reports exit status 130 (128 + 2, as a shell does for a child killed by SIGINT); a real sshd whose command itself was killed sends "exit-signal" with the signal name "INT" instead (RFC 4254 §6.10).',
        zh: '`ssh -t alice@server cat`，然后 alice 输入 "hello"、回车、Ctrl-C。有了 pty，这些字节是按键而不是数据：终端回显 "hello"，把 CR 变成换行（cat 把这一行原样输出，所以它出现两次，以 "\\r\\n" 结尾），而字节 0x03 根本没有交给 cat：终端把它变成 SIGINT，cat 被终止。之后的内容都没有送达。我们的模拟 shell 报告退出码 130（128 + 2，shell 对被 SIGINT 终止的子进程就是这样报告的）；而真实的 sshd 在命令本身被终止时，会改为发送带信号名 "INT" 的 "exit-signal"（RFC 4254 §6.10）。',
      },
    },
    {
      do: 'connect',
      ...account,
      command: 'cat',
      stdin: KEYS,
      passwords: [PASSWORD],
      expect: 'success',
      highlight: ['SSH_MSG_CHANNEL_DATA', 'SSH_MSG_CHANNEL_EOF'],
      narration: {
        en: 'The same bytes piped into `ssh alice@server cat` (no pty): they travel as CHANNEL_DATA and come back exactly as sent, 0x0d, 0x03 and the line "~." included; cat ends at EOF with status 0. Without a pty the channel is binary-transparent, which is why `tar c . | ssh host \'tar x\'` and scp/sftp work, and why you should not add -t to such commands.',
        zh: '把同样的字节通过管道送入 `ssh alice@server cat`（无 pty）：它们作为 CHANNEL_DATA 传输，并原样返回，包括 0x0d、0x03 和 "~." 这一行；cat 在 EOF 时以状态 0 结束。没有 pty 时通道对二进制数据是透明的，所以 `tar c . | ssh host \'tar x\'` 以及 scp/sftp 能够工作，也所以不要给这类命令加 -t。',
      },
    },
    {
      do: 'note',
      narration: {
        en: 'Escape characters are not part of the protocol. ssh(1) watches what you type for "~" at the start of a line: "~." closes the connection, "~?" lists the others, "~~" sends one "~". They are handled by the client and never sent. OpenSSH turns them on only when it asked for a pty, which is why the "~." line above went to cat unchanged; `-e none` turns them off even with a pty. The exit status travels only as "exit-status" (or "exit-signal"): closing the channel alone says nothing about success.',
        zh: '转义字符不属于协议本身。ssh(1) 会检查你在行首输入的 "~"："~." 关闭连接，"~?" 列出其他转义，"~~" 发送一个 "~"。它们由客户端处理，从不发给服务器。OpenSSH 只有在请求了 pty 时才启用转义字符，所以上面的 "~." 这一行原样到达了 cat；`-e none` 即使有 pty 也能关闭转义。退出码只通过 "exit-status"（或 "exit-signal"）传递：仅仅关闭通道并不能说明命令是否成功。',
      },
    },
  ],
};
