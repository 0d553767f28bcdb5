/// <reference lib="dom" />
// Who is signed in (`GET /identity`), and what that lets them do: a control whose route needs a
// role the signed-in identity lacks is shown disabled, naming the role (API.md, "The status page").
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Identity } from '../../contract/api-objects.js';
import type { ROLES, ROUTES, Role } from '../../contract/routes.js';
import { html } from './html.js';

export type { Identity };

/** The signed-in identity, once `GET /identity` answered; undefined before, or when it could not. */
export const SignedIn = createContext<Identity | undefined>(undefined);

/** The route table's entry for a method and path (the page bundles none of the contract: it reads the table's types). */
type RouteAt<M extends string, P extends string> = Extract<
  (typeof ROUTES)[keyof typeof ROUTES],
  { method: M; path: P }
>;

/**
 * The least role of each route the page's controls call, as the route table declares it: each
 * value must be the table's own (`satisfies`), so a change of a route's role breaks the build, not the page.
 */
const NEEDS = {
  run: 'requester' satisfies RouteAt<'POST', '/executions'>['role'],
  cancel: 'operator' satisfies RouteAt<'POST', '/executions/{id}/cancel'>['role'],
  decide: 'operator' satisfies RouteAt<'POST', '/executions/{id}/approval'>['role'],
  clear: 'operator' satisfies RouteAt<'POST', '/targets/{target+}/clearance'>['role'],
} as const;
export type Control = keyof typeof NEEDS;

/** The contract's role order, least first (`ROLES`): the type says it is the same list. */
const ORDER: typeof ROLES = ['reader', 'requester', 'operator', 'admin'];

/** The contract's `roleAllows`, on the page's copy of the order. */
function roleAllows(have: Role, need: Role): boolean {
  return ORDER.indexOf(have) >= ORDER.indexOf(need);
}

/**
 * Whether the signed-in identity may call a route, and if not the role it needs. Enabled while
 * the identity is unknown, and always on AWS: there `GET /identity` has no role and IAM decides,
 * so the page cannot know better than the API's own 403 (shown where the control is).
 */
export function usePermission(control: Control): Permission {
  const identity = useContext(SignedIn);
  const need = NEEDS[control];
  if (identity?.role === undefined || roleAllows(identity.role, need)) return { allowed: true };
  return { allowed: false, needs: need, have: identity.role };
}

export type Permission = { allowed: true } | { allowed: false; needs: string; have: string };

/** Beside a disabled control: "needs operator", visible, and said to a screen reader through the control's description. */
export function NeedsRole({ id, permission }: { id: string; permission: Permission }) {
  if (permission.allowed) return null;
  return html`<span class="needs" id=${id}>needs ${permission.needs}</span>`;
}

/** A control's attributes: disabled while busy, or for good (titled, described by its note) when the role may not use it. */
export function gated(permission: Permission, noteId: string, busy = false) {
  if (permission.allowed) return { disabled: busy };
  return {
    disabled: true,
    title: `needs the ${permission.needs} role; you are signed in as ${permission.have}`,
    'aria-describedby': noteId,
  };
}
