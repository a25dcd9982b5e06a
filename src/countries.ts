import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json';

countries.registerLocale(en);

/**
 * Countries by ISO 3166-1 alpha-2 code, named in English (i18n-iso-countries): the join form's
 * list and every place a community learner's country is shown or counted.
 */
export interface CountryChoice {
  code: string;
  name: string;
}

let choices: CountryChoice[] | null = null;

export function countryChoices(): CountryChoice[] {
  choices ??= Object.entries(countries.getNames('en', { select: 'official' }))
    .map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return choices;
}

export const isCountryCode = (code: string): boolean => /^[A-Z]{2}$/.test(code) && countries.isValid(code);

export const countryName = (code: string | null): string => (code ? (countries.getName(code, 'en', { select: 'official' }) ?? code) : 'Not given');

/** Every ISO 3166-1 alpha-2 code. */
export const countryCodes = (): string[] => Object.keys(countries.getAlpha2Codes());
