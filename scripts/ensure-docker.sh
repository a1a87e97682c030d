#!/usr/bin/env bash
# Make sure a Docker engine answers (and debootstrap is there for the offline base image).
#
# - `docker info` answers: nothing to do (as root, debootstrap is installed if missing).
# - Else, as root with apt-get: install Debian's docker.io and debootstrap, start dockerd in the
#   background (log: /var/log/harness-dockerd.log) and wait up to 60 s for it.
# - Else: say what to do. Exits 0 either way: the process backend works without an engine, and
#   the tests that need one fail on their own under CI=true.
set -u

DOCKERD_LOG=/var/log/harness-dockerd.log
APT_LOG=/var/log/harness-apt.log
WAIT_S=60

say() { echo "ensure-docker: $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
engine_up() { have docker && docker info >/dev/null 2>&1; }
is_root() { [ "$(id -u)" = 0 ]; }
can_apt() { is_root && have apt-get; }
have_debootstrap() { have debootstrap || [ -x /usr/sbin/debootstrap ]; }

apt_install() {
    say "installing $* (Debian packages; log: $APT_LOG)"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"; } >>"$APT_LOG" 2>&1; then
        say "apt-get install $* failed; last lines of $APT_LOG:"
        tail -n 15 "$APT_LOG" >&2
        return 1
    fi
}

start_dockerd() {
    if have pgrep && pgrep -x dockerd >/dev/null 2>&1; then
        say "dockerd is running but not answering yet; waiting"
    else
        say "starting dockerd in the background (log: $DOCKERD_LOG)"
        # setsid + nohup: the daemon outlives this script and the make that called it.
        setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
    fi
    for _ in $(seq "$WAIT_S"); do
        engine_up && { say "Docker engine ready"; return 0; }
        sleep 1
    done
    say "dockerd did not answer within ${WAIT_S} s; last lines of $DOCKERD_LOG:"
    tail -n 15 "$DOCKERD_LOG" >&2
    return 1
}

explain() {
    if have docker && docker info 2>&1 | grep -qi "permission denied"; then
        say "the Docker engine runs but you may not use it: add yourself to the 'docker' group"
        say "  (sudo usermod -aG docker \"\$USER\", then log in again), or run as root."
    else
        say "no Docker engine answers ($1)."
        say "  install Docker (Debian/Ubuntu as root: apt-get install docker.io debootstrap, or"
        say "  Docker Desktop) and start it, or run this script as root to do that for you."
    fi
    say "  Meanwhile the process backend works: harness run FILE --backend process"
}

main() {
    if engine_up; then
        if ! have_debootstrap && can_apt; then
            apt_install debootstrap || true
        fi
        return 0
    fi
    if ! can_apt; then
        explain "$(is_root && echo 'no apt-get here' || echo 'not root, so nothing was installed')"
        return 0
    fi
    local missing=()
    { have dockerd && have docker; } || missing+=(docker.io)
    have_debootstrap || missing+=(debootstrap)
    if [ ${#missing[@]} -gt 0 ]; then
        apt_install "${missing[@]}" || { explain "installing ${missing[*]} failed"; return 0; }
    fi
    # On a host with systemd the package starts the service itself; check before starting ours.
    engine_up && return 0
    start_dockerd || explain "dockerd did not start"
    return 0
}

main "$@"
