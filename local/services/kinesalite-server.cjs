// Runs kinesalite bound to one host (its own cli listens on every interface) with streams usable at once.
// Usage: node kinesalite-server.cjs --host 127.0.0.1 --port 4567 --path <dir>
/* global require, process, console, setTimeout */
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script, run without tsx
const kinesalite = require('kinesalite');

function option(name) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const host = option('host') || '127.0.0.1';
const port = Number(option('port') || 4567);
const server = kinesalite({
  path: option('path'),
  createStreamMs: 0,
  deleteStreamMs: 0,
  updateStreamMs: 0,
  shardLimit: 100,
});

// kinesalite's request handler rethrows any error of the request stream (`req.on('error', (err) => { throw err })`
// in kinesalite/index.js), and Node emits one ("aborted", ECONNRESET) whenever a client closes its connection
// before its request body has arrived: a producer stopped with Ctrl-C, a job that exits with a read in
// flight. Uncaught, that one client would end the server for every other client. It is the client's loss
// only: log one line and keep serving. Any other uncaught error still ends the process, with its stack.
process.on('uncaughtException', (error) => {
  if (error && error.code === 'ECONNRESET' && error.message === 'aborted') {
    console.error('kinesalite: a client closed its connection mid-request; its request is dropped');
    return;
  }
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});

server.on('error', (error) => {
  console.error(`kinesalite: ${error.message}`);
  process.exit(1);
});
// --port 0 takes a free port; the line names the one bound, for callers that wait for it.
server.listen(port, host, () =>
  console.log(`kinesalite listening at http://${host}:${server.address().port}`),
);

function shutdown() {
  // Closing flushes and releases the LevelDB store before exiting.
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
