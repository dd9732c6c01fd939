// A module test/chunk-retry.test.ts imports through retryingImport: each instance of it is a new object.
export const instance = {};
