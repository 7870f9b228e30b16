// Scenario 15: local port forwarding, ssh -L — a direct-tcpip channel (RFC 4254 §7.2) through a
// gateway to a small web service only the gateway can reach; then the two ways it can be refused
// (RFC 4254 §5.1 reason codes: CONNECT_FAILED, ADMINISTRATIVELY_PROHIBITED by sshd's PermitOpen).
import type { Scenario } from '../types.ts';

const laptop = { host: 'laptop', user: 'alice' };
const gateway = { host: 'gateway', user: 'alice' };
const REQUEST = 'GET / HTTP/1.0\r\nHost: intranet\r\n\r\n';

export const portForwarding: Scenario = {
  id: 'port-forwarding',
  title: { en: 'Port forwarding (ssh -L): a tunnel to a service behind the gateway', zh: '端口转发（ssh -L）：通往网关后面服务的隧道' },
  summary: {
    en: 'alice\'s laptop cannot reach the intranet web server, but the gateway can. `ssh -L 8080:intranet:80 gateway` makes ssh listen on the laptop\'s port 8080; each connection to it becomes a "direct-tcpip" channel inside the SSH connection, and the gateway\'s sshd opens the TCP connection to intranet:80 on its side. The gateway decides which destinations it allows.',
    zh: 'alice 的笔记本访问不到内网的 Web 服务器，但网关可以。`ssh -L 8080:intranet:80 gateway` 让 ssh 在笔记本的 8080 端口监听；每个连到该端口的连接都变成 SSH 连接里的一个 "direct-tcpip" 通道，由网关上的 sshd 在它那一侧建立到 intranet:80 的 TCP 连接。允许转发到哪些目的地，由网关决定。',
  },
  rfc: ['RFC 4254 §7.2', 'RFC 4254 §5.1', 'RFC 4254 §5.2', 'RFC 4254 §5.3', 'RFC 4254 §11'],
  seed: 'port-forwarding',
  hosts: [
    { name: 'laptop', users: [{ name: 'alice' }] },
    {
      name: 'gateway',
      permitOpen: ['intranet:80', 'intranet:81'],
      services: { 'intranet:80': { kind: 'http', body: 'Hello from the intranet wiki.\n' } },
      users: [{ name: 'alice', password: 'gw-pass' }],
    },
  ],
  steps: [
    {
      do: 'forward',
      from: laptop,
      to: gateway,
      localPort: 8080,
      target: { host: 'intranet', port: 80 },
      send: REQUEST,
      passwords: ['gw-pass'],
      highlight: ['SSH_MSG_CHANNEL_OPEN', 'SSH_MSG_CHANNEL_OPEN_CONFIRMATION', 'SSH_MSG_CHANNEL_DATA', 'SSH_MSG_CHANNEL_EOF', 'SSH_MSG_CHANNEL_CLOSE'],
      expect: 'success',
      narration: {
        en: 'alice runs `ssh -N -L 8080:intranet:80 alice@gateway` and a browser opens http://localhost:8080/. ssh sends SSH_MSG_CHANNEL_OPEN of type "direct-tcpip" with the host and port to connect (intranet, 80) and where the connection came from (127.0.0.1 and the browser\'s port) — RFC 4254 §7.2. The gateway connects intranet:80 and confirms. The HTTP request and the answer travel as CHANNEL_DATA (RFC 4254 §5.2), encrypted between laptop and gateway — but in clear between gateway and intranet. Then EOF and CLOSE, as for any channel (§5.3). No session, no shell: -N.',
        zh: 'alice 运行 `ssh -N -L 8080:intranet:80 alice@gateway`，浏览器打开 http://localhost:8080/。ssh 发送类型为 "direct-tcpip" 的 SSH_MSG_CHANNEL_OPEN，其中有要连接的主机和端口（intranet，80）以及连接来源（127.0.0.1 和浏览器的端口）——RFC 4254 §7.2。网关连接 intranet:80 并确认。HTTP 请求和响应作为 CHANNEL_DATA 传输（RFC 4254 §5.2），在笔记本与网关之间是加密的——但在网关与 intranet 之间是明文。然后像任何通道一样发送 EOF 和 CLOSE（§5.3）。没有会话，也没有 shell：这就是 -N。',
      },
    },
    {
      do: 'forward',
      from: laptop,
      to: gateway,
      localPort: 8081,
      target: { host: 'intranet', port: 81 },
      send: REQUEST,
      passwords: ['gw-pass'],
      highlight: ['SSH_MSG_CHANNEL_OPEN', 'SSH_MSG_CHANNEL_OPEN_FAILURE'],
      expect: 'failure',
      narration: {
        en: 'Port 81 is allowed by the gateway, but nothing listens there: the gateway\'s connect fails, and it answers SSH_MSG_CHANNEL_OPEN_FAILURE with reason 2, SSH_OPEN_CONNECT_FAILED (RFC 4254 §5.1). ssh prints "open failed: connect failed: Connection refused" and the browser\'s connection is closed; the SSH connection itself stays up.',
        zh: '网关允许 81 端口，但那里没有任何服务在监听：网关连接失败，回复原因码为 2（SSH_OPEN_CONNECT_FAILED）的 SSH_MSG_CHANNEL_OPEN_FAILURE（RFC 4254 §5.1）。ssh 打印 "open failed: connect failed: Connection refused"，浏览器的连接被关闭；SSH 连接本身仍然保持。',
      },
    },
    {
      do: 'forward',
      from: laptop,
      to: gateway,
      localPort: 5432,
      target: { host: 'db', port: 5432 },
      send: 'hello db\n',
      passwords: ['gw-pass'],
      highlight: ['SSH_MSG_CHANNEL_OPEN', 'SSH_MSG_CHANNEL_OPEN_FAILURE'],
      expect: 'failure',
      narration: {
        en: 'db:5432 is not on the gateway\'s list (sshd_config: PermitOpen intranet:80 intranet:81). The gateway does not even try: reason 1, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED. Forwarding turns an SSH account into a way through the firewall, which is why servers restrict it, and why RFC 4254 §11 recommends turning forwarding off when the host key changed without explanation.',
        zh: 'db:5432 不在网关的允许列表中（sshd_config：PermitOpen intranet:80 intranet:81）。网关连试都不试：原因码 1，SSH_OPEN_ADMINISTRATIVELY_PROHIBITED。端口转发会把一个 SSH 账号变成穿过防火墙的通道，所以服务器要限制它；RFC 4254 §11 也建议在主机密钥无故改变时关闭转发功能。',
      },
    },
  ],
};
