# Independent digest vectors: bytes built by hand, HMAC by Python's hmac module, checked by tshark.
import hmac, hashlib, struct, json, sys
def avp(m, vendor, typ, val): return struct.pack('>HHH', (0x8000 if m else 0) | (6 + len(val)), vendor, typ) + val
def msg(ccid, ns, nr, avps):
    body = b''.join(avps); return struct.pack('>HHIHH', 0xc803, 12 + len(body), ccid, ns, nr) + body
def digest_avp(t): return avp(True, 0, 59, bytes([t]) + bytes(16 if t == 0 else 20))
u16 = lambda v: struct.pack('>H', v); u32 = lambda v: struct.pack('>I', v)
nA = bytes(range(0xa0, 0xb0)); nB = bytes(range(0xb0, 0xc4))  # 16 and 20 bytes
msgs = [
  ('SCCRQ', 'A', msg(0, 0, 0, [avp(True,0,0,u16(1)), digest_avp(0), avp(True,0,7,b'lcce-a'), avp(True,0,60,u32(0xc0000201)),
     avp(True,0,61,u32(0x11111111)), avp(True,0,62,u16(5)+u16(4)), avp(True,0,73,nA)])),
  ('SCCRP', 'B', msg(0x11111111, 0, 1, [avp(True,0,0,u16(2)), digest_avp(0), avp(True,0,7,b'lcce-b'), avp(True,0,60,u32(0xc0000202)),
     avp(True,0,61,u32(0x22222222)), avp(True,0,62,u16(5)), avp(True,0,73,nB)])),
  ('SCCCN', 'A', msg(0x22222222, 1, 1, [avp(True,0,0,u16(3)), digest_avp(0)])),
  ('HELLO', 'B', msg(0x11111111, 1, 2, [avp(True,0,0,u16(6)), digest_avp(1)])),
  ('ICRQ', 'A', msg(0x22222222, 2, 2, [avp(True,0,0,u16(10)), digest_avp(0), avp(True,0,63,u32(0x0000abcd)), avp(True,0,64,u32(0)),
     avp(True,0,15,u32(1)), avp(True,0,68,u16(5)), avp(True,0,66,b'vc100'), avp(True,0,71,u16(3)), avp(True,0,65,bytes([1,2,3,4]))])),
]
secret = sys.argv[1].encode()
key = hmac.new(secret, b'\x02', hashlib.md5).digest()
nonce = {'A': nA, 'B': nB}
out = []
for name, frm, m in msgs:
    t = m[12+8+6]  # digest type octet: header, Message Type AVP, digest AVP header
    other = 'B' if frm == 'A' else 'A'
    pre = b'' if name == 'SCCRQ' else nonce[frm] + nonce[other]
    d = hmac.new(key, pre + m, hashlib.md5 if t == 0 else hashlib.sha1).digest()
    signed = m[:27] + d + m[27+len(d):]
    out.append({'name': name, 'from': frm, 'unsigned': m.hex(), 'signed': signed.hex()})
json.dump(out, open('vectors.json', 'w'), indent=1)
# pcap: Ethernet + IPv4 (protocol 115) + zero Session ID + message
ip = {'A': bytes([192,0,2,1]), 'B': bytes([192,0,2,2])}
with open('digest.pcap', 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, v in enumerate(out):
        pl = bytes(4) + bytes.fromhex(v['signed'])
        src, dst = ip[v['from']], ip['B' if v['from'] == 'A' else 'A']
        iph = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(pl), i, 0, 64, 115, 0, src, dst)
        s = sum(struct.unpack('>10H', iph)); s = (s & 0xffff) + (s >> 16); s = (s & 0xffff) + (s >> 16)
        iph = iph[:10] + struct.pack('>H', ~s & 0xffff) + iph[12:]
        fr = bytes(6) + bytes(5) + b'\x01' + b'\x08\x00' + iph + pl
        f.write(struct.pack('<IIII', i, 0, len(fr), len(fr)) + fr)
