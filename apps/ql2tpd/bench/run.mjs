// Benchmarks for ql2tpd; printed figures, no assertions.
console.log('ql2tpd: no benchmarks yet');
