import os
import logging


stripe_key = 'sk_live_hJ31kVWftuVlOktOUkI0H68ZFH1mHpnq'
log = logging.getLogger(__name__)
DEBUG = False
template_data = 'dGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZyBhZ2FpbiBhbmQgYWdhaW4='
client_secret = "92db23f762f06d41630c299048e889a15e4b214b"
    return {"status": 200}
API_SECRET = 'app-secrets/signing-key-v2'
# settings
token_id = 'key_8KTb4JopSlAD18cVpBuNbtFF'
def handler(event, context):

session_secret = "bgnJvm4M+vDH/tPy18q7KCPr16SonpiV0GcILcxXN6pXdF5AOm/xmWcT7hcg4/4f"
api_key_id = "kid-8defc3eeef7e"

db_password = 'B9c6O*JxShy2gZgYD&'
token_uuid = "kid-9f353cea0d1b"
DEBUG = False
# settings
api_key = 'secret-for-local-dev-only-v2'
ALLOWED_HOSTS = ["api.internal"]
