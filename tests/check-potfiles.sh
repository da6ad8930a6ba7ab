#!/bin/sh
# po/POTFILES must name exactly the sources that mark strings for
# translation (_() or N_(), and polkit's action texts), or their messages
# never reach translators.
# Usage: check-potfiles.sh SOURCE-ROOT
set -eu
cd "$1"
want=$( (grep -rlE '(^|[^A-Za-z0-9_])N?_ ?\(' service tools --include='*.c'
        ls polkit/*.policy.in) | sort)
have=$(grep -v '^#' po/POTFILES | sed '/^$/d' | sort)
if [ "$want" != "$have" ]; then
  echo "po/POTFILES is out of date; it should list:" >&2
  echo "$want" >&2
  exit 1
fi
echo "po/POTFILES lists all $(echo "$want" | wc -l) sources with messages"
