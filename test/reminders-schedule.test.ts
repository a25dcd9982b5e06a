import { startTestApp, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/**
 * The reminder schedule against the rules, instant by instant, in four zones: America/Detroit
 * (student1), Asia/Manila (student2), Europe/London (student3), America/Sao_Paulo (student4).
 * Expected instants are computed by hand below; the clock then walks through every one of them.
 *
 * Deadlines are exclusive instants: 02/26 ends at 2020-02-27T05:00Z (EST), 04/22 at
 * 2020-04-23T04:00Z (EDT). Offsets 7, 2, 0 days; 09:00 in the student's zone on the local date
 * that many days before the deadline's local date (of due − 1 ms); at or after the deadline →
 * 12 h before it. Zones: Detroit UTC−5 until 03/08, then UTC−4; Manila UTC+8; London UTC+0
 * until 03/29, then UTC+1; Sao Paulo UTC−3 all of 2020 (Brazil dropped DST in 2019).
 */
let t: TestApp;
const ids: Record<string, number> = {};
const tracked = ['student1', 'student2', 'student3', 'student4'] as const;
type Student = (typeof tracked)[number];

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-01T12:00:00Z' });
  for (const s of tracked) {
    ids[s] = (await t.db.selectFrom('app_user').select('id').where('email', '=', `${s}@cohort.example`).executeTakeFirstOrThrow()).id;
  }
  await t.runWorker();
});
afterAll(() => t.close());

const portfolioInstants: Record<'LeadEd502x Portfolio' | 'LeadEd503x Portfolio', Record<Student, [string, string, string]>> = {
  // 02/26 deadline: 2020-02-27T05:00Z. Local last minute: Detroit Wed 02/26 23:59; Manila Thu 02/27 12:59;
  // London Thu 02/27 04:59; Sao Paulo Thu 02/27 01:59.            [7 days, 2 days, 0 days]
  'LeadEd502x Portfolio': {
    student1: ['2020-02-19T14:00:00.000Z', '2020-02-24T14:00:00.000Z', '2020-02-26T14:00:00.000Z'], // 09:00 EST on 02/19, 02/24, 02/26
    student2: ['2020-02-20T01:00:00.000Z', '2020-02-25T01:00:00.000Z', '2020-02-27T01:00:00.000Z'], // 09:00 Manila on 02/20, 02/25, 02/27
    // 09:00 London on 02/27 is after 05:00Z → 12 h before the deadline: 02/26 17:00Z
    student3: ['2020-02-20T09:00:00.000Z', '2020-02-25T09:00:00.000Z', '2020-02-26T17:00:00.000Z'],
    // 09:00 Sao Paulo on 02/27 = 12:00Z, after 05:00Z → 02/26 17:00Z (14:00 in Sao Paulo)
    student4: ['2020-02-20T12:00:00.000Z', '2020-02-25T12:00:00.000Z', '2020-02-26T17:00:00.000Z'],
  },
  // 04/22 deadline: 2020-04-23T04:00Z, after both DST changes. Detroit's 7-day reminder on 04/15 is
  // 09:00 EDT = 13:00Z (not 14:00Z as in February); London's is 09:00 BST = 08:00Z.
  // Local last minute: Detroit Wed 04/22 23:59; Manila Thu 04/23 11:59; London Thu 04/23 04:59; Sao Paulo Thu 04/23 00:59.
  'LeadEd503x Portfolio': {
    student1: ['2020-04-15T13:00:00.000Z', '2020-04-20T13:00:00.000Z', '2020-04-22T13:00:00.000Z'],
    student2: ['2020-04-16T01:00:00.000Z', '2020-04-21T01:00:00.000Z', '2020-04-23T01:00:00.000Z'],
    student3: ['2020-04-16T08:00:00.000Z', '2020-04-21T08:00:00.000Z', '2020-04-22T16:00:00.000Z'], // 09:00 BST 04/23 = 08:00Z ≥ 04:00Z → 16:00Z 04/22
    student4: ['2020-04-16T12:00:00.000Z', '2020-04-21T12:00:00.000Z', '2020-04-22T16:00:00.000Z'], // 09:00 04/23 = 12:00Z ≥ 04:00Z → 16:00Z 04/22
  },
};

