// node-ipc imports `tls` for a TLS transport Capsule never uses (it speaks over a unix socket);
// loading node:tls pulls in node:crypto and costs a short command several milliseconds. The
// build points node-ipc's import here instead.
const unused = (): never => {
  throw new Error('capsule does not use node-ipc over TLS');
};

export default {connect: unused, createServer: unused};
