import { portfolioChecklists } from '../src/portfolio/checklist';
import { samplePng } from './helpers/sample-files';
import { lessonUnitId } from './helpers/course';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { artifactFields } from './helpers/versions';
import { step } from './helpers/story';

/** Team Practice: which teams are offered, the size cap, one team per lesson, and the shared, versioned team artifact. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-27T15:00:00Z', env: { TEAM_SIZE_CAP: '3' } });
});
afterAll(() => t.close());

async function lesson(code: string, n: number): Promise<number> {
  return lessonUnitId(t.db, code, n);
}

async function teamId(unitId: number, name: string): Promise<number> {
  return (await t.db.selectFrom('team').select('id').where('unit_id', '=', unitId).where('name', '=', name).executeTakeFirstOrThrow()).id;
}

async function activeMembers(team: number): Promise<string[]> {
  const rows = await t.db
    .selectFrom('team_membership')
    .innerJoin('app_user', 'app_user.id', 'team_membership.user_id')
    .select('app_user.email')
    .where('team_id', '=', team)
    .where('left_at', 'is', null)
    .orderBy('app_user.email')
    .execute();
  return rows.map((r) => r.email.replace('@cohort.example', ''));
}

const sessions = new Map<string, Session>();
async function as(n: number): Promise<Session> {
  const email = `student${n}@cohort.example`;
  if (!sessions.has(email)) sessions.set(email, await t.login(email));
  return sessions.get(email)!;
}

test('the teams story: teams started, joined, filled, left and quiet over time', async () => {
  await step('start and join teams for this week’s lesson; open teams are offered largest first; names are escaped', async () => {
    const u = await lesson('LeadEd502x', 3); // the lesson of the week of 2020-01-27
    expect((await (await as(1)).post(`/lessons/${u}/teams`, { team_name: 'Metaphor <b>Makers</b>' })).status).toBe(303);
    expect((await (await as(3)).post(`/lessons/${u}/teams`, { team_name: 'Analogy Crew' })).status).toBe(303);
    const makers = await teamId(u, 'Metaphor <b>Makers</b>');
    expect((await (await as(2)).post(`/lessons/${u}/teams/join`, { team_id: String(makers) })).status).toBe(303);

    const page = (await (await as(4)).get(`/lessons/${u}`).expect(200)).text;
    const first = page.indexOf('Metaphor &lt;b&gt;Makers&lt;/b&gt;');
    const second = page.indexOf('Analogy Crew');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(page).not.toContain('<b>Makers</b>');
    expect(page).toContain('2 of 3 · Ava Thompson, Miguel Santos');

    const member = (await (await as(2)).get(`/lessons/${u}`)).text;
    expect(member).toContain('Your team: Metaphor &lt;b&gt;Makers&lt;/b&gt;');
    expect(member).toContain('Members (2 of 3), with their local time now:');
    expect(member).toMatch(
      /<li>Ava Thompson[^<]*<span class="badge badge-info">Campus<\/span>[^<]*<span class="hint">\(America\/Detroit\)<\/span><\/li>\s*<li>Miguel Santos/,
    );
  });

  await step('a full team is refused with a clear message (409) and is no longer offered', async () => {
    const u = await lesson('LeadEd502x', 3);
    const makers = await teamId(u, 'Metaphor <b>Makers</b>');
    expect((await (await as(5)).post(`/lessons/${u}/teams/join`, { team_id: String(makers) })).status).toBe(303);
    const refused = await (await as(6)).post(`/lessons/${u}/teams/join`, { team_id: String(makers) });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('is full (3 of 3 members)');
    expect(await activeMembers(makers)).toEqual(['student1', 'student2', 'student5']);
    const page = (await (await as(6)).get(`/lessons/${u}`)).text;
    expect(page).not.toContain(`name="team_id" value="${makers}"`);
    expect(page).toContain('Analogy Crew');
  });

  await step('one team per student per lesson: joining or starting a second is refused; leave, then join another', async () => {
    const u = await lesson('LeadEd502x', 3);
    const crew = await teamId(u, 'Analogy Crew');
    const again = await (await as(1)).post(`/lessons/${u}/teams/join`, { team_id: String(crew) });
    expect(again.status).toBe(409);
    expect(again.text).toContain('You are already in the team');
    const start = await (await as(1)).post(`/lessons/${u}/teams`, { team_name: 'Solo' });
    expect(start.status).toBe(409);
    expect(await t.db.selectFrom('team').select('id').where('name', '=', 'Solo').execute()).toHaveLength(0);

    expect((await (await as(1)).post(`/lessons/${u}/teams/leave`)).status).toBe(303);
    expect((await (await as(1)).post(`/lessons/${u}/teams/join`, { team_id: String(crew) })).status).toBe(303);
    expect(await activeMembers(crew)).toEqual(['student1', 'student3']);
    const history = await t.db
      .selectFrom('team_membership')
      .select(['team_id', 'left_at'])
      .where('unit_id', '=', u)
      .where('user_id', '=', (await t.db.selectFrom('app_user').select('id').where('email', '=', 'student1@cohort.example').executeTakeFirstOrThrow()).id)
      .orderBy('id')
      .execute();
    expect(history.map((h) => [h.team_id, h.left_at === null])).toEqual([
      [await teamId(u, 'Metaphor <b>Makers</b>'), false],
      [crew, true],
    ]);
  });

  await step('bad team input: empty or duplicate name 422 with input kept; a team of another lesson is 404', async () => {
    const u = await lesson('LeadEd502x', 3);
    const empty = await (await as(7)).post(`/lessons/${u}/teams`, { team_name: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Give your team a name.');
    const dup = await (await as(7)).post(`/lessons/${u}/teams`, { team_name: 'analogy crew' });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('already has that name');
    expect(dup.text).toContain('value="analogy crew"');
    const otherLessonTeam = await teamId(await lesson('LeadEd502x', 1), 'Equity Engineers');
    expect((await (await as(7)).post(`/lessons/${u}/teams/join`, { team_id: String(otherLessonTeam) })).status).toBe(404);
  });

  await step('the last place in a team goes to exactly one of several students joining at once', async () => {
    const u = await lesson('LeadEd502x', 4);
    await (await as(8)).post(`/lessons/${u}/teams`, { team_name: 'Last Seat' });
    const team = await teamId(u, 'Last Seat');
    await (await as(9)).post(`/lessons/${u}/teams/join`, { team_id: String(team) });
    const racers = await Promise.all([10, 11, 12].map((n) => as(n)));
    const results = await Promise.all(racers.map((s) => s.post(`/lessons/${u}/teams/join`, { team_id: String(team) })));
    expect(results.map((r) => r.status).sort()).toEqual([303, 409, 409]);
    expect(await activeMembers(team)).toHaveLength(3);
  });

  await step('teams offered for a past lesson are those active in the last 14 days', async () => {
    t.clock.set('2020-02-20T15:00:00Z'); // Lesson 06 week: Lesson 01 teams formed in January are quiet
    const u = await lesson('LeadEd502x', 1);
    // student10 is in no Lesson 01 team
    let page = (await (await as(10)).get(`/lessons/${u}`)).text;
    expect(page).not.toContain('Equity Engineers');
    expect(page).toContain('No open team is working on this lesson right now');
    // A member of Equity Engineers works on Lesson 01 today: the team is working on it again.
    const comps = await t.db.selectFrom('lesson_component').select('id').orderBy('position').execute();
    await (await as(9)).post(`/lessons/${u}/components/${comps[0].id}`, { done: '1' });
    page = (await (await as(10)).get(`/lessons/${u}`)).text;
    expect(page).toContain('Equity Engineers');
    expect(page).not.toContain('Learning Systems Crew');
    t.clock.set('2020-01-27T15:00:00Z');
  });

  await step('the team artifact: every save a version with who and when, visible to teammates, not to others', async () => {
    const u = await lesson('LeadEd502x', 2); // seeded team "Reason and Rationality": students 1, 4, 8
    const team = await teamId(u, 'Reason and Rationality');
    const outsider = await as(2);
    expect((await outsider.upload(`/lessons/${u}/team-artifact`, { artifact_body: 'Not my team', base_version: '' })).status).toBe(403);

    t.clock.set('2020-01-27T16:00:00Z');
    expect(
      (await (await as(1)).upload(`/lessons/${u}/team-artifact`, await artifactFields(await as(1), u, { artifact_body: '## Our case analysis\nDraft one' })))
        .status,
    ).toBe(303);
    t.clock.set('2020-01-28T02:00:00Z');
    const upload = await (
      await as(4)
    ).upload(`/lessons/${u}/team-artifact`, await artifactFields(await as(4), u, { artifact_body: '## Our case analysis\nDraft two' }), [
      { field: 'artifact_file', buffer: samplePng(), filename: 'team-diagram.png' },
    ]);
    expect(upload.status).toBe(303);
    t.clock.set('2020-01-27T15:00:00Z');

    const versions = await t.db
      .selectFrom('team_artifact_version')
      .select(['version_no', 'uploaded_by', 'attachment_id', 'body_md'])
      .where('team_id', '=', team)
      .orderBy('version_no')
      .execute();
    expect(versions.map((v) => v.version_no)).toEqual([1, 2]);
    expect(versions[0].body_md).toContain('Draft one');
    expect(versions[1].attachment_id).not.toBeNull();

    const teammate = (await (await as(8)).get(`/lessons/${u}`)).text; // Asia/Shanghai
    expect(teammate).toContain('Version 2, saved by Lucas Oliveira on Tue, Jan 28, 2020, 10:00 AM GMT+8');
    expect(teammate).toContain('Draft two');
    expect(teammate).toContain('team-diagram.png');
    const history = (await (await as(8)).get(`/teams/${team}/artifact`).expect(200)).text;
    expect(history).toContain('Saved by Ava Thompson on Tue, Jan 28, 2020, 12:00 AM GMT+8');
    expect(history).toContain('Draft one');
    expect((await (await as(8)).get(`/attachments/${versions[1].attachment_id}`)).status).toBe(200);

    expect((await outsider.get(`/teams/${team}/artifact`)).status).toBe(404);
    expect((await outsider.get(`/attachments/${versions[1].attachment_id}`)).status).toBe(404);
    expect((await outsider.get(`/lessons/${u}`)).text).not.toContain('Draft two');
    expect((await (await t.login('instructor@cohort.example')).get(`/teams/${team}/artifact`)).status).toBe(200);

    // Every member's portfolio checklist shows the team artifact.
    const requirement = await t.db.selectFrom('portfolio_requirement').select('id').orderBy('due_on').executeTakeFirstOrThrow();
    const members = await t.db.selectFrom('team_membership').select('user_id').where('team_id', '=', team).where('left_at', 'is', null).execute();
    const lists = await portfolioChecklists(
      t.db,
      requirement.id,
      members.map((m) => m.user_id),
    );
    for (const list of lists.values()) expect(list.items.find((i) => i.key === `team_artifact:${u}`)!.present).toBe(true);
  });
});
