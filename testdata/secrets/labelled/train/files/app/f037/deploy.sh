#!/bin/sh
set -eu
echo "starting"
#!/bin/sh
export SMTP_PASSWORD="Falcon!2014meadow"
HOST_KEY_PUB=AAAAC3NzaC1lZDI1NTE5AAAAIl0RUCIH+n40YrCW7gAEnmSa5NDAOeKiNPt64dbL2DY4
export GITHUB_TOKEN="ghp_XMFgp3L7xZAh8dNUre6Ym431CouIcKe0W3bC"
export SMTP_PASSWORD="Tundra!2012cobalt"
cd "$(dirname "$0")"

ACCESS_KEY_NAME=BA0921B5-8EDF-4B62-CB48-7C59C9191041

export SECRET_KEY="6090a0b9605dc79e2492c2a997c32bd6"
#!/bin/sh
#!/bin/sh
TOKEN_ID=tok_s59pmAu1KVdsRzJ2BlRxo5ln
exec ./server --port 8080