// Required campus meetings after 02/01 (Mondays 17:00 Detroit). Reminder: 09:00 on the day before
// the meeting's local date in the student's zone. Manila sees Monday 17:00 Detroit as Tuesday
// morning, so its reminder is Monday 09:00 Manila (Monday 01:00Z).
const meetingInstants: Record<string, Record<Student, string>> = {
  '2020-02-10': {
    student1: '2020-02-09T14:00:00.000Z',
    student2: '2020-02-10T01:00:00.000Z',
    student3: '2020-02-09T09:00:00.000Z',
    student4: '2020-02-09T12:00:00.000Z',
  },
  '2020-02-24': {
    student1: '2020-02-23T14:00:00.000Z',
    student2: '2020-02-24T01:00:00.000Z',
    student3: '2020-02-23T09:00:00.000Z',
    student4: '2020-02-23T12:00:00.000Z',
  },
  // 03/09 17:00 EDT = 21:00Z, the day after the US DST change: Detroit's Sunday 03/08 09:00 is already EDT (13:00Z).
  '2020-03-09': {
    student1: '2020-03-08T13:00:00.000Z',
    student2: '2020-03-09T01:00:00.000Z',
    student3: '2020-03-08T09:00:00.000Z',
    student4: '2020-03-08T12:00:00.000Z',
  },
  '2020-03-23': {
    student1: '2020-03-22T13:00:00.000Z',
    student2: '2020-03-23T01:00:00.000Z',
    student3: '2020-03-22T09:00:00.000Z',
    student4: '2020-03-22T12:00:00.000Z',
  },
  // After 03/29 London is on BST: 09:00 = 08:00Z.
  '2020-04-06': {
    student1: '2020-04-05T13:00:00.000Z',
    student2: '2020-04-06T01:00:00.000Z',
    student3: '2020-04-05T08:00:00.000Z',
    student4: '2020-04-05T12:00:00.000Z',
  },
  '2020-04-20': {
    student1: '2020-04-19T13:00:00.000Z',
    student2: '2020-04-20T01:00:00.000Z',
    student3: '2020-04-19T08:00:00.000Z',
    student4: '2020-04-19T12:00:00.000Z',
  },
};

async function plannedRows() {
  return t.db
    .selectFrom('reminder as r')
    .leftJoin('portfolio_requirement as pr', 'pr.id', 'r.portfolio_requirement_id')
    .leftJoin('calendar_event as e', 'e.id', 'r.calendar_event_id')
    .select(['r.user_id', 'r.kind', 'r.offset_days', 'r.send_at', 'r.status', 'pr.title', 'e.starts_at', 'e.required'])
    .where('r.user_id', 'in', Object.values(ids))
    .orderBy('r.send_at')
    .execute();
}

function received(s: Student, subjectPart: string) {
  return t.smtp.messages.filter((m) => m.to.includes(`${s}@cohort.example`) && m.subject.includes(subjectPart));
}

