/**
 * `--help` for people: a command's usage line, arguments, options and sub-commands, wrapped to {@link HELP_WIDTH}
 * columns. citty's own renderUsage pads every line to the longest description, so one long description made every
 * line of `fmnist --help` over 200 columns wide.
 */
import type { ArgsDef, CommandDef } from 'citty';

/** No line of help is wider than this. */
export const HELP_WIDTH = 100;

/** Labels (e.g. `--data-dir=<DIR>`) up to this width share a line with their description; longer ones stand alone. */
const MAX_LABEL_WIDTH = 28;
const INDENT = '  ';
const GAP = '  ';

type AnyCommand = CommandDef<ArgsDef>;

/** citty's lazily given values (meta, args, sub-commands): a value, a promise, or a function returning either. */
export async function resolveValue<T>(value: T | (() => T | Promise<T>) | Promise<T>): Promise<T> {
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value;
}

/** Splits `text` into lines of at most `width` characters, breaking at spaces (a longer word gets a line of its own). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Two columns, label and description, the description wrapped to the remaining width. */
function renderTable(rows: [label: string, description: string][]): string[] {
  const labelWidth = Math.min(MAX_LABEL_WIDTH, Math.max(0, ...rows.map(([label]) => label.length)));
  const descriptionIndent = INDENT + ' '.repeat(labelWidth) + GAP;
  const descriptionWidth = HELP_WIDTH - descriptionIndent.length;
  const lines: string[] = [];
  for (const [label, description] of rows) {
    const wrapped = wrapText(description, descriptionWidth);
    if (label.length > labelWidth) {
      lines.push(`${INDENT}${label}`);
    } else {
      const first = wrapped.shift() ?? '';
      lines.push(`${INDENT}${label.padEnd(labelWidth)}${GAP}${first}`.trimEnd());
    }
    for (const rest of wrapped) lines.push(`${descriptionIndent}${rest}`);
  }
  return lines;
}

function valueHint(name: string, def: ArgsDef[string]): string {
  if (def.type === 'boolean' || def.type === 'positional') return '';
  const hint = 'valueHint' in def && def.valueHint ? def.valueHint : name.toUpperCase().replace(/-/g, '_');
  return `=<${hint}>`;
}

/**
 * The help of `command`, reached by `path` from `fmnist` (e.g. `['data', 'download']`): its description, usage,
 * positional arguments, options (with defaults and whether required) and sub-commands.
 */
export async function renderHelp(command: AnyCommand, path: string[], version: string): Promise<string> {
  const meta = (await resolveValue(command.meta)) ?? {};
  const args = ((await resolveValue(command.args)) ?? {}) as ArgsDef;
  const name = ['fmnist', ...path].join(' ');
  const positionals: [string, string][] = [];
  const options: [string, string][] = [];
  const usage = [name];
  for (const [argName, def] of Object.entries(args)) {
    if (def.type === 'positional') {
      const label = 'valueHint' in def && def.valueHint ? def.valueHint : argName.toUpperCase();
      positionals.push([label, def.description ?? '']);
      usage.push(def.required === false ? `[${label}]` : label);
      continue;
    }
    const label = `--${argName}${valueHint(argName, def)}`;
    const required = 'required' in def && def.required === true;
    const notes = [
      required ? '(required)' : '',
      'default' in def && def.default !== undefined ? `(default: ${String(def.default)})` : '',
    ];
    options.push([label, [def.description ?? '', ...notes].filter(Boolean).join(' ')]);
    if (required) usage.splice(1, 0, label);
  }
  const subCommands = await resolveValue(command.subCommands);
  const commands: [string, string][] = [];
  for (const [subName, sub] of Object.entries(subCommands ?? {})) {
    const subMeta = await resolveValue((await resolveValue(sub)).meta);
    if (!subMeta?.hidden) commands.push([subName, subMeta?.description ?? '']);
  }
  if (options.length > 0) usage.splice(1, 0, '[OPTIONS]');
  if (commands.length > 0) usage.push('<COMMAND>');

  const lines = [...wrapText(`${meta.description ?? ''} (${name} v${version})`, HELP_WIDTH), ''];
  lines.push(...wrapText(`USAGE ${usage.join(' ')}`, HELP_WIDTH), '');
  for (const [title, rows] of [
    ['ARGUMENTS', positionals],
    ['OPTIONS', options],
    ['COMMANDS', commands],
  ] as const) {
    if (rows.length > 0) lines.push(title, '', ...renderTable(rows), '');
  }
  if (commands.length > 0) lines.push(`Use ${name} <COMMAND> --help for more about a command.`);
  return lines.join('\n').trimEnd();
}
