// Benchmarks for @l2tp/netlink; printed figures, no assertions.
console.log('@l2tp/netlink: no benchmarks yet');
