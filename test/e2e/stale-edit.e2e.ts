/// <reference lib="dom" />
import { lessonUnitId } from '../helpers/course';
import { startJourney, type Journey } from './browser';
import { clickAndWait, enterAndWait, focusTop, signIn, stepOn, tabTo, textOf } from './page-helpers';

/**
 * No lost updates, in the browser at 320 px: two teammates open their lesson page; one saves the
 * team artifact; the other, saving from the now stale page, gets the conflict page (both texts,
 * what changed) and saves their version knowingly with the keyboard. Both versions are kept.
 */
let j: Journey;
beforeAll(async () => {
  j = await startJourney('stale-edit', { now: '2020-01-27T15:00:00Z', width: 320 });
});
afterAll(() => j?.close());

test('a student saves a team artifact from a stale page, sees the conflict page, and saves theirs as the new version', async () => {
  const unitId = await lessonUnitId(j.t.db, 'LeadEd502x', 3); // this week's lesson: every open team is offered
  const lesson = `${j.base}/lessons/${unitId}`;

  const ava = j.page;
  await signIn(ava, j.base, 'student6@cohort.example');
  await ava.goto(lesson);
  await ava.fill('#team_name', 'Stale Seekers');
  await clickAndWait(ava, 'button:has-text("Start team")');
  await stepOn(j, ava, 'team-started');

  const ben = await j.newPage({ width: 320 });
  await signIn(ben, j.base, 'student7@cohort.example');
  await ben.goto(lesson);
  await clickAndWait(ben, 'form.team-offer:has-text("Stale Seekers") button');
  await expect(textOf(ben, '#team-practice h3')).resolves.toContain('Stale Seekers');

  // Both have the form open on "no version yet"; Ben saves first.
  await ava.reload();
  await ava.fill('#artifact_body', 'Hub and spokes\nDrafted by Ava');
  await ben.fill('#artifact_body', 'A network of peers\nDrafted by Ben');
  await clickAndWait(ben, 'button:has-text("Save team artifact")');
  await expect(textOf(ben, '.flash')).resolves.toContain('Team artifact saved (version 1)');

  // Ava's save comes from a stale page: the conflict page, nothing saved, her text kept.
  await clickAndWait(ava, 'button:has-text("Save team artifact")');
  await expect(textOf(ava, 'h1')).resolves.toContain('Your team artifact is not saved yet');
  const benName = (await j.t.db.selectFrom('app_user').select('name').where('email', '=', 'student7@cohort.example').executeTakeFirstOrThrow()).name;
  await expect(textOf(ava, 'section[aria-labelledby="theirs-heading"]')).resolves.toContain(`by ${benName}`);
  await expect(textOf(ava, 'section[aria-labelledby="theirs-heading"] pre')).resolves.toContain('A network of peers');
  await expect(textOf(ava, 'section[aria-labelledby="yours-heading"] pre')).resolves.toContain('Hub and spokes');
  await expect(textOf(ava, '.diff ins')).resolves.toContain('Hub and spokes');
  await expect(ava.inputValue('#artifact_body')).resolves.toContain('Drafted by Ava');
  await stepOn(j, ava, 'conflict');
  const team = await j.t.db.selectFrom('team').select('id').where('name', '=', 'Stale Seekers').executeTakeFirstOrThrow();
  const versions = async () =>
    (await j.t.db.selectFrom('team_artifact_version').select('body_md').where('team_id', '=', team.id).orderBy('version_no').execute()).map((v) => ({
      body_md: v.body_md.replace(/\r\n/g, '\n'),
    }));
  expect((await versions()).map((v) => v.body_md)).toEqual(['A network of peers\nDrafted by Ben']);

  // With the keyboard: "Save mine as the new version".
  await focusTop(ava);
  await tabTo(ava, 'section[aria-labelledby="mine-heading"] button');
  await enterAndWait(ava);
  await expect(textOf(ava, '.flash')).resolves.toContain('Team artifact saved (version 2)');
  await stepOn(j, ava, 'saved-mine');
  expect((await versions()).map((v) => v.body_md)).toEqual(['A network of peers\nDrafted by Ben', 'Hub and spokes\nDrafted by Ava']);
});
