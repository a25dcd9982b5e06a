import { formatClockRange } from '../time';

/**
 * The words of a campus meeting on the calendar. The title names the meeting once
 * ("Campus meeting: LeadEd502x · Lesson 05"); whether it is required is a field (`required`)
 * that pages show as a badge, so the title does not repeat it. The description gives the hours
 * students are in the room and, as a note, the registrar's longer slot.
 */
export function campusMeetingTitle(what: string): string {
  return `Campus meeting: ${what}`;
}

export interface MeetingHours {
  starts: string;
  ends: string;
  registrarSlot?: { starts: string; ends: string } | null;
}

export function campusMeetingDescription(required: boolean, m: MeetingHours): string {
  const hours = formatClockRange(m.starts, m.ends);
  const lines = [required ? `Attendance required, ${hours}.` : `Optional. The room is open ${hours} for questions, discussion and Team Practice.`];
  const note = registrarSlotNote(m);
  if (note) lines.push(note);
  return lines.join(' ');
}

/** "(The registrar's slot is 5:00–8:00 pm; the class meets 5:00–7:00 pm.)", or null when there is no separate slot. */
export function registrarSlotNote(m: MeetingHours): string | null {
  const slot = m.registrarSlot;
  if (!slot || (slot.starts === m.starts && slot.ends === m.ends)) return null;
  return `(The registrar's slot is ${formatClockRange(slot.starts, slot.ends)}; the class meets ${formatClockRange(m.starts, m.ends)}.)`;
}
