import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { approvalComment, onBehalfOf } from '../../../lib/cli/option-parsers.js';

describe('--on-behalf-of', () => {
  it('takes 1 to 256 printable characters in any script', () => {
    for (const person of ['D', 'Dana Smith', 'dana@example.com', 'Zoë Ångström', '山田 太郎', 'x'.repeat(256)])
      expect(onBehalfOf(person)).toBe(person);
  });

  it('refuses, before anything is sent, what the API would: empty, blank, too long, surrounding space, any unprintable character', () => {
    for (const bad of [
      '',
      '   ',
      'x'.repeat(257),
      ' Dana',
      'Dana ',
      'Da\tna',
      'Da\nna',
      'Da\u0000na',
      'Da\u200bna', // zero-width space: a format character
      'Da\u2028na', // line separator
      'Da\ue000na', // private use
    ])
      expect(() => onBehalfOf(bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
  });
});

describe('--comment of approve and reject', () => {
  it('takes 1 to 1024 characters that are not all blank', () => {
    expect(approvalComment('ok')).toBe('ok');
    expect(approvalComment('x'.repeat(1024))).toBe('x'.repeat(1024));
  });

  it('refuses an empty or blank comment and one over 1024 characters', () => {
    for (const bad of ['', ' ', '\t\n ', 'x'.repeat(1025)])
      expect(() => approvalComment(bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
  });
});
