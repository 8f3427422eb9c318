import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {projectNamespace} from '../../client/targets.js';
import {SESSION_ISOLATIONS, type SessionSummary} from '../../protocol/index.js';
import {renderSessionOpened} from '../../render/sessions.js';

export default class SessionNew extends CapsuleCommand {
  static override summary = 'Open a code session: a persistent JavaScript/TypeScript namespace to execute snippets in.';
  static override description =
    'Prints the session id (alone on stdout; what was opened goes to stderr); run code in it with `capsule exec ID CODE` or `capsule session repl ID`. With --project the session works in that project\'s directory (imports resolve there) and, sandboxed, with its allowed_files and allowed_hosts. An idle session is closed after --idle-timeout.';
  static override examples = ['<%= config.bin %> session new', '<%= config.bin %> session new --project reports --isolation sandbox', '<%= config.bin %> session new --ram 1GB --cpu 30s --json'];
  static override flags = {
    project: Flags.string({char: 'p', description: 'The project the session works in: its namespace, or its directory (`.`, `./lab`).'}),
    isolation: Flags.string({options: [...SESSION_ISOLATIONS], default: 'process', description: 'process: a process of its own; sandbox: inside bubblewrap, like a sandboxed task.'}),
    ram: Flags.string({description: 'Heap cap and resident-size limit, e.g. 512MB (the default); past it the snippet ends with out_of_memory and the session is replaced.'}),
    cpu: Flags.string({description: 'CPU time one snippet may use, e.g. 30s (default: no limit).'}),
    'idle-timeout': Flags.string({description: 'Close the session after this long without a snippet (default: daemon.toml [sessions] idle_timeout, 15m).'}),
    'max-age': Flags.string({description: 'Close the session once it is this old and idle (default: daemon.toml [sessions] max_age, 24h).'}),
    ...autostartFlag,
  };

  async run(): Promise<SessionSummary> {
    const {flags} = await this.parse(SessionNew);
    const client = await this.daemon(flags.autostart);
    const session = await client.call('session.new', {
      isolation: flags.isolation as SessionSummary['isolation'],
      ...(flags.project === undefined ? {} : {project: await projectNamespace(client, flags.project)}),
      ...(flags.ram === undefined ? {} : {ram: flags.ram}),
      ...(flags.cpu === undefined ? {} : {cpu: flags.cpu}),
      ...(flags['idle-timeout'] === undefined ? {} : {idleTimeout: flags['idle-timeout']}),
      ...(flags['max-age'] === undefined ? {} : {maxAge: flags['max-age']}),
    });
    // The id alone on stdout, so `ID=$(capsule session new)` works; what it is, for the person, on stderr.
    this.log(session.id);
    this.logToStderr(renderSessionOpened(session));
    return session;
  }
}
