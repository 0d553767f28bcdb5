import { decimalInteger } from '../domain/decimal-integer.js';
import { ParameterNameSchema } from '../domain/execution.js';
import { PhaseSchema } from '../domain/phase.js';
import * as z from '../domain/zod.js';

/**
 * The person an intermediary (a chat bot, an alert router) acts for: 1–256 printable characters
 * (any script; no control, format, separator, private-use or unassigned code point), not blank, no
 * surrounding white space. Only an intermediary's request may carry it (API.md, "Identity").
 */
export const OnBehalfOfSchema = z.string().check(
  z.superRefine((who, ctx) => {
    const length = [...who].length;
    if (length < 1 || length > 256)
      ctx.addIssue({ code: 'custom', message: `must be 1 to 256 characters, got ${length}`, input: who });
    const unprintable = /[\p{C}\p{Zl}\p{Zp}]/u.exec(who);
    if (unprintable) {
      const code = unprintable[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      ctx.addIssue({
        code: 'custom',
        message: `must be printable characters, found U+${code} at position ${unprintable.index}`,
        input: who,
      });
    } else if (length > 0 && who.trim().length === 0)
      ctx.addIssue({ code: 'custom', message: 'must not be blank', input: who });
    else if (who.trim() !== who)
      ctx.addIssue({ code: 'custom', message: 'must not begin or end with white space', input: who });
  }),
);

/** The body of `POST /executions` (and the detail of `WorkflowExecution Requested`). Unknown fields are refused. */
export const ExecutionRequestBodySchema = z.strictObject({
  targetResource: z.string(),
  workflowId: z.string().check(z.minLength(1), z.maxLength(128)),
  workflowVersion: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  parameters: z.optional(z.record(ParameterNameSchema, z.string().check(z.maxLength(16 * 1024)))),
  correlationId: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  timeoutSeconds: z.optional(z.number().check(z.int(), z.gte(1), z.lte(365 * 24 * 3600))),
  onBehalfOf: z.optional(OnBehalfOfSchema),
});
export type ExecutionRequestBody = z.infer<typeof ExecutionRequestBodySchema>;

/**
 * 1 to 255 printable ASCII characters, not all blank (an empty or blank key is a mistake, not "no key").
 * Each broken rule has its own message: a 4-character `ключ` is refused for its characters, not its length.
 */
export const IdempotencyKeySchema = z.string().check(
  z.superRefine((key, ctx) => {
    const unprintable = /[^\x20-\x7e]/u.exec(key);
    if (unprintable) {
      const code = unprintable[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      ctx.addIssue({
        code: 'custom',
        message: `must be only printable ASCII characters (U+0020–U+007E), found U+${code} at position ${unprintable.index}`,
        input: key,
      });
    }
    const length = [...key].length;
    if (length > 255)
      ctx.addIssue({ code: 'custom', message: `must be at most 255 characters, got ${length}`, input: key });
  }),
  z.refine((key) => key.trim().length > 0, 'must not be empty or blank'),
);

/** `POST /executions/{id}/approval`: a comment is optional to approve and required to reject (said by the check, not the type). */
export const ApprovalBodySchema = z
  .strictObject({
    decision: z.enum(['approve', 'reject']),
    comment: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(1024))),
    onBehalfOf: z.optional(OnBehalfOfSchema),
  })
  .check(
    z.refine((body) => body.decision !== 'reject' || body.comment !== undefined, {
      path: ['comment'],
      message: 'is required to reject: say why, for the requester and the record',
    }),
  );
export type ApprovalBody = z.infer<typeof ApprovalBodySchema>;

/** `POST /executions/{id}/cancel`'s optional body. */
export const CancelBodySchema = z.strictObject({ onBehalfOf: z.optional(OnBehalfOfSchema) });

/** Why a clearance body's former `clearedBy` is refused (API.md, "Identity"). */
export const CLEARED_BY_REFUSED =
  'clearedBy is no longer accepted: the clearer is taken from the credentials; an intermediary (a bot, a chat integration) names the person it acts for with onBehalfOf';

