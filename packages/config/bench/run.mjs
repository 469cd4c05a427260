// Benchmarks for @l2tp/config; printed figures, no assertions.
console.log('@l2tp/config: no benchmarks yet');
