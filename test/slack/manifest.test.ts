import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

interface Manifest {
  features: { slash_commands: { command: string; usage_hint?: string }[]; app_home: { home_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean; event_subscriptions: { bot_events: string[] } };
}

/** The bot scope each Web API method the code calls needs. */
const SCOPE_OF: Record<string, string> = {
  'chat.postMessage': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.update': 'chat:write',
  filesUploadV2: 'files:write',
  'usergroups.users.list': 'usergroups:read',
  'views.publish': '',
  'views.open': '',
  'auth.test': '',
  // Called with the app-level token (its connections:write scope), not the bot token.
  'apps.connections.open': '',
};

/** Every source file that may call Slack: the app, its commands, and the digest that posts on its own (the AWS side is left out). */
async function sources(): Promise<string> {
  const files = [
    ...(await readdir('src', { recursive: true })).filter((f) => !/^(aws|audit|store)\//.test(f)).map((f) => path.join('src', f)),
    ...(await readdir('commands', { recursive: true })).map((f) => path.join('commands', f)),
  ].filter((f) => f.endsWith('.ts'));
  return (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
}

describe('manifest.yml', () => {
  it('declares the command the code registers, interactivity, the Home tab and Socket Mode', async () => {
    const manifest = parse(await readFile('manifest.yml', 'utf8')) as Manifest;
    const code = await sources();
    const registered = [...code.matchAll(/app\.command\('([^']+)'/g)].map((m) => m[1]);
    expect(registered.length).toBeGreaterThan(0);
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(registered);
    expect(manifest.features.slash_commands[0]!.usage_hint).toMatch(/list/);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    const events = [...code.matchAll(/app\.event\('([^']+)'/g)].map((m) => m[1]);
    expect(events).toContain('app_home_opened');
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...events].sort());
  });

  it('asks for exactly the bot scopes the code needs', async () => {
    const manifest = parse(await readFile('manifest.yml', 'utf8')) as Manifest;
    const code = await sources();
    const called = new Set([...code.matchAll(/client\.((?:[a-zA-Z0-9]+\.)*[a-zA-Z0-9]+)\(/g)].map((m) => m[1]!));
    const unknown = [...called].filter((m) => !(m in SCOPE_OF));
    expect(unknown, 'add the scope of these methods to SCOPE_OF').toEqual([]);
    const needed = new Set(['commands', ...[...called].map((m) => SCOPE_OF[m]!).filter(Boolean)]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });
});