/**
 * `POST /targets/{target+}/clearance`'s body. `clearedBy` is declared only to be refused with
 * why: API Gateway's model lets it through (an unknown field it would refuse with its own
 * words), so the function answers with CLEARED_BY_REFUSED on AWS as locally.
 */
export const ClearanceBodySchema = z
  .strictObject({
    reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(4096)),
    onBehalfOf: z.optional(OnBehalfOfSchema),
    clearedBy: z.optional(z.unknown()),
  })
  .check(
    z.refine((body) => !('clearedBy' in body), {
      path: ['clearedBy'],
      message: 'not accepted: the clearer is taken from the credentials (use onBehalfOf)',
    }),
  );

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d{1,9})?(?:[Zz]|([+-])(\d\d):(\d\d))$/;

/** An RFC 3339 time with a zone (`2026-11-25T04:00:00Z`, `…+01:00`), as UTC with milliseconds; a date or time that does not exist is refused, not rolled over. */
const Rfc3339 = z.pipe(
  z.string(),
  z.transform((text: string, ctx) => {
    const parts = RFC3339.exec(text);
    if (!parts) {
      ctx.issues.push({
        code: 'custom',
        message: 'must be an RFC 3339 time with a zone, like 2026-11-25T04:00:00Z',
        input: text,
      });
      return z.NEVER;
    }
    const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const [sign, offsetHours, offsetMinutes] = [parts[8], Number(parts[9] ?? 0), Number(parts[10] ?? 0)];
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (
      month < 1 ||
      month > 12 ||
      day < 1 ||
      day > daysInMonth ||
      hour > 23 ||
      minute > 59 ||
      second > 59 ||
      offsetHours > 23 ||
      offsetMinutes > 59
    ) {
      ctx.issues.push({ code: 'custom', message: 'is not a real date and time', input: text });
      return z.NEVER;
    }
    const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
    const millis = Number(((parts[7] ?? '.0') + '000').slice(1, 4));
    return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset).toISOString();
  }),
);

/**
 * `GET /executions`: one target's executions (`targetResource`), or across targets the active
 * ones (`phase=AwaitingApproval|Pending|Running`, no `since`) or those created in a window (`since`, `until`).
 */
export const ListQuerySchema = z
  .strictObject({
    targetResource: z.optional(z.string()),
    phase: z.optional(PhaseSchema),
    since: z.optional(Rfc3339),
    until: z.optional(Rfc3339),
    workflowId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    limit: z._default(decimalInteger(1, 100), 20),
    nextToken: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.superRefine((q, ctx) => {
      const refuse = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      if (q.targetResource !== undefined) {
        for (const field of ['since', 'until', 'workflowId'] as const)
          if (q[field] !== undefined)
            refuse(
              field,
              "is for listings across targets, not with targetResource (a target's listing takes phase, limit, nextToken)",
            );
        return;
      }
      if (q.since === undefined) {
        if (q.until !== undefined) refuse('until', 'needs since: a window has a start');
        else if (q.phase !== 'AwaitingApproval' && q.phase !== 'Pending' && q.phase !== 'Running')
          refuse(
            'since',
            'is required across targets unless phase is AwaitingApproval, Pending or Running (the active executions): give a window, at most 31 days',
          );
      }
    }),
  );
export type ListQuery = z.infer<typeof ListQuerySchema>;

export const TargetListQuerySchema = z.strictObject({
  state: z.enum(['Running', 'AwaitingApproval', 'Blocked', 'CoolingDown', 'BackingOff'], {
    error: (issue) =>
      (issue.input === undefined ? 'state is required' : 'must be') +
      ': one of Running, AwaitingApproval, Blocked, CoolingDown, BackingOff (an Idle target is every target not listed)',
  }),
  limit: z._default(decimalInteger(1, 100), 20),
  nextToken: z.optional(z.string().check(z.minLength(1))),
});
