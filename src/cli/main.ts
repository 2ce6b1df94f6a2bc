#!/usr/bin/env node
// The `neurite` command: arguments parsed by commander, work done in commands.ts, errors mapped to exit codes.
import { Command, CommanderError, InvalidArgumentError as UsageError, Option } from 'commander';
import { ACTIVATIONS, LOSSES, OPTIMIZERS, type Activation, type Loss, type OptimizerName } from '../dense/types.js';
import { AbortError, NeuriteError } from '../errors.js';
import { evaluate, exportModel, predict, train } from './commands.js';
import { demo } from './demo.js';

/** Exit codes: 2 for a command line that cannot run as written, 1 when the work itself failed, 130 on Ctrl-C (128 + SIGINT). */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
const EXIT_INTERRUPTED = 130;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError('must be a positive integer.');
  return n;
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) throw new UsageError('must be an integer in [0, 4294967295].');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError('must be a number > 0.');
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new UsageError('must be a number in [0, 1).');
  return n;
}

function layerSizes(value: string): number[] {
  const sizes = value.split(',').map((part) => Number(part.trim()));
  if (sizes.length < 2 || sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new UsageError('must be at least two comma-separated positive integers, input first (e.g. 4,16,3).');
  }
  return sizes;
}

function columnList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new UsageError('must be comma-separated column names.');
  return names;
}

const HIDDEN_ACTIVATIONS = ACTIVATIONS.filter((a) => a !== 'softmax');
const backendOption = () => new Option('--backend <name>', 'run on wasm or js (default: wasm when available)').choices(['wasm', 'js']);

/** The command-line program; `signal` lets Ctrl-C stop training cleanly. */
function program(signal: AbortSignal): Command {
  const cli = new Command('neurite')
    .description('Train, run and check neurite dense networks on CSV or JSON data.')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError()
    .exitOverride();

  cli
    .command('train')
    .description('train a network on a CSV (header row required) or JSON data file and save it')
    .argument('<data>', 'data.csv or data.json ([{ input, output }] or [{ column: value }])')
    .addOption(new Option('--layers <sizes>', 'layer sizes, input first (default: inputs,16,outputs)').argParser(layerSizes))
    .addOption(new Option('--activation <name>', 'hidden-layer activation').choices(HIDDEN_ACTIVATIONS).default('relu'))
    .addOption(new Option('--output-activation <name>', 'output activation (default: softmax for crossEntropy, sigmoid for binaryCrossEntropy, else identity)').choices(ACTIVATIONS))
    .addOption(new Option('--loss <name>', 'loss (default: crossEntropy for a text target column, else mse)').choices(LOSSES))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default('adam'))
    .addOption(new Option('--learning-rate <rate>', 'learning rate (default: 0.001 for adam, 0.01 otherwise)').argParser(positiveNumber))
    .addOption(new Option('--epochs <n>', 'passes over the training rows').argParser(positiveInteger).default(50))
    .addOption(new Option('--batch-size <n>', 'rows per optimizer step').argParser(positiveInteger).default(16))
    .addOption(new Option('--target <columns>', 'comma-separated target columns (default: the last column)').argParser(columnList))
    .addOption(new Option('--validation-split <fraction>', 'fraction of shuffled rows held out for validation; 0 for none (default: 0.2 when the data allows)').argParser(fraction))
    .addOption(new Option('--seed <n>', 'seed of initialization, shuffling and the split').argParser(nonNegativeInteger).default(1))
    .addOption(new Option('--out <file>', 'where to save the model').default('model.json'))
    .option('--no-plot', 'do not draw the loss chart at the end')
    .addOption(backendOption())
    .action(async (data: string, o: Record<string, unknown>) => {
      await train(data, {
        activation: o.activation as Activation,
        optimizer: o.optimizer as OptimizerName,
        epochs: o.epochs as number,
        batchSize: o.batchSize as number,
        seed: o.seed as number,
        out: o.out as string,
        plot: o.plot as boolean,
        ...(o.layers ? { layers: o.layers as number[] } : {}),
        ...(o.outputActivation ? { outputActivation: o.outputActivation as Activation } : {}),
        ...(o.loss ? { loss: o.loss as Loss } : {}),
        ...(o.learningRate ? { learningRate: o.learningRate as number } : {}),
        ...(o.target ? { target: o.target as string[] } : {}),
        ...(o.validationSplit !== undefined ? { validationSplit: o.validationSplit as number } : {}),
        ...(o.backend ? { backend: o.backend as 'wasm' | 'js' } : {}),
      }, { out: process.stdout }, signal);
    });

  cli
    .command('predict')
    .description("print the model's predictions for every row of a data file (its scaling and class names come from the model)")
    .argument('<model>', 'model.json saved by neurite train (or any DenseNetwork toJSON() output)')
    .argument('<data>', 'data.csv or data.json; target columns, if present, are ignored')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .addOption(backendOption())
    .action((model: string, data: string, o: { format: 'csv' | 'json'; backend?: 'wasm' | 'js' }) => {
      predict(model, data, o.format, { out: process.stdout }, o.backend);
    });

  cli
    .command('evaluate')
    .description("print the model's mean loss and accuracy on a data file that has the target columns")
    .argument('<model>', 'model.json saved by neurite train')
    .argument('<data>', 'data.csv or data.json with the same columns as the training data')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(backendOption())
    .action((model: string, data: string, o: { format: 'text' | 'json'; backend?: 'wasm' | 'js' }) => {
      evaluate(model, data, o.format, { out: process.stdout }, o.backend);
    });

  cli
    .command('export')
    .description('export a model as ONNX or as a standalone JavaScript module computing predict')
    .argument('<model>', 'model.json saved by neurite train (or any DenseNetwork toJSON() output)')
    .addOption(new Option('--to <format>', 'onnx (float32), onnx64 (float64) or js (an ES module: export default function predict)').choices(['onnx', 'onnx64', 'js']).makeOptionMandatory())
    .requiredOption('--out <file>', 'where to write it, e.g. model.onnx or predict.mjs')
    .action((model: string, o: { to: 'onnx' | 'onnx64' | 'js'; out: string }) => {
      exportModel(model, o.to, o.out, { out: process.stdout });
    });

  cli
    .command('demo')
    .description("train the seed article's network and print it before and after (what npm start runs)")
    .action(() => demo());

  return cli;
}

/** Runs the command line and returns the process's exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  const cli = program(controller.signal);
  try {
    if (argv.length === 0) {
      process.stderr.write(cli.helpInformation());
      return EXIT_USAGE;
    }
    await cli.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    // commander has already printed its message and the usage on stderr.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof AbortError) {
      process.stderr.write('neurite: interrupted; nothing was saved\n');
      return EXIT_INTERRUPTED;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`neurite: ${message.split('\n')[0]}\n`);
    // An option that does not fit the data is still a command-line mistake.
    if (error instanceof NeuriteError && error.argument?.startsWith('--')) {
      process.stderr.write(`run 'neurite ${argv[0]} --help' for usage\n`);
      return EXIT_USAGE;
    }
    return EXIT_FAILURE;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

process.exitCode = await main(process.argv.slice(2));
