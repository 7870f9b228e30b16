// The SHA256 fingerprint shown when a host key is checked (as ssh-keygen -l prints it).

export { fingerprintSha256 as fingerprintOf } from '../keys/fingerprint.ts';
