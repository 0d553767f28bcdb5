/** The resource of the ECS restart step: an AWS SDK service integration, no Lambda in between. */
export const ECS_UPDATE_SERVICE = 'arn:aws:states:::aws-sdk:ecs:updateService';
