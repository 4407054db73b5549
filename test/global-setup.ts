// Build the bundles once before any test starts a server process.
export default async function setup(): Promise<void> {
  // @ts-expect-error plain .mjs build script without types
  const { ensureBuilt } = await import('../scripts/build-core.mjs');
  await ensureBuilt();
}
