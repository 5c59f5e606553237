#!/bin/bash
# run given test files only
cd /work/main && npx mocha --no-config -r ts-node/register/transpile-only --extension ts --timeout 600000 "$@"
