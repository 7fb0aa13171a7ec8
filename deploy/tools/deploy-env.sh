#!/usr/bin/env bash
# Finds, or installs, what the deployment tests of deploy/ need (run by the root pom at validate, before
# any module is built):
#   MultiHostIT: root, ip (iproute2), unshare and mount (util-linux, mount), timeout (coreutils), bash;
#   SlurmIT:     root, slurmctld, slurmd, sbatch/srun/sinfo/squeue/scancel (slurm-client), munged and
#                mungekey (munge), hostname, getent; this host's name must resolve.
# As root with apt-get, it installs the missing Debian packages without starting their system services
# (the tests start their own munged, slurmctld and slurmd, with a configuration of their own). Otherwise,
# or if that fails, it fails at once naming what is missing. It never skips.
set -uo pipefail

declare -A package=(
  [ip]=iproute2 [unshare]=util-linux [mount]=mount [timeout]=coreutils [bash]=bash [hostname]=hostname [getent]=libc-bin
  [slurmctld]=slurmctld [slurmd]=slurmd [sbatch]=slurm-client [srun]=slurm-client [sinfo]=slurm-client
  [squeue]=slurm-client [scancel]=slurm-client [munged]=munge [mungekey]=munge
)

missing() {
  local tool
  for tool in "${!package[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1 || echo "$tool"
  done | sort
}

if [ "$(id -u)" != 0 ]; then
  echo "deploy-env: FAILED: the deployment tests (network namespaces, slurmd) need root; this runs as uid $(id -u)." >&2
  echo "Run mvn -B verify as root (as CI does), or in a container." >&2
  exit 1
fi

tools=$(missing)
if [ -n "$tools" ] && command -v apt-get >/dev/null; then
  pkgs=$(for t in $tools; do echo "${package[$t]}"; done | sort -u | tr '\n' ' ')
  echo "deploy-env: missing $(echo $tools); installing Debian's $pkgs" >&2
  # No system munge or Slurm service: a policy-rc.d that refuses starts, for the install only.
  made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  { apt-get -o DPkg::Lock::Timeout=300 update && apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends $pkgs; } >&2
  [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
  tools=$(missing)
fi

if [ -n "$tools" ]; then
  pkgs=$(for t in $tools; do echo "${package[$t]}"; done | sort -u | tr '\n' ' ')
  echo "deploy-env: FAILED: the deployment tests need $(echo $tools) (Debian packages: $pkgs)." >&2
  echo "Install them (as root: apt-get install $pkgs) and run the build again." >&2
  exit 1
fi

if ! getent hosts "$(hostname)" >/dev/null; then
  echo "deploy-env: FAILED: this host's name $(hostname) does not resolve (getent hosts $(hostname)); SlurmIT's batch script" >&2
  echo "gives the workers the daemon's host name. Add it to /etc/hosts (for example: 127.0.1.1 $(hostname))." >&2
  exit 1
fi
echo "deploy-env: root, iproute2, util-linux, Slurm $(slurmd -V 2>/dev/null | awk '{print $2}') and munge are present" >&2
