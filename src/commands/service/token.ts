import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {stringArg} from '../../cli/args.js';
import {parseDuration} from '../../lib/duration.js';
import type {ServiceToken} from '../../protocol/index.js';
import {resolveItemRef} from '../../client/targets.js';

export default class ServiceTokenCommand extends CapsuleCommand {
  static override summary = "Print a remote service's agent token (issued the first time).";
  static override description =
    'A remote service (`remote = true` in capsule.toml) runs on another machine; its agent connects to this daemon over TLS (daemon.toml `listen`) with this token, which names the daemon\'s address and pins its certificate. Give it to `agent({token})` or as CAPSULE_AGENT_TOKEN. --rotate issues a new one and --revoke leaves the service with none: either way the agent holding the old token is disconnected at once.';
  static override examples = [
    '<%= config.bin %> service token shop/edge',
    '<%= config.bin %> service token shop/edge --rotate --ttl 90d',
    '<%= config.bin %> service token shop/edge --revoke',
  ];
  static override args = {service: stringArg({required: true, description: 'NAMESPACE/SERVICE, or SERVICE in its project.'})};
  static override flags = {
    rotate: Flags.boolean({description: 'Issue a new token; the current one stops working.', exclusive: ['revoke']}),
    revoke: Flags.boolean({description: 'Revoke the token: its agent is disconnected and cannot connect again.', exclusive: ['rotate', 'ttl']}),
    ttl: Flags.string({description: 'How long a newly issued token is good for (e.g. 30d, 12h); without it, until rotated or revoked.'}),
    ...autostartFlag,
  };

  async run(): Promise<ServiceToken> {
    const {args, flags} = await this.parse(ServiceTokenCommand);
    const ttlMs = flags.ttl === undefined ? null : parseDuration(flags.ttl, '--ttl');
    const client = await this.daemon(flags.autostart);
    const result = await client.call('service.token', {...(await resolveItemRef(client, args.service, 'service')), rotate: flags.rotate, revoke: flags.revoke, ttlMs});
    if (result.revoked) this.log(`revoked the token of ${result.service}: its agent is disconnected`);
    else {
      // The token alone on stdout, so `$(capsule service token ns/svc)` is the token; the rest goes to stderr.
      this.log(result.token ?? '');
      const expiry = result.expiresAt === null ? 'does not expire' : `expires ${result.expiresAt}`;
      this.logToStderr(`${result.issued ? 'issued' : 'current'} token of ${result.service}: leads to ${result.address}, pins ${result.fingerprint}, ${expiry}`);
    }
    return result;
  }
}
