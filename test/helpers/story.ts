/**
 * A story whose steps build on each other (a partnership is created, then assessed, then compared)
 * is one test, not several that must run in file order: its steps run in order whatever order jest
 * picks for the tests (`randomize`), and a failure names the step it happened in.
 *
 *   test('a partnership from creation to comparison', async () => {
 *     await step('the instructor creates a partnership', async () => { … });
 *     await step('a member records an assessment', async () => { … });
 *   });
 */
export async function step(name: string, body: () => unknown): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof Error) err.message = `step “${name}”: ${err.message}`;
    throw err;
  }
}
