import { ECS_UPDATE_SERVICE } from '../../workflows/definitions.js';
import type { TaskHandler } from './local-step-functions.js';

const SIMULATED = 'SIMULATED in local mode: ecs:UpdateService was not called';

/**
 * Task handlers that stand in for AWS service integrations in local mode. Each answers in
 * the shape the real service returns (so the definition's paths work unchanged) and says
 * in its output that nothing was called.
 */
export const SIMULATED_TASKS: Record<string, TaskHandler> = {
  [ECS_UPDATE_SERVICE]: (input) => {
    const { Cluster, Service } = input as { Cluster: string; Service: string };
    const cluster = Cluster.startsWith('arn:') ? Cluster.split('/').pop() : Cluster;
    return {
      Service: {
        ServiceArn: Service.startsWith('arn:')
          ? Service
          : `arn:aws:ecs:us-east-1:000000000000:service/${cluster}/${Service}`,
        Deployments: [
          { Id: 'ecs-svc/simulated', Status: 'PRIMARY', RolloutState: 'IN_PROGRESS', RolloutStateReason: SIMULATED },
        ],
      },
    };
  },
};
