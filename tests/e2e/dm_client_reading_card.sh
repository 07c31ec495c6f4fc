#!/bin/sh
# A stand-in DM client that reads its card through PC/SC before its session
# (used by dm_client_card_test): prints the ATR of the card in reader $1 with
# OpenSC's opensc-tool, then runs the DM client command given after it.
reader="$1"
shift
i=0
until opensc-tool -r "$reader" -a; do
  i=$((i + 1))
  [ "$i" -ge 25 ] && { echo "no card in '$reader'" >&2; exit 3; }
  sleep 0.2
done
exec "$@"
