#!/usr/bin/env bash
# The file steps of docs/operations.md's three-host walkthrough, one host at a time: the
# commands the page shows, which OperationsWalkthroughTests runs inside each lab host.
#   deploy/operations-steps.sh install FROM DIR
#       step 1 and 7: FROM/ensemble and FROM/ensemble-node into DIR (/usr/local/bin)
#   deploy/operations-steps.sh node-keys SHARE DIR LEADER NAME=HOST:PORT...
#       step 2, on a node: its key directory DIR gets every node's key in members/, monitor's in
#       clients/, alice's in admin/, LEADER's as leader.pub, every node's as nodes/HOST:PORT.pub
#   deploy/operations-steps.sh client-keys SHARE DIR LEADER NAME=HOST:PORT...
#       step 2, for alice or the monitor: leader.pub and nodes/ only
#   deploy/operations-steps.sh check-prometheus FILE
#       step 6: promtool check config FILE, installing Debian's prometheus package when
#       promtool is missing (as root); exit 77, saying why, when it cannot be had
# SHARE holds the public keys gathered on the operator host: NAME.pub for each node, alice.pub
# and monitor.pub (/tmp/ensemble-keys in the walkthrough).
set -euo pipefail
usage() {
    echo "usage: deploy/operations-steps.sh install FROM DIR | node-keys SHARE DIR LEADER NAME=HOST:PORT... |" \
        "client-keys SHARE DIR LEADER NAME=HOST:PORT... | check-prometheus FILE" >&2
    exit 2
}
case "${1:-}" in
install)
    [ $# -eq 3 ] || usage
    install -m 0755 "$2/ensemble" "$2/ensemble-node" "$3/"
    ;;
node-keys | client-keys)
    [ $# -ge 5 ] || usage
    kind=$1 share=$2 dir=$3 leader=$4
    shift 4
    if [ "$kind" = node-keys ]; then
        sources=()
        for node in "$@"; do sources+=("$share/${node%%=*}.pub"); done
        cp "${sources[@]}" "$dir/members/"
        cp "$share/monitor.pub" "$dir/clients/"
        cp "$share/alice.pub" "$dir/admin/"
    fi
    cp "$share/$leader.pub" "$dir/leader.pub"
    mkdir -p "$dir/nodes"
    for node in "$@"; do cp "$share/${node%%=*}.pub" "$dir/nodes/${node#*=}.pub"; done
    ;;
check-prometheus)
    [ $# -eq 2 ] || usage
    if ! command -v promtool >/dev/null 2>&1; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "operations-steps: promtool is not installed, and installing Debian's prometheus package needs root" >&2
            exit 77
        fi
        echo "operations-steps: installing Debian's prometheus package for promtool" >&2
        installed=yes
        env DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1 || installed=
        [ -z "$installed" ] || env DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus >/dev/null 2>&1 || installed=
        if [ -z "$installed" ] || ! command -v promtool >/dev/null 2>&1; then
            echo "operations-steps: promtool is not installed, and apt-get could not install Debian's prometheus package" >&2
            exit 77
        fi
    fi
    promtool check config "$2"
    ;;
*) usage ;;
esac
