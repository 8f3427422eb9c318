import {X509Certificate, createPublicKey} from 'node:crypto';
import {mkdtemp, rm, stat, writeFile} from 'node:fs/promises';
import {createServer, connect, type Server} from 'node:tls';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {loadOrCreateCertificate} from '../../../daemon/remote/certificate.js';

let dir: string;
let server: Server | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsule-cert-'));
});

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = null;
  await rm(dir, {recursive: true, force: true});
});

describe('the daemon certificate', () => {
  it('is made once, private, valid and self-signed, and kept', async () => {
    const made = await loadOrCreateCertificate(join(dir, 'tls'), 'ops.example.com');
    expect((await stat(join(dir, 'tls'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'tls', 'daemon.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'tls', 'daemon.crt'))).mode & 0o777).toBe(0o600);
    const x509 = new X509Certificate(made.cert);
    expect(x509.subject).toBe('CN=ops.example.com');
    expect(x509.subjectAltName).toBe('DNS:ops.example.com');
    expect(x509.verify(createPublicKey(made.key))).toBe(true);
    expect(x509.ca).toBe(false);
    expect(Date.parse(x509.validTo)).toBeGreaterThan(Date.now() + 9 * 365 * 86_400_000);
    expect(made.fingerprint).toBe(x509.fingerprint256);
    expect((await loadOrCreateCertificate(join(dir, 'tls'), 'other')).fingerprint).toBe(made.fingerprint);
  });

  it('serves a TLS handshake whose peer certificate is the one pinned', async () => {
    const made = await loadOrCreateCertificate(dir, 'localhost');
    server = createServer({key: made.key, cert: made.cert}, (socket) => socket.end('hi'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const {port} = server.address() as {port: number};
    const seen = await new Promise<{fingerprint: string; protocol: string | null}>((resolve, reject) => {
      const socket = connect({host: '127.0.0.1', port, rejectUnauthorized: false}, () => {
        resolve({fingerprint: socket.getPeerCertificate().fingerprint256, protocol: socket.getProtocol()});
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(seen).toEqual({fingerprint: made.fingerprint, protocol: 'TLSv1.3'});
  });

  it('refuses a damaged pair, naming its files, instead of replacing what tokens pin', async () => {
    await loadOrCreateCertificate(dir, 'localhost');
    await writeFile(join(dir, 'daemon.crt'), 'not a certificate');
    await expect(loadOrCreateCertificate(dir, 'localhost')).rejects.toThrow(new RegExp(`cannot be used: .*${join(dir, 'daemon.crt')}`));
  });
});
