# Runs inside the "main" container (busybox rootfs, --network none, uid 0). Each line is an
# attacker's step that a default rule must catch; expected.json lists the alerts and fields.
# Programs are named by path: busybox's shell runs its applets in-process when named bare
# (no execve, so nothing to see), as no other shell does.
cat /etc/shadow >/dev/null
ln -s /etc/shadow /tmp/shadow-link
ln /etc/shadow /tmp/shadow-hardlink
echo pwned >/etc/vigil-live-test
echo pwned >/usr/bin/vigil-live-tool
rm /usr/bin/vigil-live-tool
cp /bin/vigil-helper /tmp/dropped && /tmp/dropped noop
vigil-helper memfd
vigil-helper ptrace
vigil-helper packet
/bin/dpkg -l >/dev/null 2>&1
/bin/find / -name id_rsa -xdev >/dev/null 2>&1
/bin/grep -r aws_secret_access_key /root >/dev/null 2>&1
: >/var/log/messages
echo x >/tmp/wipe-me && /bin/shred -u /tmp/wipe-me
rm /root/.ash_history
/bin/wget -q -T 1 http://127.0.0.1:9/ >/dev/null 2>&1
/bin/mount -t tmpfs none /mnt >/dev/null 2>&1
vigil-helper noop stratum+tcp://pool.example:3333
echo junk >/tmp/x.ko && /bin/insmod /tmp/x.ko >/dev/null 2>&1
true
