#!/bin/sh
# The image's command: runs the service named by the first argument, else by AVIARY_SERVICE (the
# SERVICE build argument), from the working directory (/app in the image).
set -e
service="${1:-$AVIARY_SERVICE}"
case "$service" in
  gateway | orchestrator | builder | quality | deployer | canary | notifier) ;;
  *)
    echo "unknown service \"$service\": give gateway, orchestrator, builder, quality, deployer, canary or notifier" >&2
    exit 64
    ;;
esac
exec node "services/$service/dist/main.js"
