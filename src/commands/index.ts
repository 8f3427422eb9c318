// The explicit command table oclif loads from the bundle (package.json oclif.commands).
export const COMMANDS = {};
