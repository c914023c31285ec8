#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bash completion: commands, each command's options, and after `run
# [OPTION...] --` the traced command's own completion.
. "$(dirname "$0")/../lib.sh"
BC=/usr/share/bash-completion/bash_completion
[ -f "$BC" ] || skip "bash-completion is not installed"
# comp WORDS...: what completing the last word offers, one line.
comp() {
	bash -c '. "$1"; . "$2"; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_tornwatch tornwatch "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort -u | tr "\n" " "' \
		comp "$BC" "$TOP/doc/tornwatch.bash-completion" "$@" 2>/dev/null
}
expect_eq "commands" "$(comp tornwatch '')" "--help --version analyze help run "
expect_eq "run --j" "$(comp tornwatch run --j)" "--json "
expect_eq "run --ex" "$(comp tornwatch run --ex)" "--exit-code "
expect_eq "analyze --m" "$(comp tornwatch analyze --m)" "--max-anomalies --model "
expect_eq "help" "$(comp tornwatch help '')" "analyze run "
expect_eq "a command after --" "$(comp tornwatch run -o /tmp -- bas)" "$(compgen -c bas | sort -u | tr '\n' ' ')"
