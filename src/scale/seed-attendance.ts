import { instructorOf, rnd, SCALE_AS_OF, step, type StepContext } from './scale-sql';

/**
 * What the instructor and the calendar keep: the campus students' (scale_student) attendance at every campus meeting held before
 * SCALE_AS_OF (present, absent, excused; the excused were first recorded absent, so superseded history exists),
 * advance absence notices for the excused ones, and personal calendar feed links for a fifth
 * of the learners, campus or community (tokens derived from the user id, so they are deterministic too).
 */
export async function seedAttendance(s: StepContext): Promise<void> {
  const o = s.offeringId;
  const instructor = instructorOf(o);
  await step(
    s,
    'attendance records',
    `insert into attendance_record (calendar_event_id, user_id, status, recorded_by, recorded_at, superseded_at)
     select e.id, l.user_id,
       case when v = 1 or (r >= 850 and r < 950) then 'absent' when r < 850 then 'present' else 'excused' end,
       ${instructor}, e.starts_at + interval '3 hours', case when v = 1 then e.starts_at + interval '2 days' end
     from calendar_event e
     cross join scale_student l
     cross join lateral (select ${rnd("l.user_id || ':' || e.id", 'att')} as r) x
     cross join generate_series(1, 2) v
     where e.offering_id = ${o} and e.kind = 'campus_meeting' and e.status = 'scheduled' and e.starts_at < timestamptz '${SCALE_AS_OF}'
       and (v = 2 or r >= 950)`,
  );
  await step(
    s,
    'absence notices',
    `insert into absence_notice (calendar_event_id, user_id, reason, submitted_at)
     select a.calendar_event_id, a.user_id, 'Work travel that week; I will watch the recording.', e.starts_at - interval '2 days'
     from attendance_record a join calendar_event e on e.id = a.calendar_event_id join scale_student l on l.user_id = a.user_id
     where a.status = 'excused' and a.superseded_at is null`,
  );
  await step(
    s,
    'calendar feed links',
    `insert into calendar_feed (user_id, token, created_at)
     select user_id, md5(user_id || ':feed-a') || md5(user_id || ':feed-b'), timestamptz '2020-01-10 15:00Z'
     from scale_learner where i <= 100 or ${rnd('user_id', 'feed')} < 200`,
  );
}
