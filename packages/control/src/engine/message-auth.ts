/**
 * The Message Digest gate of one L2TPv3 control connection (RFC 3931 §4.3, §5.4.1), sans-I/O: it
 * holds the nonces, signs every message we send and checks every message we receive before the
 * state machines see it. A message whose digest does not verify is dropped and counted (RFC 3931
 * §4.3: "MUST be discarded"); with two secrets configured either verifies (rollover), and the
 * counters say which was used so an operator can tell when the old one can go. The secrets and the
 * type we sign with can be replaced on a live connection ({@link MessageAuth.rekey}): the nonces
 * stay — they are exchanged once, in SCCRQ/SCCRP (RFC 3931 §4.3, §5.4.3) — so the peer sees only
 * the key change, and with a secret in common nothing else.
 */
import { DIGEST_LENGTH, type DigestFailure, type DigestTypeCode, signMessage, verifyMessage } from '../codec/digest.js';
import type { Hmac } from '../codec/types.js';
import type { MessageDigestValue } from '../codec/values.js';

/** How a control connection authenticates its messages. */
export interface MessageAuthConfig {
  /** Secrets in order: the first signs, any verifies (at most a few: each costs an HMAC per message). */
  readonly secrets: readonly Uint8Array[];
  /** 0 HMAC-MD5 (default, MUST), 1 HMAC-SHA-1. */
  readonly digestType: DigestTypeCode;
  readonly hmac: Hmac;
  /** Our Control Message Authentication Nonce (random, 16+ octets, drawn by the caller). */
  readonly localNonce: Uint8Array;
}

/** What the gate counted. */
export interface MessageAuthCounters {
  verified: number;
  /** Verified with a secret other than the first (the old one during a rollover). */
  verifiedWithOlderSecret: number;
  dropped: Record<DigestFailure, number>;
}

/** The part of {@link MessageAuthConfig} a rollover replaces (RFC 3931 §5.4.1). */
export interface MessageAuthSecrets {
  /** Secrets in order: the first signs, any verifies; at least one. */
  readonly secrets: readonly Uint8Array[];
  /** 0 HMAC-MD5, 1 HMAC-SHA-1: the type we sign with (the peer's messages verify with either). */
  readonly digestType: DigestTypeCode;
}

/** One control connection's digest state. */
export class MessageAuth {
  readonly counters: MessageAuthCounters = { verified: 0, verifiedWithOlderSecret: 0, dropped: { 'malformed': 0, 'no-digest': 0, 'unsupported-type': 0, 'mismatch': 0 } };
  #remoteNonce: Uint8Array | undefined;
  #config: MessageAuthConfig;

  /** Keeps `config`; throws RangeError without a secret or with a nonce shorter than 16 octets (our misuse). */
  constructor(config: MessageAuthConfig) {
    if (config.secrets.length === 0) throw new RangeError('MessageAuth needs at least one secret');
    if (config.localNonce.length < 16) throw new RangeError('a Control Message Authentication Nonce has at least 16 octets (RFC 3931 §5.4.3)');
    this.#config = config;
  }

  /** The settings in force (after the last {@link rekey}). */
  get config(): MessageAuthConfig {
    return this.#config;
  }

  /**
   * Replaces the secrets and the type we sign with on the live connection (a rollover, RFC 3931
   * §5.4.1): both nonces, the HMAC port and the counters stay, so the connection is not
   * re-established. The next message we sign uses `secrets[0]`; the next one we check may verify
   * with any of `secrets`. Throws RangeError without a secret (our misuse: turning the digest off
   * needs a new connection).
   */
  rekey(update: MessageAuthSecrets): void {
    if (update.secrets.length === 0) throw new RangeError('MessageAuth needs at least one secret');
    this.#config = { ...this.#config, secrets: [...update.secrets], digestType: update.digestType };
  }

  /** The peer's nonce, once its SCCRQ or SCCRP gave one. */
  get remoteNonce(): Uint8Array | undefined {
    return this.#remoteNonce;
  }

  /** Records the nonce of the peer's SCCRQ/SCCRP (before checking that message: SCCRP's digest uses it). */
  learnPeerNonce(nonce: Uint8Array): void {
    this.#remoteNonce = nonce.slice();
  }

  /** The Message Digest AVP value to encode into an outgoing message before {@link sign}. */
  placeholder(): MessageDigestValue {
    return { digestType: this.#config.digestType, digest: new Uint8Array(DIGEST_LENGTH[this.#config.digestType]) };
  }

  /** Signs an encoded message (from the L2TP header) carrying {@link placeholder}; returns the signed copy. */
  sign(message: Uint8Array): Uint8Array {
    return signMessage(message, this.#config.secrets[0]!, this.#config.hmac, { local: this.#config.localNonce, remote: this.#remoteNonce });
  }

  /** Checks a received message (from the L2TP header); false means drop it (counted). Never throws. */
  check(message: Uint8Array): boolean {
    const r = verifyMessage(message, this.#config.secrets, this.#config.hmac, { local: this.#config.localNonce, remote: this.#remoteNonce });
    if (!r.ok) {
      this.counters.dropped[r.reason]++;
      return false;
    }
    this.counters.verified++;
    if (r.secretIndex > 0) this.counters.verifiedWithOlderSecret++;
    return true;
  }
}
