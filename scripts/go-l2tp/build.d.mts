/** Types for build.mjs: go-l2tp's kl2tpd built from Debian's Go packages. */

/** The go-l2tp commit built (v0.1.8). */
export declare const GO_L2TP_COMMIT: string;
/** The cache directory (L2TP_GO_CACHE, else ~/.cache/l2tp/go-l2tp). */
export declare function goL2tpCacheDir(): string;
/** Builds or reuses the binary; a reason instead when it cannot be built (print it loudly). */
export declare function buildGoL2tpKl2tpd(options?: { cacheDir?: string }):
  | { ok: true; path: string; commit: string }
  | { ok: false; reason: string };
