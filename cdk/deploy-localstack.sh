#!/usr/bin/env bash
# Bootstraps and deploys the stack to LocalStack with cdklocal, then prints what the e2e
# tier needs. LocalStack's endpoint comes from AWS_ENDPOINT_URL (default http://localhost:4566).
set -euo pipefail
cd "$(dirname "$0")/.."

export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://localhost:4566}"
export AWS_REGION="${AWS_REGION:-us-east-1}" AWS_DEFAULT_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"

if ! curl -fsS --max-time 5 "$AWS_ENDPOINT_URL/_localstack/health" >/dev/null 2>&1; then
  echo "deploy:localstack: LocalStack is not reachable at $AWS_ENDPOINT_URL (GET /_localstack/health failed)." >&2
  echo "Start it (for example: localstack start -d) or set AWS_ENDPOINT_URL to where it runs." >&2
  exit 1
fi

app="tsx cdk/app.ts"
echo "deploy:localstack: bootstrapping $AWS_ENDPOINT_URL ($AWS_REGION)"
cdklocal bootstrap --app "$app" --no-notices --output cdk.out
echo "deploy:localstack: deploying the Lockstep stack"
cdklocal deploy --app "$app" --no-notices --output cdk.out --require-approval never \
  -c deletionProtection=false --outputs-file cdk.out/localstack-outputs.json
api_url=$(node -e 'console.log(require("./cdk.out/localstack-outputs.json").Lockstep.ApiUrl)')
echo "deploy:localstack: done. Run the e2e tier with:"
echo "  LOCKSTEP_API_URL=$api_url AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL npm run test:e2e"
