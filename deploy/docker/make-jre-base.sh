#!/usr/bin/env bash
# Makes a Java 17 runtime base image from Debian's packages, for a machine that reaches no image registry (only a
# Debian mirror): debootstrap a minimal bookworm with openjdk-17-jre-headless (about 1.5 minutes, 480 MB), then
# import it. Needs root, debootstrap and podman.
#   deploy/docker/make-jre-base.sh [IMAGE]      default IMAGE: localhost/chat-jre-base:17
#   DEBIAN_MIRROR   default http://deb.debian.org/debian
set -euo pipefail
image=${1:-localhost/chat-jre-base:17}
root=$(mktemp -d)
chmod 0755 "$root"   # the image's / (mktemp makes it 0700: no other user could reach /bin)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["/bin/sh"]' - "$image"
