#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The mission's scenario in the VM: apache2 serves a page in the guest,
# `jifl record -- ab -n 1000 http://127.0.0.1/` records the client's kernel
# execution, and `jifl report` shows the network stack (tcp_sendmsg and
# friends). With the calltrace plugin, the same with calls.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
A=$top_srcdir/tests/apache/apache-guest
command -v ab >/dev/null && [ -x /usr/sbin/apache2 ] ||
	skip_all "apache2 or ab missing: apt-get install apache2 apache2-utils"
cd "$(mktemp -d)" || exit 1

check "apache2 starts and answers on 127.0.0.1:80" "$A" start "$PWD/www"
expect_status "ab natively: 200 requests" 0 ab -n 200 http://127.0.0.1/
expect_match "native: no failed request" "Failed requests: +0"

# calltrace too, when this jifl has it: one recording with both plugins
events=bbcount
"$J" record -q -e calltrace -o probe.data -- true 2>/dev/null &&
	events=calltrace,bbcount
expect_status "jifl record -e $events -- ab -n 1000 http://127.0.0.1/" 0 \
	"$J" record -e "$events" -- ab -n 1000 http://127.0.0.1/
expect_match "under jifl: 1000 complete requests" "Complete requests: +1000"
expect_match "under jifl: no failed request" "Failed requests: +0"
expect_match "the record summary" "blocks translated"
rec=$out
blocks=$(printf '%s\n' "$rec" | sed -n 's/.* \([0-9]*\) blocks translated.*/\1/p')

expect_status "jifl report on the recording" 0 "$J" report --stdio -n
report=$out
expect_match "the report names the command" "# command +: ab -n 1000 http://127.0.0.1/"
for f in tcp_sendmsg tcp_recvmsg tcp_v4_connect __sys_connect \
	ip_queue_xmit __dev_queue_xmit; do
	expect_match "the network stack: $f" "[0-9]  $f\$"
done
# tcp_sendmsg: one request sent per connection
n=$(printf '%s\n' "$report" | awk '$NF == "tcp_sendmsg" { print $2 }')
diag "tcp_sendmsg: $n block runs; $blocks blocks translated"
[ "${n:-0}" -ge 1000 ]
ok $? "tcp_sendmsg ran at least once per request (its blocks: ${n:-0} runs)"

expect_status "jifl report -s block" 0 "$J" report --stdio -s block --percent-limit 0.5
expect_match "hot blocks are named function+offset" "[a-z_]+\+0x[0-9a-f]+"

if [ "$events" = bbcount ]; then
	echo "ok $((tap_n += 1)) # SKIP the calltrace plugin is not built"
else
	out=$rec
	expect_match "calltrace: no event lost" "no events lost"
	expect_status "jifl report -g: the call graph" 0 "$J" report --stdio -g
	expect_match "write() sends each request through tcp_sendmsg_locked, 1000 calls" \
		" 1000 +[0-9]+ +[0-9]+ +tcp_sendmsg_locked$"
	expect_match "connect() reaches tcp_v4_connect" " [0-9]+ +[0-9]+ +[0-9]+ +tcp_v4_connect$"
	expect_match "read() reaches tcp_recvmsg, at least once per response" \
		" [0-9]{4,} +[0-9]+ +[0-9]+ +tcp_recvmsg$"
fi

check "apache2 stops" "$A" stop "$PWD/www"
done_testing
