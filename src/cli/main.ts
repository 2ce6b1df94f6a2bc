#!/usr/bin/env node
// The `neurite` command: arguments parsed by commander, work done in commands.ts, errors mapped to exit codes.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError as UsageError, Option } from 'commander';
import { ACTIVATIONS, LOSSES, OPTIMIZERS, type Activation, type Loss, type OptimizerName } from '../dense/types.js';
import { ACTIVATION_SPECS } from '../spec/activations.js';
import { AbortError, InvalidArgumentError, NeuriteError } from '../errors.js';
import { evaluate, exportModel, predict, type PredictOptions, type Streams, train } from './commands.js';
import { demo } from './demo.js';
import { setThreads } from '../threads/pool.js';
import { exportRecurrent, forecast, type ForecastOptions, isRecurrentModelFile, trainRecurrent } from './recurrent.js';

/** Exit codes: 2 for a command line that cannot run as written, 1 when the work itself failed, 130 on Ctrl-C (128 + SIGINT). */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
const EXIT_INTERRUPTED = 130;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError('must be a positive integer.');
  return n;
}

function threadCount(value: string): number | 'auto' {
  return value.trim() === 'auto' ? 'auto' : positiveInteger(value);
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

/** A field separator: one character other than a quote or a line break, or the word `tab`. */
function delimiter(value: string): string {
  const char = value === 'tab' || value === '\\t' ? '\t' : value;
  if (char.length !== 1 || char === '"' || char === '\n' || char === '\r') throw new UsageError("must be one character (other than a quote) or 'tab'.");
  return char;
}

function significantDigits(value: string): number {
  const n = positiveInteger(value);
  if (n > 17) throw new UsageError('must be an integer in [1, 17] (float64 needs at most 17 significant digits).');
  return n;
}

function unitSizes(value: string): number[] {
  const sizes = value.split(',').map((part) => Number(part.trim()));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new UsageError('must be comma-separated positive integers, one per recurrent layer (e.g. 32 or 32,16).');
  return sizes;
}

/** `train`'s options that have no meaning for a recurrent network, as commander names them. */
const DENSE_ONLY = ['layers', 'activation', 'outputActivation', 'loss', 'patience', 'earlyStopping', 'validationSplit', 'stream'];
/** `train`'s options that only a recurrent network has. */
const RECURRENT_ONLY = ['window', 'horizon', 'units'];
/** A commander option key as its flag: `outputActivation` → `--output-activation`, `earlyStopping` → `--no-early-stopping`. */
const flagOf = (key: string) => (key === 'earlyStopping' ? '--no-early-stopping' : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);

function columnList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new UsageError('must be comma-separated column names.');
  return names;
}

const HIDDEN_ACTIVATIONS = ACTIVATION_SPECS.filter((spec) => spec.hidden).map((spec) => spec.name);
const backendOption = () => new Option('--backend <name>', 'run on wasm or js (default: wasm when available)').choices(['wasm', 'js']);

/** The package's version, from the package.json next to dist/ (or src/). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

// How predict and forecast print numbers.
const numbersFormatOption = () => new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv');
const precisionOption = () => new Option('--precision <digits>', 'significant digits of the numbers printed (default: all, as float64 reads back exactly)').argParser(significantDigits);
const delimiterOption = () => new Option('--delimiter <char>', "CSV field separator: one character, or 'tab' (default: detected from the header line among , ; and tab)").argParser(delimiter);

/** A command that runs a saved model over a data file: its two arguments and the options for reading them. */
function modelCommand(cli: Command, name: string, description: string, model: string, data: string): Command {
  return cli.command(name).description(description).argument('<model>', model).argument('<data>', data)
    .addOption(delimiterOption())
    .addOption(backendOption());
}

