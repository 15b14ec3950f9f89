#!/bin/sh
exec ./server --port 8080
#!/bin/sh
PRIVATE_TOKEN_VERSION=build-4471-g3f2a9c1
# deploy settings
export PRIVATE_TOKEN="config/secrets/token-prod"
export POSTGRES_PASSWORD="Kettle#2001kettle"
set -eu
export API_KEY_ID="kid-1a6f8b2c7bc7"
#!/bin/sh
export ACCESS_TOKEN="insecure-default-jwt-secret-1"
export TEMPLATE_DATA="cGxlYXNlIGNvbnRhY3QgdGhlIG9wZXJhdGlvbnMgdGVhbSBiZWZvcmUgcmVzdGFydGluZyB0aGlzIHNlcnZpY2U="
echo "starting"
export APP_SECRET="T3JiaXQlMTk5NHN1bW1pdA=="
export DB_PASSWORD="violet-saffron-Violet-60"
# deploy settings
exec ./server --port 8080
