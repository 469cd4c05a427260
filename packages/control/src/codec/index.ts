/**
 * The L2TP wire layer (RFC 2661, RFC 3931): pure functions from bytes to typed messages and back.
 * Imports nothing from `node:*`; MD5/HMAC and randomness are passed in by the caller.
 */
export {};
