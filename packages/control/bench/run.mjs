// Benchmarks for @l2tp/control; printed figures, no assertions.
console.log('@l2tp/control: no benchmarks yet');
