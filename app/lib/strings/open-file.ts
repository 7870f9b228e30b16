// UI strings of "Open a file": saved recordings (JSON) and captures (pcap/pcapng) with key logs.
import type { Bilingual } from '../i18n-types.ts';

export const OPEN_FILE_STRINGS = {
  'source.openFile': { en: 'Open a file', zh: '打开文件' },
  'open.intro': {
    en: 'Open a recording saved with “Export JSON”, or a capture (pcap / pcapng, e.g. from tcpdump or Wireshark) of an SSH connection. Add its SSH key log and the encrypted packets are decrypted.',
    zh: '打开用“导出 JSON”保存的录制，或一个 SSH 连接的抓包文件（pcap / pcapng，例如来自 tcpdump 或 Wireshark）。再加上它的 SSH 密钥日志，加密的数据包就能被解密。',
  },
  'open.choose': { en: 'Choose a file…', zh: '选择文件…' },
  'open.drop': { en: 'or drop it here — or anywhere on the page', zh: '或把文件拖到这里——拖到页面任何地方也可以' },
  'open.dropping': { en: 'Drop to open', zh: '松开即可打开' },
  'open.keylog': { en: 'SSH key log (optional)', zh: 'SSH 密钥日志（可选）' },
  'open.keylog.choose': { en: 'Choose a key log…', zh: '选择密钥日志…' },
  'open.keylog.hint': {
    en: 'Wireshark’s format: “<cookie> SHARED_SECRET <hex>” or “<cookie> PRIVATE_KEY <hex>” per line. A pcapng file may already carry it.',
    zh: 'Wireshark 的格式：每行一条“<cookie> SHARED_SECRET <十六进制>”或“<cookie> PRIVATE_KEY <十六进制>”。pcapng 文件里可能已经带有密钥日志。',
  },
  'open.keylog.chosen': { en: 'Key log: {name}', zh: '密钥日志：{name}' },
  'open.keylog.clear': { en: 'Remove the key log', zh: '移除密钥日志' },
  'open.reading': { en: 'Reading {name}…', zh: '正在读取 {name}…' },
  'open.stage.read': { en: 'reading the frames', zh: '读取帧' },
  'open.stage.tcp': { en: 'reassembling TCP', zh: '重组 TCP 数据流' },
  'open.stage.ssh': { en: 'decoding and decrypting SSH', zh: '解码并解密 SSH' },
  'open.cancel': { en: 'Cancel', zh: '取消' },
  'open.error': { en: 'Cannot open {name}: {why}', zh: '无法打开 {name}：{why}' },
  'open.none': { en: 'No SSH connection in {name} ({frames} {frames|frame|frames}).', zh: '{name} 中没有 SSH 连接（共 {frames} 帧）。' },
  'open.summary': { en: '{name}: {format}, {frames} {frames|frame|frames}, {n} SSH {n|connection|connections}', zh: '{name}：{format}，{frames} 帧，{n} 个 SSH 连接' },
  'open.pick': { en: 'Pick the connection to step through:', zh: '选择要逐步查看的连接：' },
  'open.stream.packets': { en: '{n} {n|packet|packets}', zh: '{n} 个数据包' },
  'open.stream.frame': { en: 'from frame {n}', zh: '从第 {n} 帧开始' },
  'open.stream.decrypted': { en: 'decrypted', zh: '已解密' },
  'open.stream.opaque': { en: '{n} {n|packet stays|packets stay} encrypted (no key)', zh: '{n} 个数据包仍是密文（没有密钥）' },
  'open.stream.open': { en: 'Open connection {n}', zh: '打开第 {n} 个连接' },
  'open.problems': { en: 'Problems found in the file', zh: '文件中发现的问题' },
  'open.frame': { en: 'Frame', zh: '帧' },
  'open.frame.n': { en: 'frame {n}', zh: '第 {n} 帧' },
  'open.time': { en: 'Captured at {time} UTC', zh: '抓取时间 {time}（UTC）' },
  'open.nokey': {
    en: 'Encrypted ({cipher}) with keys this capture does not reveal: only the ciphertext is known. Open the SSH key log of this connection (Open… → Open a file) and the packet is decrypted.',
    zh: '用本抓包文件没有透露的密钥加密（{cipher}）：只知道密文。打开这个连接的 SSH 密钥日志（打开… → 打开文件），数据包就会被解密。',
  },
  'export.pcapng': { en: 'Export pcapng', zh: '导出 pcapng' },
  'export.pcapng.label': { en: 'Save the session as a pcapng capture with its SSH key log (opens decrypted in Wireshark)', zh: '把会话保存为带 SSH 密钥日志的 pcapng 抓包文件（在 Wireshark 中可直接解密查看）' },
  // the visualizer's own views (Timeline, KdfView) — owned by the same engineer as this table
  'timeline.keys': { en: '↑/↓ move, Enter selects the step, scroll zooms, drag pans', zh: '↑/↓ 移动，Enter 选中该步，滚轮缩放，拖动平移' },
  'kdf.rounds': { en: 'Key exchange', zh: '密钥交换' },
  'kdf.round.initial': { en: '{n} · initial', zh: '{n} · 初次' },
  'kdf.round.rekey': { en: '{n} · rekey', zh: '{n} · 重新交换' },
  'kdf.round.note': {
    en: 'A rekey (RFC 4253 §9) runs a fresh key exchange: new K, new H, six new keys. session_id stays the H of the first exchange, so signatures stay bound to this connection.',
    zh: '重新交换密钥（RFC 4253 §9）会进行一次全新的密钥交换：新的 K、新的 H、六个新密钥。session_id 保持为第一次交换的 H，因此签名仍与本连接绑定。',
  },
} as const satisfies Record<string, Bilingual>;
