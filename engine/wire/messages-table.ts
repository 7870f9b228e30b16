// The SSH message table: every message once — id, RFC name, phase, fields in wire order with a
// one-line doc each, and the RFC section that defines it. messages.ts interprets it.
// Phases (DESIGN.md): 1 version, 2 negotiation and KEX, 3 authentication, 4 session request,
// 5 interactive session. Generic transport messages (1-4, 7) say 2; the connection overrides by context.

import type { Field, FieldType, MessageSpec, Part, Scope, Switch } from './messages-schema.ts';
import { MSG } from './message-ids.ts';
import type { BlobKind } from './messages-blobs.ts';

type Extra = Partial<Pick<Field, 'label' | 'when' | 'default'>>;

function field(name: string, type: FieldType, doc: string, extra: Extra = {}): Field {
  return { name, type, doc, ...extra };
}
const bool = (n: string, doc: string, x?: Extra) => field(n, { t: 'boolean' }, doc, x);
const u32 = (n: string, doc: string, x?: Extra) => field(n, { t: 'uint32' }, doc, x);
const mpint = (n: string, doc: string, x?: Extra) => field(n, { t: 'mpint' }, doc, x);
const text = (n: string, doc: string, x?: Extra) => field(n, { t: 'text' }, doc, x);
const textOrBytes = (n: string, doc: string, x?: Extra) => field(n, { t: 'text-or-bytes' }, doc, x);
const names = (n: string, doc: string, x?: Extra) => field(n, { t: 'name-list' }, doc, x);
const str = (n: string, doc: string, x?: Extra) => field(n, { t: 'string' }, doc, x);
const publicKey = (n: string, doc: string, x?: Extra) => field(n, { t: 'string', blob: 'public-key' }, doc, x);
const signature = (n: string, doc: string, x?: Extra) => field(n, { t: 'string', blob: 'signature' }, doc, x);
const rest = (n: string, doc: string) => field(n, { t: 'rest' }, doc, { default: () => new Uint8Array(0) });
const language = (doc = 'Language tag (RFC 3066) of the text before it; almost always empty.') => text('language', doc, { default: () => '' });

const recipientChannel = u32('recipientChannel', "The receiver's number for this channel (the sender channel it chose at open).");
const port = (n: string, doc: string) => u32(n, doc);

function spec(id: number, name: string, phase: MessageSpec['phase'], rfc: string, doc: string, parts: Part[] = [], ctx?: MessageSpec['ctx']): MessageSpec {
  const s: MessageSpec = { id, name, phase, rfc, doc, parts };
  if (ctx) s.ctx = ctx;
  return s;
}

// ---- reusable field groups -------------------------------------------------------------------

const kexReply = (f: Field): Part[] => [
  publicKey('hostKey', "The server's public host key K_S; the client checks it against known_hosts.", { label: 'K_S (server public host key)' }),
  f,
  signature('signature', "The server's signature over the exchange hash H, made with its host key.", { label: 'signature of H' }),
];

const ecdhInit = (doc: string, blob: BlobKind): Part[] => [field('qC', { t: 'string', blob }, doc, { label: 'Q_C (client ephemeral public key)' })];
const ecdhReply = (doc: string, blob: BlobKind): Part[] => kexReply(field('qS', { t: 'string', blob }, doc, { label: 'Q_S (server ephemeral public key)' }));

// ---- method- and type-specific parts ---------------------------------------------------------

