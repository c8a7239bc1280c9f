#!/usr/bin/env bash
# Builds the three JVM images, chat/<service>:local, from the packaged services (./mvnw -B install -DskipTests first).
#   CONTAINER_ENGINE  podman or docker (default: podman when installed, else docker)
#   BASE_IMAGE        the Java runtime base (default: the Dockerfile's, UBI 9 OpenJDK 17 runtime); where no registry
#                     is reachable, deploy/docker/make-jre-base.sh makes one from Debian's packages
#   IMAGE_TAG         default local;  BUILD_FLAGS  more flags for the engine's build (e.g. --layers=false)
set -euo pipefail
cd "$(dirname "$0")/../.."
engine=${CONTAINER_ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}
base=()
[[ -n ${BASE_IMAGE:-} ]] && base=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
for service in conversation-service presence-service message-service; do
  if [[ ! -f $service/target/quarkus-app/quarkus-run.jar ]]; then
    echo "$service is not packaged yet: ./mvnw -B install -DskipTests" >&2
    exit 1
  fi
  # shellcheck disable=SC2086 # BUILD_FLAGS is a list of flags
  "$engine" build ${BUILD_FLAGS:-} -f deploy/docker/Dockerfile.jvm --build-arg "SERVICE=$service" ${base[@]+"${base[@]}"} \
    -t "chat/$service:${IMAGE_TAG:-local}" .
done
