// Files written by the real ssh-keygen (OpenSSH 9.2p1) and its printed output, used as
// independent truth by the unit tests in this folder. Not imported by production code.

export const ED25519_PRIVATE = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACAu8wnd5yGQ5Pt2wpck1m1j/7h9cv+6pnkMrgvgVkIGFQAAAJj/+Nhg//jY
YAAAAAtzc2gtZWQyNTUxOQAAACAu8wnd5yGQ5Pt2wpck1m1j/7h9cv+6pnkMrgvgVkIGFQ
AAAEDrYo5L1eB7Adz4onBcA4QKoZ+RUMeO9PULjpFW884vGy7zCd3nIZDk+3bClyTWbWP/
uH1y/7qmeQyuC+BWQgYVAAAAEGZpeHR1cmVAc3Noc2NvcGUBAgMEBQ==
-----END OPENSSH PRIVATE KEY-----
`;
export const ED25519_PUBLIC = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC7zCd3nIZDk+3bClyTWbWP/uH1y/7qmeQyuC+BWQgYV fixture@sshscope\n';
/** ssh-keygen -l -v -f ed.pub */
export const ED25519_LV = `256 SHA256:BpTE2M/ECcHQVattN1PYeayvAq/lrPgmlBgg3pUfc8k fixture@sshscope (ED25519)
+--[ED25519 256]--+
|    .O=B.+..     |
|  . o.O * E. o o |
| . o o.= +. . + o|
|  . . ..+o   . o |
|       oS.o + .  |
|      ..o... o . |
|       .   o.   .|
|        ...+o  . |
|        .++oo..  |
+----[SHA256]-----+`;
/** ssh-keygen -l -E md5 -f ed.pub */
export const ED25519_MD5_LINE = '256 MD5:97:1f:0b:6e:05:c9:fa:44:88:7d:a9:bb:56:cc:b1:01 fixture@sshscope (ED25519)';

export const ECDSA256_PUBLIC =
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNTrktQv1Se7Q+cXsv0O8e/U94UGiZKmPtGvlYoWdTOFqVmfgxrfkI+49TqKDewAd0h/PdMUZrJWekUeOua3Iik= ec@fixture\n';
export const ECDSA256_LV = `256 SHA256:QSOkH0b50ikxBueMkuo7l4k8nFb1j8Mu4A0U6rUlQD4 ec@fixture (ECDSA)
+---[ECDSA 256]---+
|..  .o=.o        |
|.. o B=o .       |
| E= +.==..       |
| o.= =o.+.       |
|o o = ooS        |
|.. =   .         |
|o.= * . o        |
| O.= o + .       |
|..+   o..        |
+----[SHA256]-----+`;

/** ssh-keygen -t ed25519 -N 'correct horse' -C enc@fixture (aes256-ctr, bcrypt, 16 rounds). */
export const ED25519_ENCRYPTED = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABBIZgOi22
s64xiMPUn254S+AAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAILNa3NTnMwH7YXj9
W+/1VObWbG3txO4uSaU0/jc4X40oAAAAkAUmUKSm5r9uPTGxYlX9eogWOZwcmP6vtLIO6+
MkSoFtTl0eoHNnvJzUBHI413GwZbS/9pLEkhWUqZ9cVBFTzvONdr/12kDGzYJlpG9k4fn2
rYl5/SeanyNXAaz9ZTDi8wUBvRz4XVgr57X89QWKpulZWnHw1Z0GkCWOIrGWdwJehVF0gO
qBxDd+BaC1jVkv+Q==
-----END OPENSSH PRIVATE KEY-----
`;
export const ED25519_ENCRYPTED_PASSPHRASE = 'correct horse';
export const ED25519_ENCRYPTED_PUBLIC = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILNa3NTnMwH7YXj9W+/1VObWbG3txO4uSaU0/jc4X40o enc@fixture\n';
