/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // @middy/core ships ES modules only; compile it to CommonJS with the rest of the code.
  transform: {
    '^.+\\.(t|m?j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFiles: ['<rootDir>/test/setup/environment.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // Most suites wait on child processes and loopback servers: three workers keep 2 cores busy
  // (measured: 88 s against 98 s with two).
  maxWorkers: 3,
  testSequencer: '<rootDir>/test/setup/sequencer.mjs',
  testTimeout: 60000,
  // A worker reaches its 'exit' event within a few milliseconds of jest's end message (no handle
  // is left open), but Node's teardown of a worker that ran many suites (freeing its heap and
  // contexts) takes 0.2-0.6 s on a busy 2-core machine, more than jest's 500 ms default, after
  // which jest kills it and prints "A worker process has failed to exit gracefully".
  workerGracefulExitTimeout: 5000,
};
