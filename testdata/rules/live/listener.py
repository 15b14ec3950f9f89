"""Listeners of network namespace B for the live rule test (run with `ip netns exec B`).

Ports 6443, 80 and 3333 accept and close (the k8s API, cloud metadata and miner pool
connections only need to succeed). Port 4444 is the attacker's end of the reverse shell: it
sends a command to the shell that connected and writes what came back to OUTFILE.
"""
import select
import socket
import sys

out_path = sys.argv[1]
servers = {}
for port in (6443, 80, 3333, 4444):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(8)
    servers[s.fileno()] = (s, port)
print("ready", flush=True)
while True:
    ready, _, _ = select.select([s for s, _ in servers.values()], [], [], 60)
    if not ready:
        break
    for s in ready:
        conn, _ = s.accept()
        port = servers[s.fileno()][1]
        if port != 4444:
            conn.close()
            continue
        conn.settimeout(10)
        conn.sendall(b"echo reverse-shell-$((6*7)); exit\n")
        data = b""
        try:
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        conn.close()
        with open(out_path, "wb") as f:
            f.write(data)
