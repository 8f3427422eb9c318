// Placeholder until the network shims land (sandbox-net branch).
export function installSandboxNetwork(socketPath: string): void {
  void socketPath;
}
