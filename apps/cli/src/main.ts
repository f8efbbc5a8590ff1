/** Entry of the `fmnist` binary: registers the commands, rejects unknown flags, and maps errors to exit codes. */
import { type ArgsDef, type CommandDef, defineCommand, runCommand } from 'citty';
import { version } from '../package.json';
import { exitCodeFor, formatError, UsageError } from './errors.js';
import { renderHelp, resolveValue } from './usage.js';

// Each command lives in its own file; add one line here per command.
const subCommands = {
  data: () => import('./commands/data.js').then((m) => m.default),
  compare: () => import('./commands/compare.js').then((m) => m.default),
  predict: () => import('./commands/predict.js').then((m) => m.default),
  report: () => import('./commands/report.js').then((m) => m.default),
  train: () => import('./commands/train.js').then((m) => m.default),
  eval: () => import('./commands/eval.js').then((m) => m.default),
  export: () => import('./commands/export.js').then((m) => m.default),
  bench: () => import('./commands/bench.js').then((m) => m.default),
};

const main = defineCommand({
  meta: {
    name: 'fmnist',
    version,
    description: 'FashionMNIST in JavaScript: data, models and the linear-versus-CNN study',
  },
  subCommands,
});

type AnyCommand = CommandDef<ArgsDef>;

/** Walks the sub-commands named on the command line; returns the leaf command and the path to it. */
async function findLeaf(rawArgs: string[]): Promise<{ command: AnyCommand; path: string[] }> {
  let command = main as AnyCommand;
  const path: string[] = [];
  for (const arg of rawArgs) {
    if (arg.startsWith('-')) break;
    const children = await resolveValue(command.subCommands);
    if (!children) break;
    const child = children[arg];
    if (!child) {
      const names = Object.keys(children).join(', ');
      throw new UsageError(`unknown command '${[...path, arg].join(' ')}'; expected one of: ${names}`);
    }
    command = (await resolveValue(child)) as AnyCommand;
    path.push(arg);
  }
  return { command, path };
}

const GLOBAL_FLAGS = new Set(['help', 'h', 'version', 'v', 'verbose', 'quiet', 'json']);

/** citty accepts any flag; a typo must be an error that names the flag and the accepted ones. */
async function rejectUnknownFlags(command: AnyCommand, path: string[], rawArgs: string[]) {
  const args = ((await resolveValue(command.args)) ?? {}) as ArgsDef;
  const known = new Set(GLOBAL_FLAGS);
  for (const [name, def] of Object.entries(args)) {
    known.add(name);
    known.add(name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
    known.add(name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    if (def.type === 'boolean') known.add(`no-${name}`);
    for (const alias of ['alias' in def ? (def.alias ?? []) : []].flat()) known.add(alias);
  }
  for (const arg of rawArgs) {
    if (arg === '--') break;
    const match = /^--?([^=]+)/.exec(arg);
    if (!match || /^-\d/.test(arg)) continue;
    const name = match[1] ?? '';
    if (!known.has(name)) {
      const accepted = Object.keys(args)
        .filter((key) => args[key]?.type !== 'positional')
        .map((key) => `--${key}`);
      throw new UsageError(
        `unknown flag '${arg.split('=')[0]}' for 'fmnist ${path.join(' ')}'` +
          (accepted.length ? `; accepted: ${accepted.join(', ')}` : '; it takes no flags'),
      );
    }
  }
}

async function run() {
  const rawArgs = process.argv.slice(2);
  const verbose = rawArgs.includes('--verbose');
  try {
    const { command, path } = await findLeaf(rawArgs);
    if (rawArgs.includes('--help') || rawArgs.includes('-h') || (command.subCommands && !command.run)) {
      process.stdout.write(`${await renderHelp(command, path, version)}\n`);
      return;
    }
    if (path.length === 0 && (rawArgs.includes('--version') || rawArgs.includes('-v'))) {
      process.stdout.write(`${version}\n`);
      return;
    }
    await rejectUnknownFlags(command, path, rawArgs.slice(path.length));
    await runCommand(command, { rawArgs: rawArgs.slice(path.length) });
  } catch (error) {
    process.stderr.write(`${formatError(error, verbose)}\n`);
    process.exitCode = exitCodeFor(error);
  }
}

await run();
