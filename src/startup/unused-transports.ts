// node-ipc imports `tls` and `dgram` for TLS and UDP transports Capsule never uses (it speaks
// over a unix socket). node:tls pulls in node:crypto, which costs a short command several
// milliseconds, and both cost the daemon resident memory. The build points node-ipc's
// imports of either here instead.
const unused = (): never => {
  throw new Error('capsule uses node-ipc over a unix socket only, never TLS or UDP');
};

export default {connect: unused, createServer: unused, createSocket: unused};
