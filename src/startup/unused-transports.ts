// node-ipc imports `tls` for a TLS transport Capsule never uses (it speaks over a unix socket).
// node:tls pulls in node:crypto, which costs a short command several milliseconds and the
// daemon resident memory, so the build points node-ipc's imports of it here instead. (Its
// import of `dgram` is left alone: node:child_process loads dgram in every Capsule process anyway.)
const unused = (): never => {
  throw new Error('capsule uses node-ipc over a unix socket only, never TLS');
};

export default {connect: unused, createServer: unused};
