#!/usr/bin/env bash
# Copies the dev key pairs deploy/run-local.sh wrote into k8s/overlays/local/secrets/ (never committed).
set -euo pipefail
cd "$(dirname "$0")"
keys=../../../deploy/.local
[[ -f $keys/keys/publicKey.pem ]] || { echo "run deploy/run-local.sh once first (it writes the dev keys)" >&2; exit 1; }
mkdir -p secrets
cp "$keys/keys/publicKey.pem" secrets/jwt-publicKey.pem
for service in conversation-service message-service presence-service; do # a key pair each
  cp "$keys/service-keys/$service/privateKey.pem" "secrets/$service-privateKey.pem"
  cp "$keys/service-keys/$service/publicKey.pem" "secrets/$service-publicKey.pem"
done
echo "secrets/ written; now: kubectl apply -k $(pwd)"
