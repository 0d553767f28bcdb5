import { ValidationError } from './errors.js';

export const MAX_TARGET_RESOURCE_LENGTH = 1024;

// C0, DEL and C1 control characters: invisible in logs and consoles, never part of a real name.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/*
 * Characters that let two targets print the same and hold two locks, or print in another order:
 * format characters (Cf: zero-width spaces and joiners, direction marks and overrides such as
 * U+202E, the byte-order mark, tags), the line and paragraph separators (Zl, Zp), the 66
 * noncharacters (U+FDD0–U+FDEF and the last two code points of every plane) and private-use
 * characters (Co: no agreed meaning, each font draws them its own way or not at all), the
 * other default-ignorable code points (drawn as nothing: Hangul fillers, variation selectors,
 * the combining grapheme joiner, Mongolian selectors, U+17B4/U+17B5, and the code points Unicode
 * reserves as such), every white-space character but the plain space U+0020 (`a b` and
 * `a\u00A0b` print the same) and the braille pattern blank U+2800 (drawn as a space).
 * Other unassigned code points are not refused: which ones are unassigned changes with each Unicode version.
 */
const INVISIBLE =
  /\p{Cf}|\p{Zl}|\p{Zp}|\p{Co}|\p{Noncharacter_Code_Point}|\p{Default_Ignorable_Code_Point}|(?! )\p{White_Space}|\u2800/u;
const ARN_PATTERN = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/s;
const FORMS = '"namespace/kind/name", "kind/name" or an ARN';

/**
 * Parses a target resource into its canonical form, the string every lock, name and
 * lookup is keyed on.
 *
 * - The canonical form is Unicode NFC: two spellings of the same text (`é` as U+00E9 or as
 *   `e` + U+0301; `Å` as U+00C5 or U+212B) are one target with one lock. Unpaired
 *   surrogates have no NFC form and are rejected.
 * - `namespace/kind/name` or `kind/name` (cluster-scoped): the kind is case-insensitive
 *   and stored lowercase; namespace and name keep their case.
 * - An ARN (`arn:partition:service:region:account:resource`): kept exactly as given, since
 *   ARNs are case-sensitive. Region and account may be empty (S3 buckets, IAM).
 *
 * Rejected, with a message that names the problem: empty input or parts, surrounding
 * white space, control characters, invisible, blank and direction-changing characters (named
 * as U+XXXX with their position and what kind of character they are), more than 1024 characters, any other shape. `where` is the
 * location the 400's detail names (`body.targetResource: must not be empty`).
 */
export function canonicalTargetResource(input: unknown, where: TargetLocation = 'body.targetResource'): string {
  try {
    return canonical(input);
  } catch (error) {
    // Each detail names where the target was, as every other field's does (`body.targetResource: ...`).
    if (error instanceof ValidationError)
      throw new ValidationError(`targetResource ${error.details[0]}`, [`${where}: ${error.details[0]}`]);
    throw error;
  }
}

/** Where a target reached the engine: the location a 400's (or a rejected event's) detail names. */
export type TargetLocation =
  | 'body.targetResource'
  | 'detail.targetResource'
  | 'query.targetResource'
  | 'path.targetResource';

function canonical(input: unknown): string {
  if (typeof input !== 'string') throw invalid('must be a string');
  if (input.length === 0) throw invalid('must not be empty');
  // Bounded before any other work; the canonical form is checked against the limit again below.
  if (input.length > 4 * MAX_TARGET_RESOURCE_LENGTH) throw tooLong(input.length);
  const surrogate = UNPAIRED_SURROGATE.exec(input);
  if (surrogate)
    throw invalid(
      `contains an unpaired surrogate (U+${hex(surrogate[0])}) at position ${surrogate.index}: it is not valid Unicode text`,
    );
  const control = CONTROL_CHARACTERS.exec(input);
  if (control) throw invalid(`contains the control character U+${hex(control[0])} at position ${control.index}`);
  const invisible = INVISIBLE.exec(input);
  if (invisible)
    throw invalid(
      `contains ${describe(invisible[0])} U+${hex(invisible[0])} at position ${invisible.index}: it would print like another target, or change how the text around it prints`,
    );
  const canonical = canonicalForm(input.normalize('NFC'));
  if (canonical.length > MAX_TARGET_RESOURCE_LENGTH) throw tooLong(canonical.length);
  return canonical;
}

function canonicalForm(input: string): string {
  if (/^arn:/i.test(input)) {
    if (!input.startsWith('arn:'))
      throw invalid(`"${input}" must start with lowercase "arn:": ARNs are case-sensitive`);
    return canonicalArn(input);
  }
  const parts = input.split('/');
  if (parts.length < 2 || parts.length > 3) {
    throw invalid(`"${input}" has ${parts.length} part(s); expected ${FORMS}`);
  }
  const labels = parts.length === 3 ? ['namespace', 'kind', 'name'] : ['kind', 'name'];
  parts.forEach((part, index) => checkPart(part, labels[index] ?? 'part', input));
  const kindIndex = parts.length - 2;
  // Lowercasing can leave text that is not NFC (a capital with a combining mark): normalize again.
  return parts.map((part, index) => (index === kindIndex ? part.toLowerCase().normalize('NFC') : part)).join('/');
}

function tooLong(length: number): ValidationError {
  return invalid(`is ${length} characters long; at most ${MAX_TARGET_RESOURCE_LENGTH} are allowed`);
}

function hex(character: string): string {
  return character.codePointAt(0)!.toString(16).padStart(4, '0').toUpperCase();
}

function describe(character: string): string {
  if (/\p{Zl}/u.test(character)) return 'the line separator';
  if (/\p{Zp}/u.test(character)) return 'the paragraph separator';
  if (/\p{Noncharacter_Code_Point}/u.test(character)) return 'the noncharacter';
  if (/\p{Co}/u.test(character)) return 'the private-use character';
  if (/\p{Cf}/u.test(character)) return 'the invisible format character';
  if (/\p{Default_Ignorable_Code_Point}/u.test(character)) return 'the default-ignorable (invisible) character';
  if (/\p{White_Space}/u.test(character)) return 'the white-space character';
  return 'the braille pattern blank';
}

function canonicalArn(input: string): string {
  const match = ARN_PATTERN.exec(input);
  if (!match) throw invalid(`"${input}" is not a valid ARN; expected arn:partition:service:region:account:resource`);
  const [, partition, service, , , resource] = match;
  checkPart(partition ?? '', 'ARN partition', input);
  checkPart(service ?? '', 'ARN service', input);
  checkPart(resource ?? '', 'ARN resource', input);
  return input;
}

function checkPart(part: string, label: string, input: string): void {
  if (part.length === 0) throw invalid(`"${input}" has an empty ${label}; expected ${FORMS}`);
  if (part.trim() !== part) throw invalid(`"${input}" has white space around its ${label}`);
}

/** A problem, worded to follow "targetResource " (canonicalTargetResource adds it, and the location to the detail). */
function invalid(problem: string): ValidationError {
  return new ValidationError(problem, [problem]);
}
