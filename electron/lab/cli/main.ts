/** The `bnlab` process: runs one command and exits with its code (see cli.ts for the commands). */
import { runCli } from './cli';

// Exit explicitly: a worker thread or timer left behind must not keep a finished command alive.
process.exit(await runCli(process.argv.slice(2)));
