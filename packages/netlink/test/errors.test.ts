/** NetlinkError's predicates and log shape; L2tpFamilyMissingError is a real subclass with its own name. */
import { describe, expect, it } from 'vitest';
import { errnoNumber, L2tpFamilyMissingError, NetlinkError } from '../src/errors.js';

describe('NetlinkError', () => {
  it('isNotExist() for ENOENT and ENODEV, isExist() for EEXIST, neither for others', () => {
    const e = (name: string) => new NetlinkError('TUNNEL_DELETE', errnoNumber(name));
    expect([e('ENOENT'), e('ENODEV'), e('EEXIST'), e('EINVAL')].map((x) => [x.isNotExist(), x.isExist()]))
      .toEqual([[true, false], [true, false], [false, true], [false, false]]);
  });

  it('serialises for a log line with the command, errno and the kernel\'s extended ack', () => {
    const err = new NetlinkError('SESSION_CREATE', errnoNumber('EINVAL'), 'Invalid cookie length');
    expect(JSON.parse(JSON.stringify({ err }))).toEqual({ err: {
      name: 'NetlinkError', message: 'SESSION_CREATE: EINVAL (Invalid cookie length)', op: 'SESSION_CREATE',
      errno: errnoNumber('EINVAL'), code: 'EINVAL', extAck: 'Invalid cookie length' } });
  });
});

describe('L2tpFamilyMissingError', () => {
  it('is a NetlinkError (GETFAMILY, ENOENT) under its own name, naming the modules to load', () => {
    const e = new L2tpFamilyMissingError(errnoNumber('ENOENT'));
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e).toBeInstanceOf(L2tpFamilyMissingError);
    expect(e.name).toBe('L2tpFamilyMissingError');
    expect(e.op).toBe('GETFAMILY');
    expect(e.isNotExist()).toBe(true);
    expect(e.message).toMatch(/modprobe -a l2tp_core l2tp_netlink/);
    expect(e.modules).toContain('l2tp_eth');
  });
});
