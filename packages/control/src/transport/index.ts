/**
 * The reliable control transport (RFC 2661 §5.8 and Appendix A, RFC 3931 §4.2): pure arithmetic and
 * queues, no sockets, no clock.
 */
export * from './seq.js';
export * from './config.js';
export * from './congestion.js';
export * from './reliable.js';
