/**
 * Output buffers for encoded messages: views into 64 KiB slabs, as Node's Buffer pool does, because a
 * fresh backing store per message costs more than the whole encode. A view is never written again
 * after it is returned; a slab is dropped (to the garbage collector) once full.
 */
const SLAB = 64 * 1024;
let slab = new ArrayBuffer(SLAB);
let slabUsed = 0;

/** A fresh zeroed view of `length` bytes (slabs are never reused). */
export function allocate(length: number): Uint8Array {
  if (slabUsed + length > SLAB) {
    slab = new ArrayBuffer(Math.max(SLAB, length));
    slabUsed = 0;
  }
  const view = new Uint8Array(slab, slabUsed, length);
  // Keep views 8-byte aligned, like Node's pool.
  slabUsed += (length + 7) & ~7;
  return view;
}