/** RFC 4252 §5, §7, §8, §9; RFC 4256 §3.1. */
const userauthMethods: Switch = {
  switch: 'method',
  node: 'methodFields',
  cases: {
    none: { label: '"none" method', rfc: 'RFC 4252 §5.2', parts: [] },
    password: {
      label: '"password" method',
      rfc: 'RFC 4252 §8',
      parts: [
        bool('change', 'FALSE for a normal login; TRUE when the client sends a new password too.', { label: 'change password' }),
        text('password', 'The password in plaintext (UTF-8) — protected only by the transport encryption.', { label: 'plaintext password' }),
        text('newPassword', 'The new password the user chose (only when changing).', { label: 'new password', when: (m) => m.change === true }),
      ],
    },
    publickey: {
      label: '"publickey" method',
      rfc: 'RFC 4252 §7',
      parts: [
        bool('hasSignature', 'FALSE: only asks whether this key would be accepted; TRUE: the signature follows.', { label: 'has signature' }),
        text('algorithm', 'Public key algorithm, e.g. ssh-ed25519 or rsa-sha2-256.', { label: 'public key algorithm name' }),
        publicKey('publicKey', 'The public key blob being offered.', { label: 'public key blob' }),
        signature('signature', 'Signature over session id and this request, proving possession of the private key.', { when: (m) => m.hasSignature === true }),
      ],
    },
    hostbased: {
      label: '"hostbased" method',
      rfc: 'RFC 4252 §9',
      parts: [
        text('algorithm', 'Public key algorithm of the client host key.', { label: 'public key algorithm for host key' }),
        publicKey('publicKey', "The client host's public key (and certificates).", { label: 'public host key and certificates' }),
        text('clientHost', 'Fully qualified domain name of the client host.', { label: 'client host name' }),
        text('clientUser', 'The user name on the client host.', { label: 'user name on the client host' }),
        signature('signature', "Signature made with the client host's private key."),
      ],
    },
    'keyboard-interactive': {
      label: '"keyboard-interactive" method',
      rfc: 'RFC 4256 §3.1',
      parts: [
        language('Language tag (deprecated, usually empty).'),
        text('submethods', 'Comma-separated hints of the kind of prompts wanted, usually empty.'),
      ],
    },
  },
  fallback: { label: 'method-specific data', rfc: 'RFC 4252 §5', parts: [rest('methodData', 'Fields of an authentication method this inspector does not know.')] },
};

const tcpipForward: Part[] = [
  text('bindAddress', 'Address the server should listen on ("" means all, "localhost" means loopback).', { label: 'address to bind' }),
  port('bindPort', 'Port to listen on; 0 lets the server choose.'),
];

/** RFC 4254 §4, §7.1; OpenSSH PROTOCOL §2.5. */
const globalRequests: Switch = {
  switch: 'requestName',
  node: 'requestFields',
  cases: {
    'tcpip-forward': { label: '"tcpip-forward" request', rfc: 'RFC 4254 §7.1', parts: tcpipForward },
    'cancel-tcpip-forward': { label: '"cancel-tcpip-forward" request', rfc: 'RFC 4254 §7.1', parts: tcpipForward },
    'hostkeys-00@openssh.com': {
      label: '"hostkeys-00@openssh.com" request',
      rfc: 'OpenSSH PROTOCOL §2.5',
      parts: [field('hostKeys', { t: 'strings-to-end', itemLabel: 'host key', blob: 'public-key' }, 'All host keys of the server, so the client can learn new ones (key rotation).', { label: 'host keys' })],
    },
    'hostkeys-prove-00@openssh.com': {
      label: '"hostkeys-prove-00@openssh.com" request',
      rfc: 'OpenSSH PROTOCOL §2.5',
      parts: [field('hostKeys', { t: 'strings-to-end', itemLabel: 'host key', blob: 'public-key' }, 'Host keys the client asks the server to prove it holds.', { label: 'host keys' })],
    },
    'keepalive@openssh.com': { label: '"keepalive@openssh.com" request', rfc: 'OpenSSH PROTOCOL §2.2', parts: [] },
    'no-more-sessions@openssh.com': { label: '"no-more-sessions@openssh.com" request', rfc: 'OpenSSH PROTOCOL §2.2', parts: [] },
  },
  fallback: { label: 'request-specific data', rfc: 'RFC 4254 §4', parts: [rest('requestData', 'Data of a global request this inspector does not know.')] },
};

const originator: Part[] = [
  text('originatorAddress', 'IP address the connection came from.', { label: 'originator IP address' }),
  port('originatorPort', 'Port the connection came from.'),
];

