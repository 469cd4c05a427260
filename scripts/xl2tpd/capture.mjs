#!/usr/bin/env node
/**
 * Captures real L2TPv2 control traffic between an xl2tpd LAC and an xl2tpd LNS on loopback (stub pppd),
 * with tcpdump on `lo`, and writes packages/control/test/vectors/xl2tpd/<scenario>.{pcap,json}.
 * The JSON holds every UDP payload as hex with its direction and a light decode (message type or ZLB), plus
 * provenance: tool versions, date, command, both xl2tpd configs and the shared secret (so hidden AVPs and
 * Challenge Responses can be checked). Each capture is cross-checked against `tcpdump -r -vv`'s own decode.
 * Usage (root): node scripts/xl2tpd/capture.mjs [scenario ...]   (default: all; `hello` takes ~65 s,
 * because xl2tpd's HELLO interval is a fixed 60 s; it runs alongside the others).
 */
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startXl2tpd, xl2tpdVersion } from './harness.mjs';
import { readPcapUdp, renamePorts, l2tpSummary, l2tpAvps, l2tpAvpTypes } from './pcap.mjs';
import { createHash } from 'node:crypto';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'packages/control/test/vectors/xl2tpd');
const SECRET = 'xl2tpd-interop-secret';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** LAC hangs up its call (CDN), then disconnects the tunnel (StopCCN); waits for the LNS to see both. */
async function lacTeardown(lns, lac) {
  const call = lac.calls()[0];
  await lac.hangup(call.local);
  await lns.waitForLog(/Call-Disconnect-Notify/);
  await sleep(300);
  const since = lns.logs().length;
  await lac.disconnect();
  await lns.waitForLog(/Stop-Control-Connection-Notification/, 10_000, since);
  await sleep(1000); // the ZLB acknowledging StopCCN
  return [`LAC: h ${call.local} (CDN)`, `LAC: d ${lac.name} (StopCCN)`];
}

/** LNS hangs up the call (CDN), then closes the tunnel by its id (StopCCN). */
async function lnsTeardown(lns, lac) {
  const call = lns.calls()[0];
  const tunnel = lns.tunnels()[0];
  await lns.hangup(call.local);
  await lac.waitForLog(/Call-Disconnect-Notify|call_close/);
  await sleep(300);
  await lns.disconnect(tunnel.local);
  await lac.waitForLog(/Stop-Control-Connection-Notification|Connection \d+ closed/);
  await sleep(1000);
  return [`LNS: h ${call.local} (CDN)`, `LNS: d ${tunnel.local} (StopCCN)`];
}

const SCENARIOS = {
  plain: {
    about: 'Tunnel and session up (no tunnel auth), then LAC-side CDN and StopCCN.',
    ports: [17101, 17102], both: {}, run: lacTeardown,
  },
  'challenge-hidden': {
    about: 'challenge = yes and hidden bit = yes on both sides with a shared secret; up, then LAC-side CDN and StopCCN.',
    ports: [17111, 17112], both: { secret: SECRET, challenge: true, hidden: true }, run: lacTeardown,
  },
  'lns-disconnect': {
    about: 'Tunnel and session up (no tunnel auth), then LNS-side CDN and StopCCN (xl2tpd control fifo h/d).',
    ports: [17121, 17122], both: {}, run: lnsTeardown,
  },
  hello: {
    about: 'Tunnel and session up, idle until both sides sent HELLO (xl2tpd: fixed 60 s) and got it acked, then LAC-side CDN and StopCCN.',
    ports: [17131, 17132], both: {},
    async run(lns, lac) {
      await Promise.all([lns.waitForLog(/message type 6 \(Hello\)/, 90_000), lac.waitForLog(/message type 6 \(Hello\)/, 90_000)]);
      await sleep(1000);
      return ['both idle until HELLO', ...(await lacTeardown(lns, lac))];
    },
  },
};

function startTcpdump(pcap, ports) {
  const args = ['-i', 'lo', '-nn', '-U', '-s', '0', '-w', pcap, `udp and (port ${ports[0]} or port ${ports[1]})`];
  const p = spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const ready = new Promise((res, rej) => {
    p.stderr.on('data', (d) => { err += d; if (/listening on/.test(err)) res(); });
    p.on('exit', (c) => rej(new Error(`tcpdump exited ${c}: ${err}`)));
  });
  const stop = async () => { p.kill('SIGINT'); await new Promise((r) => (p.exitCode !== null ? r() : p.on('exit', r))); };
  return { ready, stop, cmd: `tcpdump ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}` };
}

/**
 * tcpdump's own decode of each packet's message type, for the cross-check. tcpdump decodes L2TP on port
 * 1701 only, so it reads a copy with the LNS port renamed to 1701.
 */
