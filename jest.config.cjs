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
  // One worker per core of the 2-core machine we measure on: with the CLI checks in-process, the
  // suites wait on child processes little, and a third worker only adds contention (measured: 91 s
  // wall and 150 CPU-s against 98 s and 176 CPU-s with three).
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/setup/sequencer.mjs',
  testTimeout: 60000,
  // Jest's transform cache beside the project's other caches, not in the system temporary folder.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  // A worker reaches its 'exit' event within a few milliseconds of jest's end message (no handle
  // is left open), but Node's teardown of a worker that ran many suites (freeing its heap and
  // contexts) takes 0.2-0.6 s on a busy 2-core machine, more than jest's 500 ms default, after
  // which jest kills it and prints "A worker process has failed to exit gracefully".
  workerGracefulExitTimeout: 5000,
};
