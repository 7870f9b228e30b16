// Reading captures (pcap / pcapng), TCP reassembly, SSH decoding and decryption with a key log.

export { analyzeCapture, type CaptureAnalysis, type AnalyzeOptions } from './analyze.ts';
export { readCaptureFile } from './capture-file.ts';
export { readPcap, isPcap } from './pcap.ts';
export { readPcapng, isPcapng } from './pcapng.ts';
export { CaptureError, type CaptureProblem } from './errors.ts';
export { LINKTYPE, SSH_KEYLOG_SECRETS, type Frame, type CaptureFile, type DecryptionSecrets } from './frames.ts';
export { tcpSegmentOf, type TcpSegment } from './tcp-segment.ts';
export { reassemble, Reassembler, endpointText, type Endpoint, type TcpConnection, type DirectionStream, type StreamChunk, type StreamGap } from './tcp-reassembly.ts';
export { parseKeylog, mergeKeylogs, type Keylog, type KeylogSecret } from './keylog.ts';
export { decodeSshConnection, looksLikeSsh, type DecodeOptions, type SshStream, type GapReport, type CapturedPacket, type KexinitSummary, type KexRoundSummary, type Dir } from './ssh-stream.ts';
export { roundKeys, kexFamily, type KexTranscript, type RoundKeys } from './kex-round.ts';
export { inspectJson, inspectText, streamJson, keyFields, type InspectJson, type InspectStreamJson, type InspectPacketJson, type InspectKexinitJson, type InspectGapJson } from './report.ts';
export { writeSessionPcapng, ipBytes, MAX_SEGMENT, type SessionPcapngInput, type SessionChunk, type PcapngEndpointInput } from './pcapng-writer.ts';
export { findPlainBoundary, findKeyedBoundary, openerAt, cipherMode, type KeyedDirection, type KeyedHit, type KeyedSearch } from './resync.ts';
export { SessionRecorder, type TappableConnection } from './session-recorder.ts';
