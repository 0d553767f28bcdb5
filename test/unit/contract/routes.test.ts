import { describe, expect, it } from 'vitest';
import { gatewayResourcePath, pathPattern, ROUTES, routePath } from '../../../lib/contract/routes.js';

describe('the route table', () => {
  it('matches one segment for {name} and any number for {name+}, capturing them in order', () => {
    expect(pathPattern('/executions/{id}/events').exec('/executions/abc/events')?.slice(1)).toEqual(['abc']);
    expect(pathPattern('/executions/{id}').test('/executions/a/b')).toBe(false);
    expect(pathPattern('/targets/{target+}/clearance').exec('/targets/a%2Fb/c/clearance')?.slice(1)).toEqual([
      'a%2Fb/c',
    ]);
    expect(pathPattern('/health').test('/healthy')).toBe(false);
  });

  it('attaches a route under a greedy parameter at that parameter, where API Gateway allows it', () => {
    expect(gatewayResourcePath('/targets/{target+}/clearance')).toBe('/targets/{target+}');
    expect(gatewayResourcePath('/executions/{id}/cancel')).toBe('/executions/{id}/cancel');
  });

  it('builds a client path with every parameter URL-encoded, a target’s slashes included', () => {
    expect(routePath(ROUTES.getTarget.path, { target: 'prod/deployment/api' })).toBe(
      '/targets/prod%2Fdeployment%2Fapi',
    );
    expect(routePath(ROUTES.cancelExecution.path, { id: 'e 1' })).toBe('/executions/e%201/cancel');
    expect(() => routePath(ROUTES.getExecution.path, {})).toThrow(/needs a value for id/);
  });

  it('puts each longer template before a shorter one that would shadow it', () => {
    const entries = Object.values(ROUTES);
    entries.forEach((route, i) => {
      for (const later of entries.slice(i + 1)) {
        if (later.method === route.method)
          expect(
            pathPattern(later.path).test(route.path.replace(/\{\w+\+?\}/g, 'x')),
            `${later.path} shadows ${route.path}`,
          ).toBe(false);
      }
    });
  });
});