test('the reminder schedule as the worker runs through the semester', async () => {
  await step('walking the clock through every instant: nothing a second early, exactly one at the instant', async () => {
    const checkpoints: { at: string; s: Student; subject: string; label: string }[] = [];
    for (const [title, byStudent] of Object.entries(portfolioInstants)) {
      for (const s of tracked) byStudent[s].forEach((at, i) => checkpoints.push({ at, s, subject: title, label: `${title} ${[7, 2, 0][i]}d` }));
    }
    for (const [on, byStudent] of Object.entries(meetingInstants)) {
      const [, mm, dd] = on.split('-').map(Number);
      const short = `${['', 'Jan', 'Feb', 'Mar', 'Apr'][mm]} ${dd},`;
      for (const s of tracked) checkpoints.push({ at: byStudent[s], s, subject: `Required campus meeting`, label: `meeting ${on} (${short})` });
    }
    const instants = [...new Set(checkpoints.map((c) => c.at))].sort();
    const count = new Map<string, number>();
    for (const at of instants) {
      const due = checkpoints.filter((c) => c.at === at);
      t.clock.set(new Date(Date.parse(at) - 1000));
      await t.runWorker();
      for (const c of due) {
        const expected = count.get(`${c.s}|${c.subject}`) ?? 0;
        expect([c.label, c.s, at, 'a second early', received(c.s, c.subject).length]).toEqual([c.label, c.s, at, 'a second early', expected]);
      }
      t.clock.set(at);
      await t.runWorker();
      for (const c of due) {
        const key = `${c.s}|${c.subject}`;
        const expected = (count.get(key) ?? 0) + 1;
        expect([c.label, c.s, at, 'on time', received(c.s, c.subject).length]).toEqual([c.label, c.s, at, 'on time', expected]);
        count.set(key, expected);
      }
    }
    for (const s of tracked) {
      expect(received(s, 'LeadEd502x Portfolio')).toHaveLength(3);
      expect(received(s, 'LeadEd503x Portfolio')).toHaveLength(3);
      expect(received(s, 'Required campus meeting')).toHaveLength(6);
    }
    // Nothing for the optional meetings (02/17, 03/16, 03/30, 04/13), for anyone.
    expect(t.smtp.messages.filter((m) => /Campus meeting: LeadEd50\dx · Lesson 0[6246]/.test(m.text))).toEqual([]);
    await t.runWorker(); // the next run mirrors the outbox's last outcomes onto the reminders
    const statuses = await t.db.selectFrom('reminder').select('status').where('user_id', 'in', Object.values(ids)).execute();
    expect(new Set(statuses.map((s) => s.status))).toEqual(new Set(['sent']));
  });

  // After the walk, every reminder of the four students is in the schedule with the instant it was
  // planned for (the planner keeps targets within its 14-day horizon, so they were planned in turn).
  await step('the planner put every portfolio reminder at 09:00 local, or 12 h before the deadline, in four zones', async () => {
    const rows = (await plannedRows()).filter((r) => r.kind === 'portfolio_deadline');
    for (const [title, byStudent] of Object.entries(portfolioInstants)) {
      for (const s of tracked) {
        const got = rows.filter((r) => r.user_id === ids[s] && r.title === title).sort((a, b) => b.offset_days - a.offset_days);
        expect([title, s, got.map((r) => [r.offset_days, r.send_at.toISOString(), r.status])]).toEqual([
          title,
          s,
          [7, 2, 0].map((o, i) => [o, byStudent[s][i], 'sent']),
        ]);
      }
    }
  });

  await step('campus meeting reminders: required meetings only, the day before in the student’s zone', async () => {
    const rows = (await plannedRows()).filter((r) => r.kind === 'campus_meeting');
    expect(rows.every((r) => r.required === true)).toBe(true);
    for (const s of tracked) {
      const got = rows.filter((r) => r.user_id === ids[s]).map((r) => r.send_at.toISOString());
      expect([s, got]).toEqual([s, Object.values(meetingInstants).map((m) => m[s])]);
    }
    const optional = await t.db.selectFrom('calendar_event').select('id').where('required', '=', false).execute();
    expect(
      await t.db
        .selectFrom('reminder')
        .select('id')
        .where(
          'calendar_event_id',
          'in',
          optional.map((o) => o.id),
        )
        .execute(),
    ).toEqual([]);
  });

  await step('a portfolio reminder: course code in the subject, the deadline in the student’s zone, missing items with absolute links', async () => {
    const [london] = received('student3', 'LeadEd502x Portfolio');
    expect(london.subject).toBe('[EDUC 551/639] Reminder: LeadEd502x Portfolio due Thu, Feb 27, 4:59 AM GMT');
    expect(london.text).toContain('is due Thu, Feb 27, 2020, 4:59 AM GMT (your time zone, Europe/London)');
    expect(london.text).toContain('That is Wed, Feb 26, 2020, 11:59 PM EST in Ann Arbor');
    expect(london.text).toMatch(/Still missing \(14 of 14 items\):/);
    expect(london.text).toMatch(/- Lesson 01 study guide: http:\/\/cohort\.test\/lessons\/\d+#study-guide/);
    expect(london.text).toMatch(/- Personal reflection: http:\/\/cohort\.test\/portfolios\/\d+#reflection/);
    expect(london.html).toMatch(/<a href="http:\/\/cohort\.test\/lessons\/\d+#team-practice">Lesson 01 Team Practice artifact<\/a>/);
    expect(london.headers.get('from')).toMatchObject({ value: [{ address: 'cohort@cohort.example', name: 'EDUC 551/639 Cohort Companion' }] });
    expect(london.headers.get('reply-to')).toMatchObject({ value: [{ address: 'dpeurach@umich.edu', name: 'Donald J. Peurach' }] });
    expect(london.raw).not.toMatch(/^List-Unsubscribe:/im); // deadline reminders cannot be opted out of
    expect(london.raw).toMatch(/Content-Type: multipart\/alternative/i);
    const [saoPaulo0] = received('student4', 'LeadEd502x Portfolio').slice(-1);
    expect(saoPaulo0.text).toContain('is due Thu, Feb 27, 2020, 1:59 AM GMT-3');
    expect(saoPaulo0.text).toContain('Time left: 12 hours.');
  });

  await step('a campus meeting reminder: date, time, room and this week’s lesson, with List-Unsubscribe', async () => {
    const manila = received('student2', 'Required campus meeting').find((m) => m.subject.includes('Mar 10'))!;
    expect(manila.subject).toBe('[EDUC 551/639] Required campus meeting Tue, Mar 10, 5:00 AM GMT+8 · Course Kickoff and Lesson 01');
    expect(manila.text).toContain('When: Tue, Mar 10, 2020, 5:00 AM GMT+8 – 7:00 AM (your time zone, Asia/Manila)');
    expect(manila.text).toContain('Mon, Mar 9, 2020, 5:00 PM EDT – 7:00 PM in Ann Arbor');
    expect(manila.text).toContain('Where: 4212 School of Education Building');
    expect(manila.text).toMatch(/This week: LeadEd503x Course Kickoff and Lesson 01: .+\n {2}Lesson page: http:\/\/cohort\.test\/lessons\/\d+\n/);
    expect(manila.raw).toMatch(/^List-Unsubscribe: <http:\/\/cohort\.test\/unsubscribe\/\d+\.reminder_meeting\.[\w-]{43}>\r?$/m);
    expect(manila.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(manila.html).toContain('4212 School of Education Building');
  });
});
