#!/usr/bin/env bash
# `make run`: starts a single-machine Roost cluster (`roost agent -dev`), submits the example
# service and batch jobs, shows them running side by side, and keeps the agent in the
# foreground until Ctrl-C, which stops every task and removes their cgroups.
#
#   contrib/dev-run.sh ROOST_BINARY
#   ROOST_DEV_PORT=4747 contrib/dev-run.sh ROOST_BINARY   another port for the API
set -euo pipefail

roost=${1:?usage: contrib/dev-run.sh ROOST_BINARY}
port=${ROOST_DEV_PORT:-4646}
export ROOST_ADDR="http://127.0.0.1:$port"
cd "$(dirname "$0")/.."

"$roost" agent -dev -http-port "$port" &
agent=$!
# Whatever happens below, the agent gets a clean shutdown (it stops its tasks) before we exit.
stop_agent() {
    if kill -0 "$agent" 2>/dev/null; then
        kill -INT "$agent" 2>/dev/null || true
        wait "$agent" 2>/dev/null || true
    fi
}
trap stop_agent EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 100); do
    curl -fsS "$ROOST_ADDR/v1/agent/self" >/dev/null 2>&1 && break
    kill -0 "$agent" 2>/dev/null || { echo "make run: the agent exited; see its messages above" >&2; exit 1; }
    sleep 0.1
done

echo
echo "==> roost job run jobspecs/hello-web.hcl   (a service: two web servers that stay up)"
"$roost" job run jobspecs/hello-web.hcl
echo
echo "==> roost job run jobspecs/countdown.hcl   (a batch job that runs to completion)"
"$roost" job run jobspecs/countdown.hcl
echo
echo "==> roost job status"
"$roost" job status
echo
echo "==> roost job status hello-web"
"$roost" job status hello-web
allocation=$("$roost" job status hello-web | awk '/^Allocations/{getline; getline; print $1; exit}')
if [[ -n "$allocation" ]]; then
    echo
    echo "==> roost alloc status $allocation"
    "$roost" alloc status "$allocation"
    port_line=$("$roost" alloc status "$allocation" | awk '$1 == "http" {print $2; exit}')
    if [[ -n "$port_line" ]]; then
        echo
        echo "==> curl http://$port_line/   (the web server the task runs)"
        curl -fsS "http://$port_line/" | head -n 5 || true
    fi
fi
echo
echo "==> roost alloc logs of the countdown batch job"
"$roost" alloc logs "$("$roost" job status countdown | awk '/^Allocations/{getline; getline; print $1; exit}')"
if [[ $(id -u) -eq 0 ]] && { command -v crun >/dev/null 2>&1 || command -v runc >/dev/null 2>&1; }; then
    echo
    echo "==> contrib/oci/build-busybox-image.sh, then roost job run jobspecs/busybox-oci.hcl   (a container, run by crun or runc)"
    if contrib/oci/build-busybox-image.sh >/dev/null && "$roost" job run jobspecs/busybox-oci.hcl; then
        container=$("$roost" job status busybox-oci | awk '/^Allocations/{getline; getline; print $1; exit}')
        container_port=$("$roost" alloc status "$container" | awk '$1 == "http" {print $2; exit}')
        if [[ -n "$container_port" ]]; then
            echo
            echo "==> curl http://$container_port/   (busybox httpd inside the container)"
            curl -fsS "http://$container_port/" | head -n 3 || true
        fi
    else
        echo "make run: the container example did not start (see above); the other jobs run on" >&2
    fi
fi
echo
echo "The agent keeps running: try \"roost job status\", \"roost alloc logs -f ID\", \"roost node status\""
echo "in another terminal (ROOST_ADDR=$ROOST_ADDR). Press Ctrl-C to stop every task and exit."
wait "$agent"