/** RFC 4254 §5.1, §6.1, §6.3.2, §7.2. */
const channelTypes: Switch = {
  switch: 'channelType',
  node: 'typeFields',
  cases: {
    session: { label: '"session" channel', rfc: 'RFC 4254 §6.1', parts: [] },
    'direct-tcpip': {
      label: '"direct-tcpip" channel',
      rfc: 'RFC 4254 §7.2',
      parts: [
        text('hostToConnect', 'Host the server should connect to (local port forwarding, ssh -L).', { label: 'host to connect' }),
        port('portToConnect', 'Port the server should connect to.'),
        ...originator,
      ],
    },
    'forwarded-tcpip': {
      label: '"forwarded-tcpip" channel',
      rfc: 'RFC 4254 §7.2',
      parts: [
        text('connectedAddress', 'Address that was connected on the server (remote forwarding, ssh -R).', { label: 'address that was connected' }),
        port('connectedPort', 'Port that was connected.'),
        ...originator,
      ],
    },
    x11: { label: '"x11" channel', rfc: 'RFC 4254 §6.3.2', parts: originator },
  },
  fallback: { label: 'channel-type-specific data', rfc: 'RFC 4254 §5.1', parts: [rest('typeData', 'Data of a channel type this inspector does not know.')] },
};

const windowSize: Part[] = [
  u32('widthChars', 'Terminal width in characters.', { label: 'terminal width, columns' }),
  u32('heightRows', 'Terminal height in rows.', { label: 'terminal height, rows' }),
  u32('widthPixels', 'Terminal width in pixels (0 when unknown).', { label: 'terminal width, pixels' }),
  u32('heightPixels', 'Terminal height in pixels (0 when unknown).', { label: 'terminal height, pixels' }),
];

/** RFC 4254 §5.4, §6.2-§6.10; OpenSSH PROTOCOL §2.1, §2.3. */
const channelRequests: Switch = {
  switch: 'requestType',
  node: 'requestFields',
  cases: {
    'pty-req': {
      label: '"pty-req" request',
      rfc: 'RFC 4254 §6.2',
      parts: [
        text('term', 'TERM environment variable value, e.g. xterm-256color.', { label: 'TERM environment variable value' }),
        ...windowSize,
        field('modes', { t: 'string', blob: 'terminal-modes' }, 'Encoded terminal modes: opcode/value pairs ending with TTY_OP_END (RFC 4254 §8).', { label: 'encoded terminal modes' }),
      ],
    },
    'x11-req': {
      label: '"x11-req" request',
      rfc: 'RFC 4254 §6.3.1',
      parts: [
        bool('singleConnection', 'TRUE: forward only one X11 connection.', { label: 'single connection' }),
        text('authProtocol', 'X11 authentication protocol, e.g. MIT-MAGIC-COOKIE-1.', { label: 'x11 authentication protocol' }),
        text('authCookie', 'X11 authentication cookie (hex), usually a fake one.', { label: 'x11 authentication cookie' }),
        u32('screenNumber', 'X11 screen number.', { label: 'x11 screen number' }),
      ],
    },
    env: {
      label: '"env" request',
      rfc: 'RFC 4254 §6.4',
      parts: [
        text('variableName', 'Name of the environment variable to set, e.g. LANG.', { label: 'variable name' }),
        textOrBytes('value', 'Its value (text when valid UTF-8, otherwise raw bytes).', { label: 'variable value' }),
      ],
    },
    shell: { label: '"shell" request', rfc: 'RFC 4254 §6.5', parts: [] },
    exec: {
      label: '"exec" request',
      rfc: 'RFC 4254 §6.5',
      parts: [textOrBytes('command', 'The command line to run (text when valid UTF-8, otherwise raw bytes).')],
    },
    subsystem: {
      label: '"subsystem" request',
      rfc: 'RFC 4254 §6.5',
      parts: [text('subsystemName', 'Name of the subsystem to start, e.g. sftp.', { label: 'subsystem name' })],
    },
    'window-change': { label: '"window-change" request', rfc: 'RFC 4254 §6.7', parts: windowSize },
    'xon-xoff': {
      label: '"xon-xoff" request',
      rfc: 'RFC 4254 §6.8',
      parts: [bool('clientCanDo', 'TRUE: the client may do XON/XOFF (^S/^Q) flow control itself.', { label: 'client can do' })],
    },
    signal: {
      label: '"signal" request',
      rfc: 'RFC 4254 §6.9',
      parts: [text('signal', 'Signal name without "SIG", e.g. INT or TERM.', { label: 'signal name' })],
    },
    'exit-status': {
      label: '"exit-status" request',
      rfc: 'RFC 4254 §6.10',
      parts: [u32('exitStatus', 'Exit status of the command (0 means success).', { label: 'exit status' })],
    },
    'exit-signal': {
      label: '"exit-signal" request',
      rfc: 'RFC 4254 §6.10',
      parts: [
        text('signal', 'Signal that killed the command, without "SIG".', { label: 'signal name' }),
        bool('coreDumped', 'TRUE when a core dump was written.', { label: 'core dumped' }),
        text('errorMessage', 'Human-readable error message.', { label: 'error message' }),
        language(),
      ],
    },
    'auth-agent-req@openssh.com': { label: '"auth-agent-req@openssh.com" request', rfc: 'OpenSSH PROTOCOL.agent', parts: [] },
    'keepalive@openssh.com': { label: '"keepalive@openssh.com" request', rfc: 'OpenSSH PROTOCOL §2.2', parts: [] },
    'eow@openssh.com': { label: '"eow@openssh.com" request', rfc: 'OpenSSH PROTOCOL §2.1', parts: [] },
  },
  fallback: { label: 'request-specific data', rfc: 'RFC 4254 §5.4', parts: [rest('requestData', 'Data of a channel request this inspector does not know.')] },
};

