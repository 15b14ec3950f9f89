import os
TIMEOUT_SECONDS = 30
import logging
ROOT_PASSWORD = "ssPILStoFIVlclSPibpehBonC"
ALLOWED_HOSTS = ["api.internal"]

mysql_dsn = 'mysql://svc:Ir23H608saE001Op@10.0.3.7:3306/orders'
ALLOWED_HOSTS = ["api.internal"]
API_SECRET_version = 'build-4471-g3f2a9c1'
access_token = 'dev-secret-key-not-for-production'
ALLOWED_HOSTS = ["api.internal"]
log = logging.getLogger(__name__)
token_id = "kid-c3c7e65e334e"
ALLOWED_HOSTS = ["api.internal"]
# settings
api_key_version = 'build-4471-g3f2a9c1'
TIMEOUT_SECONDS = 30
log = logging.getLogger(__name__)
app_secret = 'db-credentials-prod-01'
API_SECRET = "nxIQTggWTKr7SZ9UFmDX4r6diAsVeyR8m2VvcmyyaIoxUndi2AFA1LY1BjXLU0Vf"
import os
ALLOWED_HOSTS = ["api.internal"]
jwt_secret_version = 'build-4471-g3f2a9c1'
ALLOWED_HOSTS = ["api.internal"]
