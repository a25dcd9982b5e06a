import { startTestApp, type TestApp } from './helpers/test-app';

/**
 * Message-IDs (issue 16): unique across installations, stable across retries. Two installations
 * cloned from the same seed have the same database ids; their emails must still never share a
 * Message-ID (a receiver would drop one as a duplicate). A retried message keeps its id.
 */
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await startTestApp({ now: '2020-02-19T14:00:00Z' });
  b = await startTestApp({ now: '2020-02-19T14:00:00Z' });
}, 120_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
});

const EMAIL = 'student3@cohort.example';

async function resetRow(t: TestApp) {
  return t.db
    .selectFrom('outbound_email')
    .select(['id', 'message_id', 'status', 'attempts'])
    .where('to_address', '=', EMAIL)
    .where('kind', '=', 'password_reset')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

test('the same email in two installations (same database ids) gets two different Message-IDs; a retry sends the stored one again', async () => {
  a.smtp.rejectRecipient(EMAIL, 451);
  for (const t of [a, b]) {
    await t.anonymous().post('/forgot-password', { email: EMAIL });
    await t.runWorker();
  }
  const [rowA, rowB] = [await resetRow(a), await resetRow(b)];
  expect(rowA.id).toBe(rowB.id); // the database ids repeat across installations…
  expect(rowA.message_id).not.toBe(rowB.message_id); // …the Message-IDs do not
  for (const id of [rowA.message_id, rowB.message_id]) expect(id).toMatch(/^<password_reset-[0-9a-f-]{36}@cohort\.test>$/);

  // Installation a's server said 451: pending, tried once. When it is due again it goes out with the same id.
  expect(rowA).toMatchObject({ status: 'pending', attempts: 1 });
  a.smtp.acceptRecipient(EMAIL);
  await a.db
    .updateTable('outbound_email')
    .set({ next_attempt_at: new Date(Date.now() - 60_000) })
    .where('id', '=', rowA.id)
    .execute();
  await a.runWorker();
  const sentA = a.smtp.messages.filter((m) => m.to.includes(EMAIL) && /password/i.test(m.subject));
  const sentB = b.smtp.messages.filter((m) => m.to.includes(EMAIL) && /password/i.test(m.subject));
  expect(sentA.map((m) => m.messageId)).toEqual([rowA.message_id]);
  expect(sentB.map((m) => m.messageId)).toEqual([rowB.message_id]);
  expect((await resetRow(a)).message_id).toBe(rowA.message_id);
});