const kexinitList = (n: string, label: string, doc: string, x: Extra = {}) => names(n, doc, { label, ...x });

// ---- the table -------------------------------------------------------------------------------

export const MESSAGES: readonly MessageSpec[] = [
  // RFC 4253 §11-12 transport layer generic
  spec(MSG.DISCONNECT, 'SSH_MSG_DISCONNECT', 2, 'RFC 4253 §11.1', 'Ends the connection immediately, with a reason code and a description.', [
    u32('reasonCode', 'Why the connection ends: one of the SSH_DISCONNECT_* codes of RFC 4253 §11.1.', { label: 'reason code' }),
    text('description', 'Human-readable explanation (UTF-8).'),
    language(),
  ]),
  spec(MSG.IGNORE, 'SSH_MSG_IGNORE', 2, 'RFC 4253 §11.2', 'Carries nothing meaningful; receivers must ignore it (used against traffic analysis).', [
    str('data', 'Arbitrary bytes, ignored by the receiver.'),
  ]),
  spec(MSG.UNIMPLEMENTED, 'SSH_MSG_UNIMPLEMENTED', 2, 'RFC 4253 §11.4', "Tells the peer that one of its messages was of a type we don't know.", [
    u32('sequenceNumber', 'Sequence number of the packet that was not understood.', { label: 'packet sequence number of rejected message' }),
  ]),
  spec(MSG.DEBUG, 'SSH_MSG_DEBUG', 2, 'RFC 4253 §11.3', 'A debugging message the peer may show.', [
    bool('alwaysDisplay', 'TRUE: show the message even when debugging is off.', { label: 'always_display' }),
    text('message', 'The debugging text (UTF-8).'),
    language(),
  ]),
  spec(MSG.SERVICE_REQUEST, 'SSH_MSG_SERVICE_REQUEST', 3, 'RFC 4253 §10', 'Asks for a service after key exchange, usually "ssh-userauth".', [
    text('serviceName', 'The service wanted: "ssh-userauth", later "ssh-connection".', { label: 'service name' }),
  ]),
  spec(MSG.SERVICE_ACCEPT, 'SSH_MSG_SERVICE_ACCEPT', 3, 'RFC 4253 §10', 'The server agrees to run the requested service.', [
    text('serviceName', 'The service accepted, repeated from the request.', { label: 'service name' }),
  ]),
  spec(MSG.EXT_INFO, 'SSH_MSG_EXT_INFO', 2, 'RFC 8308 §2.3', 'Extensions announced right after NEWKEYS, e.g. the signature algorithms the server accepts.', [
    field(
      'extensions',
      {
        t: 'list',
        itemLabel: 'extension',
        item: [
          text('name', 'Extension name, e.g. server-sig-algs.', { label: 'extension-name' }),
          field(
            'value',
            { t: 'string', blob: (s: Scope) => (s.name === 'server-sig-algs' ? 'name-list' : s.name === 'delay-compression' ? 'compression-lists' : 'text-or-bytes') },
            'Extension value; its format depends on the name (RFC 8308 §3).',
            { label: 'extension-value' },
          ),
        ],
      },
      'Name/value pairs, preceded by their count (uint32 nr-extensions).',
    ),
  ]),
  spec(MSG.NEWCOMPRESS, 'SSH_MSG_NEWCOMPRESS', 2, 'RFC 8308 §3.2', 'Compression (delay-compression extension) starts after this message.'),

  // RFC 4253 §7 algorithm negotiation
  spec(MSG.KEXINIT, 'SSH_MSG_KEXINIT', 2, 'RFC 4253 §7.1', 'Each side lists the algorithms it supports, most preferred first; the first client choice the server also has wins.', [
    field('cookie', { t: 'fixed', len: 16 }, '16 random bytes, so that neither side alone decides the exchange hash.'),
    kexinitList('kexAlgorithms', 'kex_algorithms', 'Key exchange methods, plus markers such as ext-info-c and kex-strict-*.'),
    kexinitList('serverHostKeyAlgorithms', 'server_host_key_algorithms', 'Host key / signature algorithms the server may prove its identity with.'),
    kexinitList('encryptionC2S', 'encryption_algorithms_client_to_server', 'Ciphers for client-to-server traffic.'),
    kexinitList('encryptionS2C', 'encryption_algorithms_server_to_client', 'Ciphers for server-to-client traffic.'),
    kexinitList('macC2S', 'mac_algorithms_client_to_server', 'MACs for client-to-server traffic (ignored with AEAD ciphers).'),
    kexinitList('macS2C', 'mac_algorithms_server_to_client', 'MACs for server-to-client traffic (ignored with AEAD ciphers).'),
    kexinitList('compressionC2S', 'compression_algorithms_client_to_server', 'Compression for client-to-server traffic, usually none.'),
    kexinitList('compressionS2C', 'compression_algorithms_server_to_client', 'Compression for server-to-client traffic, usually none.'),
    kexinitList('languagesC2S', 'languages_client_to_server', 'Language tags, almost always empty.', { default: () => [] }),
    kexinitList('languagesS2C', 'languages_server_to_client', 'Language tags, almost always empty.', { default: () => [] }),
    bool('firstKexPacketFollows', 'TRUE when a guessed key-exchange packet follows right away.', { label: 'first_kex_packet_follows', default: () => false }),
    u32('reserved', 'Reserved for future extension; always 0.', { default: () => 0 }),
  ]),
  spec(MSG.NEWKEYS, 'SSH_MSG_NEWKEYS', 2, 'RFC 4253 §7.3', 'From the next packet on, this direction uses the new keys.'),

  // 30-49 by key-exchange family
  spec(MSG.KEX_ECDH_INIT, 'SSH_MSG_KEX_ECDH_INIT', 2, 'RFC 5656 §4, RFC 8731 §3', "The client's ephemeral elliptic-curve public key.", ecdhInit("Client's ephemeral public key (32 bytes for X25519, an uncompressed point for NIST curves).", 'ecdh-public'), { kex: 'ecdh' }),
  spec(MSG.KEX_ECDH_REPLY, 'SSH_MSG_KEX_ECDH_REPLY', 2, 'RFC 5656 §4, RFC 8731 §3', "The server's host key, its ephemeral public key, and its signature over the exchange hash.", ecdhReply("Server's ephemeral public key.", 'ecdh-public'), { kex: 'ecdh' }),
  spec(MSG.KEX_HYBRID_INIT, 'SSH_MSG_KEX_HYBRID_INIT', 2, 'draft-ietf-sshm-mlkem-hybrid-kex §2, draft-josefsson-ntruprime-ssh §2', "The client's post-quantum public key followed by its X25519 public key.", ecdhInit('Client: post-quantum KEM public key (ML-KEM-768 or sntrup761) || X25519 public key.', 'hybrid-client'), { kex: 'hybrid' }),
  spec(MSG.KEX_HYBRID_REPLY, 'SSH_MSG_KEX_HYBRID_REPLY', 2, 'draft-ietf-sshm-mlkem-hybrid-kex §2, draft-josefsson-ntruprime-ssh §2', "The server's host key, KEM ciphertext plus X25519 public key, and signature.", ecdhReply('Server: KEM ciphertext for the client key || X25519 public key.', 'hybrid-server'), { kex: 'hybrid' }),
  spec(MSG.KEXDH_INIT, 'SSH_MSG_KEXDH_INIT', 2, 'RFC 4253 §8', "The client's Diffie-Hellman public value e = g^x mod p.", [mpint('e', 'e = g^x mod p, with x the client’s secret random exponent.')], { kex: 'dh' }),
  spec(MSG.KEXDH_REPLY, 'SSH_MSG_KEXDH_REPLY', 2, 'RFC 4253 §8', "The server's host key, its value f = g^y mod p, and its signature over H.", kexReply(mpint('f', 'f = g^y mod p, with y the server’s secret random exponent.')), { kex: 'dh' }),
  spec(MSG.KEX_DH_GEX_REQUEST_OLD, 'SSH_MSG_KEX_DH_GEX_REQUEST_OLD', 2, 'RFC 4419 §5', 'Old-style group request: only the preferred group size.', [u32('n', 'Preferred size in bits of the group the server should send.')], { kex: 'gex' }),
  spec(MSG.KEX_DH_GEX_GROUP, 'SSH_MSG_KEX_DH_GEX_GROUP', 2, 'RFC 4419 §3', 'The server sends the Diffie-Hellman group to use: prime p and generator g.', [
    mpint('p', 'Safe prime p of the group.'),
    mpint('g', 'Generator g of the subgroup.'),
  ], { kex: 'gex' }),
  spec(MSG.KEX_DH_GEX_INIT, 'SSH_MSG_KEX_DH_GEX_INIT', 2, 'RFC 4419 §3', "The client's value e = g^x mod p in the server's group.", [mpint('e', 'e = g^x mod p.')], { kex: 'gex' }),
  spec(MSG.KEX_DH_GEX_REPLY, 'SSH_MSG_KEX_DH_GEX_REPLY', 2, 'RFC 4419 §3', "The server's host key, its value f, and its signature over H.", kexReply(mpint('f', 'f = g^y mod p.')), { kex: 'gex' }),
  spec(MSG.KEX_DH_GEX_REQUEST, 'SSH_MSG_KEX_DH_GEX_REQUEST', 2, 'RFC 4419 §3', 'The client asks for a Diffie-Hellman group of a size between min and max.', [
    u32('min', 'Minimal acceptable group size in bits.'),
    u32('n', 'Preferred group size in bits.'),
    u32('max', 'Maximal acceptable group size in bits.'),
  ], { kex: 'gex' }),

  // RFC 4252 user authentication
  spec(MSG.USERAUTH_REQUEST, 'SSH_MSG_USERAUTH_REQUEST', 3, 'RFC 4252 §5', 'One authentication attempt: who, for which service, with which method.', [
    text('user', 'User name to log in as (UTF-8).', { label: 'user name' }),
    text('service', 'Service to start after authentication, normally "ssh-connection".', { label: 'service name' }),
    text('method', 'Authentication method: none, password, publickey, hostbased, keyboard-interactive.', { label: 'method name' }),
    userauthMethods,
  ]),
  spec(MSG.USERAUTH_FAILURE, 'SSH_MSG_USERAUTH_FAILURE', 3, 'RFC 4252 §5.1', 'The attempt failed (or was only a partial success); lists the methods that can continue.', [
    names('methods', 'Methods that may productively continue the authentication.', { label: 'authentications that can continue' }),
    bool('partialSuccess', 'TRUE: this method succeeded but more are required.', { label: 'partial success' }),
  ]),
  spec(MSG.USERAUTH_SUCCESS, 'SSH_MSG_USERAUTH_SUCCESS', 3, 'RFC 4252 §5.1', 'Authentication is complete; the requested service starts.'),
  spec(MSG.USERAUTH_BANNER, 'SSH_MSG_USERAUTH_BANNER', 3, 'RFC 4252 §5.4', 'Text the server wants shown before login (legal notices and the like).', [
    text('message', 'The banner text (UTF-8).'),
    language(),
  ]),
  spec(MSG.USERAUTH_PK_OK, 'SSH_MSG_USERAUTH_PK_OK', 3, 'RFC 4252 §7', 'The server would accept this public key: the client may now sign.', [
    text('algorithm', 'Public key algorithm, repeated from the query.', { label: 'public key algorithm name from the request' }),
    publicKey('publicKey', 'The public key blob, repeated from the query.', { label: 'public key blob from the request' }),
  ], { authMethod: 'publickey' }),
  spec(MSG.USERAUTH_PASSWD_CHANGEREQ, 'SSH_MSG_USERAUTH_PASSWD_CHANGEREQ', 3, 'RFC 4252 §8', 'The password has expired: the server asks the client to choose a new one.', [
    text('prompt', 'Text to show when asking for the new password.'),
    language(),
  ], { authMethod: 'password' }),
  spec(MSG.USERAUTH_INFO_REQUEST, 'SSH_MSG_USERAUTH_INFO_REQUEST', 3, 'RFC 4256 §3.2', 'Keyboard-interactive: the server sends prompts for the user to answer.', [
    // RFC 4256 calls this field "name"; `name` is taken by the message name, so it is `title` here.
    text('title', 'Title of the prompt window (may be empty).', { label: 'name' }),
    text('instruction', 'Instructions to show (may be empty).'),
    language('Language tag (deprecated, usually empty).'),
    field(
      'prompts',
      { t: 'list', itemLabel: 'prompt', item: [text('prompt', 'Text of the prompt, e.g. "Password: ".'), bool('echo', 'TRUE: echo what the user types; FALSE for secrets.')] },
      'Prompts, preceded by their count (uint32 num-prompts).',
    ),
  ], { authMethod: 'keyboard-interactive' }),
  spec(MSG.USERAUTH_INFO_RESPONSE, 'SSH_MSG_USERAUTH_INFO_RESPONSE', 3, 'RFC 4256 §3.4', "Keyboard-interactive: the user's answers, one per prompt.", [
    field('responses', { t: 'text-list', itemLabel: 'response' }, 'Answers in prompt order, preceded by their count (uint32 num-responses).'),
  ]),

  // RFC 4254 connection protocol
  spec(MSG.GLOBAL_REQUEST, 'SSH_MSG_GLOBAL_REQUEST', 5, 'RFC 4254 §4', 'A request about the whole connection, not one channel (port forwarding, keepalive, host keys).', [
    text('requestName', 'What is asked, e.g. tcpip-forward or keepalive@openssh.com.', { label: 'request name' }),
    bool('wantReply', 'TRUE: the peer must answer with REQUEST_SUCCESS or REQUEST_FAILURE.', { label: 'want reply' }),
    globalRequests,
  ]),
  spec(MSG.REQUEST_SUCCESS, 'SSH_MSG_REQUEST_SUCCESS', 5, 'RFC 4254 §4', 'The global request succeeded.', [
    rest('responseData', 'Request-specific answer, e.g. the port chosen for tcpip-forward with port 0; often empty.'),
  ]),
  spec(MSG.REQUEST_FAILURE, 'SSH_MSG_REQUEST_FAILURE', 5, 'RFC 4254 §4', 'The global request failed or is not supported.'),
  spec(MSG.CHANNEL_OPEN, 'SSH_MSG_CHANNEL_OPEN', 4, 'RFC 4254 §5.1', 'Opens a channel: a session, or a forwarded TCP connection.', [
    text('channelType', 'Kind of channel: session, direct-tcpip, forwarded-tcpip, x11.', { label: 'channel type' }),
    u32('senderChannel', "Sender's own number for this channel.", { label: 'sender channel' }),
    u32('initialWindowSize', 'How many bytes the peer may send before it must wait for a window adjust.', { label: 'initial window size' }),
    u32('maximumPacketSize', 'Largest data packet the sender accepts on this channel.', { label: 'maximum packet size' }),
    channelTypes,
  ]),
  spec(MSG.CHANNEL_OPEN_CONFIRMATION, 'SSH_MSG_CHANNEL_OPEN_CONFIRMATION', 4, 'RFC 4254 §5.1', 'The channel is open; both sides now know each other’s channel number.', [
    recipientChannel,
    u32('senderChannel', "The confirming side's own number for this channel.", { label: 'sender channel' }),
    u32('initialWindowSize', 'How many bytes the peer may send before it must wait for a window adjust.', { label: 'initial window size' }),
    u32('maximumPacketSize', 'Largest data packet the sender accepts on this channel.', { label: 'maximum packet size' }),
    rest('typeData', 'Channel-type-specific data, usually empty.'),
  ]),
  spec(MSG.CHANNEL_OPEN_FAILURE, 'SSH_MSG_CHANNEL_OPEN_FAILURE', 4, 'RFC 4254 §5.1', 'The channel could not be opened.', [
    recipientChannel,
    u32('reasonCode', 'Why: 1 administratively prohibited, 2 connect failed, 3 unknown channel type, 4 resource shortage.', { label: 'reason code' }),
    text('description', 'Human-readable explanation (UTF-8).'),
    language(),
  ]),
  spec(MSG.CHANNEL_WINDOW_ADJUST, 'SSH_MSG_CHANNEL_WINDOW_ADJUST', 5, 'RFC 4254 §5.2', 'Flow control: the receiver allows the sender this many more bytes.', [
    recipientChannel,
    u32('bytesToAdd', 'Bytes added to the window.', { label: 'bytes to add' }),
  ]),
  spec(MSG.CHANNEL_DATA, 'SSH_MSG_CHANNEL_DATA', 5, 'RFC 4254 §5.2', 'Data on a channel (stdin to the server, stdout to the client).', [
    recipientChannel,
    str('data', 'The data bytes; they count against the window.'),
  ]),
  spec(MSG.CHANNEL_EXTENDED_DATA, 'SSH_MSG_CHANNEL_EXTENDED_DATA', 5, 'RFC 4254 §5.2', 'Separate data stream on a channel: stderr.', [
    recipientChannel,
    u32('dataTypeCode', 'Which stream: 1 = SSH_EXTENDED_DATA_STDERR.', { label: 'data_type_code' }),
    str('data', 'The data bytes; they count against the window.'),
  ]),
  spec(MSG.CHANNEL_EOF, 'SSH_MSG_CHANNEL_EOF', 5, 'RFC 4254 §5.3', 'The sender will send no more data on this channel.', [recipientChannel]),
  spec(MSG.CHANNEL_CLOSE, 'SSH_MSG_CHANNEL_CLOSE', 5, 'RFC 4254 §5.3', 'The channel is closing; each side sends CLOSE once.', [recipientChannel]),
  spec(MSG.CHANNEL_REQUEST, 'SSH_MSG_CHANNEL_REQUEST', 4, 'RFC 4254 §5.4', 'A request on one channel: pty, shell, exec, env, window change, exit status…', [
    recipientChannel,
    text('requestType', 'What is asked, e.g. pty-req, shell, exec, exit-status.', { label: 'request type' }),
    bool('wantReply', 'TRUE: the peer must answer with CHANNEL_SUCCESS or CHANNEL_FAILURE.', { label: 'want reply' }),
    channelRequests,
  ]),
  spec(MSG.CHANNEL_SUCCESS, 'SSH_MSG_CHANNEL_SUCCESS', 4, 'RFC 4254 §5.4', 'The channel request succeeded.', [recipientChannel]),
  spec(MSG.CHANNEL_FAILURE, 'SSH_MSG_CHANNEL_FAILURE', 4, 'RFC 4254 §5.4', 'The channel request failed or is not supported.', [recipientChannel]),

  // OpenSSH PROTOCOL §1.9
  spec(MSG.PING, 'SSH_MSG_PING', 5, 'OpenSSH PROTOCOL §1.9', 'Transport-level ping (ping@openssh.com); the peer answers with PONG.', [str('data', 'Arbitrary bytes, echoed back in the PONG.')]),
  spec(MSG.PONG, 'SSH_MSG_PONG', 5, 'OpenSSH PROTOCOL §1.9', 'Answer to a PING, echoing its data.', [str('data', 'The data of the PING being answered.')]),
];
