#!/usr/bin/env node
// The `neurite` command.
import { demo } from './demo.js';

const [command] = process.argv.slice(2);
if (command === 'demo' || command === undefined) {
  demo();
} else {
  process.stderr.write(`neurite: unknown command '${command}'\nusage: neurite demo\n`);
  process.exit(2);
}
