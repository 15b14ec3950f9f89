# Runs inside the "quiet" container: ordinary work that no default rule may flag.
ls / >/dev/null
cat /etc/passwd >/dev/null
echo hello >/tmp/note && cat /tmp/note >/dev/null && rm /tmp/note
sleep 0.1
