/** The Node edge of the library: UDP sockets, one timer, monotonic clock, crypto; the null data plane. */
export * from './platform.js';
export * from './null-dataplane.js';
export * from './driver.js';
export * from './context.js';
export { KernelReconciler, isNotExist, type ReconcileReport } from './reconciler.js';
