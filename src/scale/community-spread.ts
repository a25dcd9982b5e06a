import { countryCodes } from '../countries';
import { rnd } from './scale-sql';

/**
 * Where the scale seed's community learners are (issue 17): 40% of the learners, spread over the
 * world. The countries are i18n-iso-countries' (the list the join form offers), less the
 * uninhabited territories; each has one plausible time zone: the main city's for the countries
 * that span several (a small hand table), otherwise the one zone ICU knows for the region
 * (Intl.Locale). Half the community comes from the 20 countries with the most online learners,
 * half from anywhere, so at 50,000 learners nearly every country has some.
 */

/** Learner i (1-based) is a community learner when i % 5 is 0 or 3: learners 1 and 2 (the bench's) stay campus students. */
export const isCommunityIndex = (i: number) => i % 5 === 0 || i % 5 === 3;
export const communitySql = (i: string) => `(${i} % 5 in (0, 3))`;

const UNINHABITED = new Set(['AQ', 'BV', 'HM', 'UM', 'TF']);

/** Countries spanning several zones (or none ICU names): the zone of the main city. Names PostgreSQL's tz database knows too. */
const MAIN_ZONE: Record<string, string> = {
  US: 'America/New_York',
  CA: 'America/Toronto',
  MX: 'America/Mexico_City',
  BR: 'America/Sao_Paulo',
  AR: 'America/Argentina/Buenos_Aires',
  CL: 'America/Santiago',
  EC: 'America/Guayaquil',
  GL: 'America/Godthab',
  RU: 'Europe/Moscow',
  UA: 'Europe/Kiev',
  ES: 'Europe/Madrid',
  PT: 'Europe/Lisbon',
  DE: 'Europe/Berlin',
  CY: 'Asia/Nicosia',
  XK: 'Europe/Belgrade',
  CD: 'Africa/Kinshasa',
  KZ: 'Asia/Almaty',
  UZ: 'Asia/Tashkent',
  MN: 'Asia/Ulaanbaatar',
  CN: 'Asia/Shanghai',
  IN: 'Asia/Kolkata',
  ID: 'Asia/Jakarta',
  MY: 'Asia/Kuala_Lumpur',
  PS: 'Asia/Gaza',
  AU: 'Australia/Sydney',
  NZ: 'Pacific/Auckland',
  PG: 'Pacific/Port_Moresby',
  KI: 'Pacific/Tarawa',
  FM: 'Pacific/Pohnpei',
  MH: 'Pacific/Majuro',
  PF: 'Pacific/Tahiti',
};

/** The 20 countries half the community comes from. */
export const TOP_COUNTRIES = ['US', 'IN', 'BR', 'NG', 'MX', 'PH', 'CN', 'GB', 'CA', 'PK', 'EG', 'KE', 'ZA', 'CO', 'ID', 'DE', 'ES', 'TR', 'BD', 'AU'];

function zoneOf(code: string): string | null {
  if (MAIN_ZONE[code]) return MAIN_ZONE[code];
  const locale = new Intl.Locale(`und-${code}`) as Intl.Locale & { timeZones?: string[]; getTimeZones?: () => string[] };
  const zones = locale.getTimeZones?.() ?? locale.timeZones ?? [];
  return zones[0] ?? null;
}

/** Every country community learners come from, with its zone, in code order. */
export function communityPlaces(): { country: string; zone: string }[] {
  return countryCodes()
    .filter((c) => !UNINHABITED.has(c))
    .sort()
    .flatMap((country) => {
      const zone = zoneOf(country);
      return zone ? [{ country, zone }] : [];
    });
}

/** A SQL expression giving learner `i`'s 'CC|Zone' (split with split_part): deterministic, like every choice of the seed. */
export function placeSql(i: string): string {
  const places = communityPlaces();
  const top = TOP_COUNTRIES.map((c) => places.find((p) => p.country === c)!);
  const arr = (ps: { country: string; zone: string }[]) => `array[${ps.map((p) => `'${p.country}|${p.zone}'`).join(',')}]`;
  return `(case when ${rnd(i, 'where')} < 500 then (${arr(top)})[1 + ${rnd(i, 'top')} % ${top.length}]
    else (${arr(places)})[1 + (${rnd(i, 'any')} * 1000 + ${rnd(i, 'any2')}) % ${places.length}] end)`;
}