/** The command-line program; `signal` lets Ctrl-C stop training cleanly. */
function program(signal: AbortSignal, streams: Streams): Command {
  const cli = new Command('neurite')
    .description('Train, run and check neurite dense and recurrent networks on CSV or JSON data.')
    .version(version(), '-V, --version', 'print the version')
    .configureOutput({ writeOut: (s) => streams.out.write(s), writeErr: (s) => streams.err.write(s) })
    .showHelpAfterError()
    .exitOverride()
    .addOption(new Option('--threads <n>', "threads for large batches, or 'auto' for one per core (default: 1); the results are the same bits").argParser(threadCount))
    .hook('preAction', async (command) => {
      const threads = command.opts<{ threads?: number | 'auto' }>().threads;
      if (threads === undefined) return;
      const report = await setThreads(threads);
      if (report.reason) streams.err.write(`neurite: running on ${report.threads} thread: ${report.reason}\n`);
    });

  cli
    .command('train')
    .description('train a network on a CSV (header row required) or JSON data file and save it; text input columns are one-hot encoded')
    .argument('<data>', 'data.csv or data.json ([{ input, output }] or [{ column: value }])')
    .addOption(new Option('--layers <sizes>', 'layer sizes, input first (default: inputs,16,outputs)').argParser(layerSizes))
    .addOption(new Option('--activation <name>', "hidden-layer activation (default: the library's, tanh)").choices(HIDDEN_ACTIVATIONS))
    .addOption(new Option('--output-activation <name>', 'output activation (default: softmax for crossEntropy, sigmoid for binaryCrossEntropy, else identity)').choices(ACTIVATIONS))
    .addOption(new Option('--loss <name>', 'loss (default: crossEntropy for a text target column, else mse)').choices(LOSSES))
    .addOption(new Option('--optimizer <name>', "optimizer (default: the library's, adam)").choices(OPTIMIZERS))
    .addOption(new Option('--learning-rate <rate>', "learning rate (default: the library's, 0.01)").argParser(positiveNumber))
    .addOption(new Option('--epochs <n>', "most passes over the training rows (default: the library's: enough for 10,000 steps, at least 100, ended by early stopping)").argParser(positiveInteger))
    .addOption(new Option('--batch-size <n>', "rows per optimizer step (default: the library's, 32)").argParser(positiveInteger))
    .addOption(new Option('--patience <n>', "early stopping: epochs without a better validation loss before stopping; the best weights are kept (default: the library's, 20)").argParser(positiveInteger))
    .option('--no-early-stopping', 'train for every epoch, keeping the last weights')
    .addOption(new Option('--target <columns>', 'comma-separated target columns (default: the last column)').argParser(columnList))
    .addOption(new Option('--ignore <columns>', 'comma-separated columns that are not inputs (ids, names)').argParser(columnList))
    .addOption(new Option('--validation-split <fraction>', 'fraction of shuffled rows held out for validation; 0 for none (default: 0.2 with 50 rows or more, as the library)').argParser(fraction))
    .addOption(new Option('--seed <n>', 'seed of initialization, shuffling and the split (default: 1)').argParser(nonNegativeInteger))
    .addOption(new Option('--out <file>', 'where to save the model (default: model.json)'))
    .addOption(delimiterOption())
    .option('--no-plot', 'do not draw the loss chart at the end')
    .addOption(backendOption())
    .addOption(new Option('--checkpoint <file>', 'write a checkpoint (the model and its whole training state) to this file every --checkpoint-every epochs and after the last of --epochs, to continue with --resume'))
    .addOption(new Option('--checkpoint-every <n>', 'epochs between checkpoints (default: 1)').argParser(positiveInteger))
    .addOption(new Option('--resume <file>', 'continue the run saved in this checkpoint, on the same data file, with its options (--epochs may raise the total); ends bit-identical to a run that never stopped'))
    .addOption(new Option('--stream', 'read the CSV file in pieces once per epoch instead of into memory (default: for files over 256 MiB)'))
    .addOption(new Option('--recurrent <cell>', 'train a recurrent network on a series (rows in time order; numeric columns are its features, text columns such as dates are left out)').choices(['lstm', 'gru', 'rnn']))
    .addOption(new Option('--window <n>', '--recurrent: steps per training window (default: 24)').argParser(positiveInteger))
    .addOption(new Option('--horizon <n>', '--recurrent: steps ahead each step learns (default: 1)').argParser(positiveInteger))
    .addOption(new Option('--units <sizes>', '--recurrent: units per recurrent layer, comma-separated to stack (default: 32)').argParser(unitSizes))
    .action(async (data: string, o: Record<string, unknown>, command: Command) => {
      const given = (key: string) => command.getOptionValueSource(key) === 'cli';
      // A recurrent checkpoint resumes as a recurrent run, with or without --recurrent.
      if (o.recurrent || (o.resume && isRecurrentModelFile(o.resume as string))) {
        const dense = DENSE_ONLY.find(given);
        if (dense) throw new InvalidArgumentError(`${flagOf(dense)} is for dense networks; --recurrent trains on windows of the series (see --window, --horizon, --units)`, flagOf(dense));
        await trainRecurrent(data, {
          ...(o.recurrent ? { recurrent: o.recurrent as 'lstm' | 'gru' | 'rnn' } : {}),
          ...(o.window ? { window: o.window as number } : {}),
          ...(o.horizon ? { horizon: o.horizon as number } : {}),
          ...(o.units ? { units: o.units as number[] } : {}),
          ...(o.target ? { target: o.target as string[] } : {}),
          ...(o.ignore ? { ignore: o.ignore as string[] } : {}),
          ...(o.optimizer ? { optimizer: o.optimizer as OptimizerName } : {}),
          ...(o.learningRate ? { learningRate: o.learningRate as number } : {}),
          ...(o.epochs ? { epochs: o.epochs as number } : {}),
          ...(o.batchSize ? { batchSize: o.batchSize as number } : {}),
          ...(o.seed !== undefined ? { seed: o.seed as number } : {}),
          ...(o.out ? { out: o.out as string } : {}),
          ...(given('plot') ? { plot: o.plot as boolean } : {}),
          ...(o.delimiter ? { delimiter: o.delimiter as string } : {}),
          ...(o.backend ? { backend: o.backend as 'wasm' | 'js' } : {}),
          ...(o.checkpoint ? { checkpoint: o.checkpoint as string } : {}),
          ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery as number } : {}),
          ...(o.resume ? { resume: o.resume as string } : {}),
        }, streams, signal);
        return;
      }
      const recurrentOnly = RECURRENT_ONLY.find(given);
      if (recurrentOnly) throw new InvalidArgumentError(`${flagOf(recurrentOnly)} needs --recurrent <cell>`, flagOf(recurrentOnly));
      if (o.patience !== undefined && o.earlyStopping === false) throw new InvalidArgumentError('--patience and --no-early-stopping cannot both be given', '--patience');
      if (o.checkpointEvery !== undefined && o.checkpoint === undefined && o.resume === undefined) throw new InvalidArgumentError('--checkpoint-every needs --checkpoint <file>', '--checkpoint-every');
      // Options left at their defaults are not passed: a resumed run takes them from its checkpoint.
      await train(data, {
        ...(o.seed !== undefined ? { seed: o.seed as number } : {}),
        ...(o.out ? { out: o.out as string } : {}),
        ...(given('plot') ? { plot: o.plot as boolean } : {}),
        ...(given('earlyStopping') ? { earlyStopping: o.earlyStopping as boolean } : {}),
        ...(o.checkpoint ? { checkpoint: o.checkpoint as string } : {}),
        ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery as number } : {}),
        ...(o.resume ? { resume: o.resume as string } : {}),
        ...(o.stream ? { stream: true } : {}),
        ...(o.activation ? { activation: o.activation as Activation } : {}),
        ...(o.optimizer ? { optimizer: o.optimizer as OptimizerName } : {}),
        ...(o.epochs ? { epochs: o.epochs as number } : {}),
        ...(o.batchSize ? { batchSize: o.batchSize as number } : {}),
        ...(o.patience ? { patience: o.patience as number } : {}),
        ...(o.layers ? { layers: o.layers as number[] } : {}),
        ...(o.outputActivation ? { outputActivation: o.outputActivation as Activation } : {}),
        ...(o.loss ? { loss: o.loss as Loss } : {}),
        ...(o.learningRate ? { learningRate: o.learningRate as number } : {}),
        ...(o.target ? { target: o.target as string[] } : {}),
        ...(o.ignore ? { ignore: o.ignore as string[] } : {}),
        ...(o.validationSplit !== undefined ? { validationSplit: o.validationSplit as number } : {}),
        ...(o.delimiter ? { delimiter: o.delimiter as string } : {}),
        ...(o.backend ? { backend: o.backend as 'wasm' | 'js' } : {}),
      }, streams, signal);
    });

  modelCommand(cli, 'predict', "print the model's predictions for every row of a data file (its encoding, scaling and class names come from the model)",
    'model.json saved by neurite train (or any DenseNetwork toJSON() output)',
    'data.csv or data.json; target columns, if present, are ignored')
    .addOption(numbersFormatOption())
    .addOption(precisionOption())
    .addOption(new Option('--keep <columns>', 'comma-separated columns of the data file to print first, as they are (e.g. an id)').argParser(columnList))
    .action((model: string, data: string, o: PredictOptions) => {
      predict(model, data, o, streams);
    });

  modelCommand(cli, 'evaluate', "print the model's figures on a data file that has the target columns: accuracy and a confusion matrix for classes, RMSE, MAE and R² in the target's units for regression",
    'model.json saved by neurite train',
    'data.csv or data.json with the same columns as the training data')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((model: string, data: string, o: { format: 'text' | 'json'; delimiter?: string; backend?: 'wasm' | 'js' }) => {
      evaluate(model, data, o, streams);
    });

  cli
    .command('export')
    .description('export a model as ONNX or as a standalone JavaScript module computing predict')
    .argument('<model>', 'model.json saved by neurite train (or any DenseNetwork or RecurrentNetwork toJSON() output)')
    .addOption(new Option('--to <format>', 'onnx (float32), onnx64 (float64) or js (an ES module: export default function predict); recurrent models: onnx').choices(['onnx', 'onnx64', 'js']).makeOptionMandatory())
    .requiredOption('--out <file>', "where to write it, e.g. model.onnx or predict.mjs; '-' for standard output")
    .action((model: string, o: { to: 'onnx' | 'onnx64' | 'js'; out: string }) => {
      if (isRecurrentModelFile(model)) exportRecurrent(model, o.to, o.out, streams);
      else exportModel(model, o.to, o.out, streams);
    });

  modelCommand(cli, 'forecast', 'print the steps after the end of a series, forecast by a model saved by train --recurrent, then a chart',
    'model.json saved by neurite train --recurrent',
    'the series as a CSV (or JSON) file with the columns it was trained on, rows in time order; the forecast starts after its last row')
    .addOption(new Option('--steps <n>', 'how many steps to forecast').argParser(positiveInteger).default(1))
    .addOption(numbersFormatOption())
    .addOption(precisionOption())
    .option('--no-plot', 'do not draw the chart')
    .action((model: string, data: string, o: ForecastOptions) => {
      forecast(model, data, o, streams);
    });

  cli
    .command('demo')
    .description("train the seed article's network and print it before and after (what npm start runs)")
    .action(() => demo());

  return cli;
}

/** Error messages longer than this are cut: a message is one line for a person to read. */
const MESSAGE_LIMIT = 500;

/**
 * Standard output that a closed reader (`neurite train … | head`) cannot crash: after EPIPE further output is
 * dropped and the work goes on, so a trained model is still saved.
 */
function resilientStdout(): Streams['out'] {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') process.stderr.write(`neurite: cannot write to standard output: ${error.message}\n`);
  });
  return process.stdout;
}

/** Runs the command line and returns the process's exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  const streams: Streams = { out: resilientStdout(), err: process.stderr };
  const cli = program(controller.signal, streams);
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
      // With a checkpoint written, the message says where training can resume from.
      process.stderr.write(`neurite: interrupted; ${error.argument === '--checkpoint' ? error.message : 'nothing was saved'}\n`);
      return EXIT_INTERRUPTED;
    }
    const line = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    process.stderr.write(`neurite: ${line.length > MESSAGE_LIMIT ? `${line.slice(0, MESSAGE_LIMIT)}…` : line}\n`);
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
