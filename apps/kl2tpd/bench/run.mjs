// Benchmarks for kl2tpd; printed figures, no assertions.
console.log('kl2tpd: no benchmarks yet');
