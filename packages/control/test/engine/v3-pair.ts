/**
 * Two LCCEs, each a {@link ControlEngine} with L2TPv3 settings, on a SimNet in virtual time: `pe1` and
 * `pe2` at 10.0.0.1 and 10.0.0.2. Helpers open connections, read events and views.
 */
import { ControlEngine, type ControlOutput, type V3AcceptOptions, type V3TunnelOptions } from '../../src/engine/index.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import type { V3EngineEvent } from '../../src/engine/v3-config.js';
import { md5 } from '../../src/node/platform.js';
import { SimNet, type SimNetOptions } from '../../src/testing/index.js';
import { hmac } from '../codec/helpers.js';

export type Side = 'pe1' | 'pe2';
export type LcceSettings = Omit<V3TunnelOptions, 'connectionId' | 'encap'>;

/** Options of {@link v3Pair}. */
export interface V3PairOptions {
  readonly net?: SimNetOptions;
  readonly encap?: 'udp' | 'ip';
  readonly pe1: LcceSettings;
  readonly pe2: LcceSettings;
  /** Which sides answer SCCRQs (default both). */
  readonly responders?: readonly Side[];
}

export function v3Pair(o: V3PairOptions) {
  const net = new SimNet({ record: false, ...o.net });
  const responders = o.responders ?? ['pe1', 'pe2'];
  const make = (side: Side) => new ControlEngine(
    { encap: o.encap ?? 'udp', ...(responders.includes(side) && { acceptV3: o[side] as V3AcceptOptions }) },
    { random: net.rng.fork(), md5, hmac }, codecWire);
  const engines: Record<Side, ControlEngine> = { pe1: make('pe1'), pe2: make('pe2') };
  const port = o.encap === 'ip' ? 0 : 1701;
  net.add('pe1', engines.pe1, { address: '10.0.0.1', port, family: 4 });
  net.add('pe2', engines.pe2, { address: '10.0.0.2', port, family: 4 });
  const other = (s: Side): Side => (s === 'pe1' ? 'pe2' : 'pe1');
  return {
    net, engines,
    /** Adds and opens a connection from `side` to the other; returns its id. */
    open(side: Side, settings: LcceSettings = o[side]): number {
      const id = engines[side].addV3Connection(settings, net.addressOf(other(side)));
      net.call(side, (nowMs) => engines[side].handle({ kind: 'command', nowMs, tunnelId: id, command: { type: 'open' } }));
      return id;
    },
    /** Every v3 event `side` reported, in order. */
    events(side: Side): V3EngineEvent[] {
      return net.events(side).map((e) => e.output as ControlOutput).flatMap((x) => (x.kind === 'v3-event' ? [x.event] : []));
    },
    /** Views of the live (not closing or closed) connections of `side`. */
    live(side: Side) {
      return engines[side].tunnelIds().map((id) => engines[side].connection(id)!).filter((v) => v.state !== 'closing' && v.state !== 'closed');
    },
    /** Replaces `side` with a new engine (a restart: all state lost); returns it. */
    restart(side: Side): ControlEngine {
      const e = make(side);
      engines[side] = e;
      net.replace(side, e);
      return e;
    },
  };
}

/** `pw-up` events of a list. */
export const pwUps = (events: readonly V3EngineEvent[]) => events.filter((e): e is Extract<V3EngineEvent, { type: 'pw-up' }> => e.type === 'pw-up');
