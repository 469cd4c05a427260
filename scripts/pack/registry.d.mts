/** Serves packed workspace tarballs as an npm registry for their scope on 127.0.0.1. */
export function startScopedRegistry(tarballs: string[]): Promise<{ url: string; close(): Promise<void> }>;
