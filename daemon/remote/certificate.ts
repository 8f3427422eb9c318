/**
 * The daemon's TLS certificate for remote agents: self-signed, ECDSA P-256, made at the first
 * start and kept (mode 0600) so every token's pin stays good. Node can sign but not build a
 * certificate, so the few DER structures an X.509 v3 certificate needs are encoded here rather
 * than pulling in an ASN.1 library or shelling out to openssl.
 */
import {createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate} from 'node:crypto';
import {mkdir, open, readFile, rename} from 'node:fs/promises';
import {join} from 'node:path';
import {CapsuleError} from '../../src/lib/errors.js';
import {PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, syncDirectory} from '../core/private-file.js';

export interface DaemonCertificate {
  /** PEM, PKCS#8. */
  key: string;
  /** PEM. */
  cert: string;
  /** As X509Certificate.fingerprint256 gives it: "AB:CD:…". */
  fingerprint: string;
}

const VALID_YEARS = 10;

/** Reads `dir/daemon.key` and `dir/daemon.crt`, or makes them the first time. */
export async function loadOrCreateCertificate(dir: string, commonName: string): Promise<DaemonCertificate> {
  const keyFile = join(dir, 'daemon.key');
  const certFile = join(dir, 'daemon.crt');
  const existing = await readPair(keyFile, certFile);
  if (existing) return existing;
  await mkdir(dir, {recursive: true, mode: PRIVATE_DIR_MODE});
  const made = makeSelfSigned(commonName, Date.now());
  // Key first: a crash between the two leaves a key without a certificate, which is made again.
  await writePrivate(keyFile, made.key);
  await writePrivate(certFile, made.cert);
  await syncDirectory(dir);
  return made;
}

async function readPair(keyFile: string, certFile: string): Promise<DaemonCertificate | null> {
  let key: string;
  let cert: string;
  try {
    [key, cert] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const hint = `delete ${keyFile} and ${certFile} to have new ones made at the next start; every remote token must then be printed again (\`capsule service token\`)`;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('the key is not the certificate\'s');
  } catch (error) {
    throw new CapsuleError('internal', `the daemon's TLS certificate cannot be used: ${(error as Error).message} (${certFile}, ${keyFile})`, {hint, cause: error});
  }
  return {key, cert, fingerprint: x509.fingerprint256};
}

async function writePrivate(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp`;
  const handle = await open(temp, 'w', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

export function makeSelfSigned(commonName: string, now: number): DaemonCertificate {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'});
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8String(commonName.slice(0, 64) || 'capsule'))));
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    name,
    sequence(time(new Date(now - 3_600_000)), time(new Date(now + VALID_YEARS * 365.25 * 86_400_000))),
    name,
    publicKey.export({type: 'spki', format: 'der'}),
    explicit(
      3,
      sequence(
        // basicConstraints: not a CA (critical).
        sequence(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), octetString(sequence())),
        // subjectAltName: dNSName, so tools that insist on one find it.
        sequence(oid('2.5.29.17'), octetString(sequence(tlv(0x82, Buffer.from(commonName || 'capsule', 'ascii'))))),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, ecdsaWithSha256, bitString(signature));
  const cert = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  return {key: privateKey.export({type: 'pkcs8', format: 'pem'}) as string, cert, fingerprint: new X509Certificate(cert).fingerprint256};
}

// DER, as little of it as a certificate needs.

function tlv(tag: number, value: Buffer): Buffer {
  const length = value.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), value]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), value]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

function explicit(tag: number, item: Buffer): Buffer {
  return tlv(0xa0 | tag, item);
}

/** An unsigned big-endian integer: a leading 0 keeps a high first bit from reading as negative. */
function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1]! < 0x80) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const piece = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) piece.unshift((value & 0x7f) | 0x80);
    bytes.push(...piece);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'));
}

function octetString(value: Buffer): Buffer {
  return tlv(0x04, value);
}

function bitString(value: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), value]));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}
