import {Box, Text} from 'ink';
import {formatDuration} from '../../src/lib/duration.js';
import type {ErrorPayload} from '../../src/lib/errors.js';
import {formatSize} from '../../src/lib/size.js';
import type {ConfigEntry, ServiceSummary} from '../../src/protocol/index.js';
import {SERVICE_GLYPHS, relativeTime, serviceCommand} from '../../src/render/items.js';
import {shownValue} from '../operations.js';
import {Tone} from '../theme.js';
import {Line, ScrollList} from './Lines.js';

export interface ServiceDetailsProps {
  service: ServiceSummary;
  config: ConfigEntry[] | null;
  configError: ErrorPayload | null;
  selected: number | null;
  width: number;
  height: number;
  now: number;
}

/** A service's state, health, pid, uptime, restarts, CPU/RSS, why it failed, its config (secrets masked) and its actions. */
export function ServiceDetails({service, config, configError, selected, width, height, now}: ServiceDetailsProps) {
  const [glyph, tone] = SERVICE_GLYPHS[service.state];
  const command = serviceCommand(service, now);
  const keyWidth = Math.min(24, Math.max(4, ...(config ?? []).map((entry) => entry.key.length)));
  const fixed = service.reason === null ? 6 : 7;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line width={width}>
        <Tone tone={tone}>{glyph}</Tone> {service.state}
        <Text dimColor> · restarts </Text>
        {service.restarts}
        <Text dimColor> · pid </Text>
        {service.pid ?? '–'}
        <Text dimColor> · up </Text>
        {service.uptimeMs === null ? '–' : formatDuration(service.uptimeMs)}
        <Text dimColor> · health </Text>
        {service.health ?? 'no check'}
      </Line>
      <Line width={width}>
        <Text dimColor>cpu </Text>
        {service.cpuPercent === null ? '–' : `${service.cpuPercent.toFixed(1)}%`}
        <Text dimColor> · rss </Text>
        {service.rssBytes === null ? '–' : formatSize(service.rssBytes)}
        <Text dimColor> · agent </Text>
        {service.agent ? 'connected' : 'none'}
        <Text dimColor>{service.lastExit ? ` · last exit ${service.lastExit.signal ?? service.lastExit.code} ${relativeTime(service.lastExit.at, now)}` : ''}</Text>
      </Line>
      <Line width={width}>
        <Text dimColor>{service.remote === null ? 'command ' : ''}</Text>
        {command}
      </Line>
      {service.reason === null ? null : (
        <Line width={width}>
          <Tone tone={tone}>{service.reason}</Tone>
        </Line>
      )}
      <Line width={width}>
        <Text dimColor>actions </Text>
        {service.actions.length ? service.actions.map((action) => action.name).join(' · ') : 'none'}
        <Text dimColor>{service.actions.length ? '  (a runs one)' : ''}</Text>
      </Line>
      <Line width={width} dim>
        {service.description ?? ''}
      </Line>
      <Line width={width} dim>{`Config${selected === null ? ' (Enter picks a value, e edits it)' : ' (e edits)'}`}</Line>
      {configError ? (
        <Line width={width}>{`  unavailable: ${configError.message}`}</Line>
      ) : config === null ? (
        <Line width={width} dim>{'  …'}</Line>
      ) : config.length === 0 ? (
        <Line width={width} dim>{'  no config keys declared'}</Line>
      ) : (
        <ScrollList
          items={config}
          selected={selected}
          height={height - fixed}
          render={(entry, _index, isSelected) => (
            <Line key={entry.key} width={width}>
              <Text inverse={isSelected}>
                {isSelected ? '›' : ' '}
                {entry.key.padEnd(keyWidth)} {shownValue(entry)}
                <Text dimColor>
                  {'  '}
                  {[entry.type, entry.secret ? 'secret' : '', entry.overridden ? 'set' : 'default'].filter(Boolean).join(' · ')}
                </Text>
              </Text>
            </Line>
          )}
        />
      )}
    </Box>
  );
}
