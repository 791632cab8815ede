/**
 * How every adapter's `ensureStore` creates its store: `create` it; when that fails in a way that leaves
 * the store usable as long as it exists (`tolerable`: another host's creation won a race, or a credential
 * that may use the store but not create it, such as a SAS scoped to one container or a database role
 * without CREATE), succeed if `exists` says it does; otherwise rethrow the failure.
 */
export async function ensureCreated(
  create: () => Promise<unknown>,
  tolerable: (error: unknown) => boolean,
  exists: () => Promise<boolean>,
): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!tolerable(error) || !(await exists())) throw error;
  }
}
