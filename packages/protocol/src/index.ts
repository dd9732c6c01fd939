export * from './constants.js';
export * from './payment-model.js';
export * from './common.js';
export * from './errors.js';
export * from './browser.js';
export * from './merchant.js';
export * from './paths.js';
