#!/usr/bin/env bash
# Prints a 12-hour RS256 token for a user id, signed with the local run's dev key:  deploy/token.sh alice
set -euo pipefail
cd "$(dirname "$0")/.."
state=${LOCAL_STATE:-deploy/.local}
[[ $# -ge 1 ]] || { echo "usage: deploy/token.sh USER_ID [HOURS]" >&2; exit 2; }
[[ -f "$state/keys/privateKey.pem" ]] || { echo "no dev key yet: start deploy/run-local.sh first" >&2; exit 1; }
exec java -jar testkit/target/testkit-1.0.0-SNAPSHOT.jar token "$state/keys" "$1" "${2:-12}"
