# Runs inside the "tty" container (podman run -t, uid 100): an interactive shell of a system
# account, which then creates a user namespace.
id >/dev/null
unshare -U true
