#!/bin/sh
# A release gate for a CI job: a human approves the release notes, or the job fails.
#
#   HITL_API_KEY=... sh examples/cli.sh "Release 2.4: faster exports, new audit log"
#
# Needs `hitl` (pip install "hitl[cli]") and jq. Against the local emulator, also set
# HITL_BASE_URL=http://127.0.0.1:8765 (see docs/emulator.md). The exit code is the decision:
# 0 approved, 1 rejected or cancelled, 5 no decision in time; any other is hitl's own (docs/cli.md).
set -eu

notes=${1:?usage: cli.sh RELEASE_NOTES}

# One template for every release, found by name (created on the first run).
template_id=$(hitl templates list --all | jq -r 'select(.name == "Release gate") | .id' | head -n 1)
if [ -z "$template_id" ]; then
    template_id=$(hitl templates create --name "Release gate" --fields '[
        {"name": "content", "type": "content_display", "label": "Release notes", "editable": false},
        {"name": "approved", "type": "boolean", "label": "Ship it", "required": true},
        {"name": "feedback", "type": "text", "label": "Why not?", "required": false}
    ]' | jq -r .id)
fi

# Create the review and wait for the decision; `|| code=$?` keeps `set -e` from ending the script first.
code=0
review=$(hitl reviews create --template-id "$template_id" \
    --content "$(jq -n --arg text "$notes" '{text: $text}')" \
    --priority high --wait --timeout "${HITL_WAIT_SECONDS:-3600}") || code=$?
if [ "$code" -ne 0 ]; then
    echo "release gate: no decision (hitl exit code $code)" >&2
    exit "$code"
fi

if [ "$(echo "$review" | jq -r '.status == "completed" and .result.approved == true')" = true ]; then
    echo "release gate: approved by $(echo "$review" | jq -r '.reviewer')"
    exit 0
fi
echo "release gate: not approved: $(echo "$review" | jq -r '.result.feedback // .status')" >&2
exit 1