function tcpdumpTypes(pcap, lnsPort) {
  const tmp = join(tmpdir(), `xl2tpd-capture-${process.pid}.pcap`);
  writeFileSync(tmp, renamePorts(readFileSync(pcap), { [lnsPort]: 1701 }));
  let text;
  try { text = execFileSync('tcpdump', ['-r', tmp, '-nn', '-vv'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); }
  finally { rmSync(tmp, { force: true }); }
  return text.split(/\n(?=\d\d:\d\d:\d\d\.)/).filter(Boolean)
    .map((pkt) => /MSGTYPE\((\w+)\)/.exec(pkt)?.[1] ?? (/ZLB/.test(pkt) ? 'ZLB' : `? ${pkt.slice(0, 120)}`));
}

/**
 * RFC 2661 §4.4.3: Challenge Response = MD5(message type octet || secret || challenge). Checks each response
 * in the capture against the challenge the other side sent, so the recorded secret is known to be right.
 */
function checkChallenges(datagrams, secret) {
  const found = [];
  const challenge = { 'lac->lns': null, 'lns->lac': null };
  for (const d of datagrams) {
    if (d.note === 'ZLB') continue;
    const avps = l2tpAvps(Buffer.from(d.hex, 'hex'));
    const resp = avps.find((a) => a.vendor === 0 && a.type === 13);
    if (resp) {
      const chal = challenge[d.dir === 'lac->lns' ? 'lns->lac' : 'lac->lns'];
      const type = { SCCRP: 2, SCCCN: 3 }[d.note];
      const want = createHash('md5').update(Buffer.from([type])).update(secret).update(chal).digest();
      if (!want.equals(resp.value)) throw new Error(`Challenge Response in ${d.note} does not match MD5(${type} || secret || challenge)`);
      found.push(`${d.note} Challenge Response = MD5(${type} || secret || ${d.dir === 'lac->lns' ? 'LNS' : 'LAC'} challenge) verified`);
    }
    const chal = avps.find((a) => a.vendor === 0 && a.type === 11);
    if (chal) challenge[d.dir] = chal.value;
  }
  return found;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${Version} format, not a template.
const pkgVersion = (p) => execFileSync('dpkg-query', ['-W', '-f=${Version}', p], { encoding: 'utf8' });

async function capture(name) {
  const sc = SCENARIOS[name];
  const pcap = join(OUT, `${name}.pcap`);
  const [lnsPort, lacPort] = sc.ports;
  const td = startTcpdump(pcap, sc.ports);
  await td.ready;
  const t0 = performance.now();
  const lns = await startXl2tpd({ role: 'lns', port: lnsPort, hostname: 'xl2tpd-lns', ...sc.both });
  const lac = await startXl2tpd({ role: 'lac', port: lacPort, peer: { port: lnsPort }, name: 'capture', hostname: 'xl2tpd-lac', ...sc.both });
  let steps;
  try {
    await Promise.all([lns.waitForLog(/Call established/), lac.waitForLog(/Call established/)]);
    steps = [`LAC autodial: tunnel + session up in ${(performance.now() - t0).toFixed(0)} ms`, ...(await sc.run(lns, lac))];
  } finally {
    await lac.stop();
    await lns.stop();
    await sleep(200);
    await td.stop();
  }
  const datagrams = readPcapUdp(readFileSync(pcap)).map((d, _i, all) => ({
    dir: d.srcPort === lacPort ? 'lac->lns' : 'lns->lac', srcPort: d.srcPort, dstPort: d.dstPort,
    tMs: Math.round((d.ts - all[0].ts) * 1000), note: l2tpSummary(d.payload), avps: l2tpAvpTypes(d.payload),
    hex: d.payload.toString('hex'),
  }));
  const theirs = tcpdumpTypes(pcap, lnsPort);
  const ours = datagrams.map((d) => d.note);
  if (JSON.stringify(theirs) !== JSON.stringify(ours)) throw new Error(`${name}: our decode ${ours} != tcpdump ${theirs}`);
  const challengeChecks = sc.both.secret ? checkChallenges(datagrams, sc.both.secret) : [];
  const hiddenSeen = datagrams.some((d) => d.avps.some((a) => a.endsWith('(H)')));
  const json = {
    provenance: {
      tool: `xl2tpd ${xl2tpdVersion().replace('xl2tpd-', '')} (Debian ${readFileSync('/etc/debian_version', 'utf8').trim()} package xl2tpd ${pkgVersion('xl2tpd')}), userspace mode (host kernel ${execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim()} has no L2TP), stub pppd`,
      capturedWith: `tcpdump ${pkgVersion('tcpdump')} on lo`,
      date: new Date().toISOString(),
      command: `node scripts/xl2tpd/capture.mjs ${name}`,
      tcpdump: td.cmd,
      scenario: sc.about,
      steps,
      secret: sc.both.secret ?? null,
      lns: { address: lns.address, port: lnsPort },
      lac: { address: lac.address, port: lacPort },
      config: {
        lns: { 'xl2tpd.conf': lns.config, 'l2tp-secrets': lns.secrets },
        lac: { 'xl2tpd.conf': lac.config, 'l2tp-secrets': lac.secrets },
      },
      crossCheck: `message types equal tcpdump -nn -vv's decode of ${name}.pcap with port ${lnsPort} renamed 1701: ${theirs.join(' ')}`,
      challengeChecks,
      hiddenAvps: sc.both.hidden
        ? `${hiddenSeen ? 'some' : 'no'} AVP has the H bit: xl2tpd 1.3.18's "hidden bit = yes" only adds a Random Vector (36) after the Message Type; it hides AVPs only when built with -DTEST_HIDDEN (Debian is not). It does unhide received hidden AVPs.`
        : 'hidden bit = no',
      fields: 'dir, srcPort, dstPort, tMs (since first datagram), note (message type of the first AVP, or ZLB), avps (attribute types after Message Type; (H) = hidden bit), hex (UDP payload)',
    },
    datagrams,
  };
  writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`${name}: ${datagrams.length} datagrams: ${ours.join(' ')} -> ${relative(ROOT, join(OUT, `${name}.json`))}`);
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SCENARIOS);
for (const w of wanted) if (!SCENARIOS[w]) throw new Error(`unknown scenario ${w}; known: ${Object.keys(SCENARIOS).join(', ')}`);
mkdirSync(OUT, { recursive: true });
const slow = wanted.includes('hello') ? capture('hello') : Promise.resolve();
for (const w of wanted.filter((x) => x !== 'hello')) await capture(w);
await slow;
