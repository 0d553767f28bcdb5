// API Gateway (REST, v1 proxy events) → the routes of API.md. AWS_IAM has authenticated the caller.
import { apiLambda } from '../lib/runtime/functions/api.js';

export const handler = apiLambda(process.env);
